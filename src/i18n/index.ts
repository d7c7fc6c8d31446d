import type { Language } from '../db/types.ts';
import { en } from './en.ts';
import { zhCN, type Messages } from './zh-CN.ts';

export type { Messages };
export const DEFAULT_LANGUAGE: Language = 'zh-CN';
const dictionaries: Record<Language, Messages> = { 'zh-CN': zhCN, en };

export function messages(lang: Language): Messages {
  return dictionaries[lang];
}

/** Fills {name} placeholders: fill('共 {n} 条', { n: 3 }). */
export function fill(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

/** The language from an Accept-Language header, for pages before sign-in. */
export function languageFromHeader(header: string | undefined): Language {
  if (!header) return DEFAULT_LANGUAGE;
  const first = header.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : DEFAULT_LANGUAGE;
}
