import type { Language } from '../db/types.ts';
import { localDate, localDateTime } from './dates.ts';

// Intl formatters are costly to build and cheap to reuse: keep one per (kind, locale, zone).
const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
function cached<T extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, make: () => T): T {
  let f = cache.get(key) as T | undefined;
  if (!f) {
    f = make();
    cache.set(key, f);
  }
  return f;
}

const localeOf = (lang: Language): string => (lang === 'en' ? 'en-GB' : 'zh-CN');

export interface Formatter {
  /** 2026-11-27 14:05 in the company's time zone. */
  dateTime(iso: string | null | undefined): string;
  date(iso: string | null | undefined): string;
  number(n: number): string;
  /** Integer fen → ¥12,345.67 */
  money(fen: number): string;
  /** Money in a sentence or label a reader skims: ¥12.5万, ¥3.2亿 from 10,000 yuan up in Chinese, else `money`. */
  brief(fen: number): string;
}

export function formatter(lang: Language, timeZone: string, currency = 'CNY'): Formatter {
  const locale = localeOf(lang);
  const num = cached(`n|${locale}`, () => new Intl.NumberFormat(locale));
  const money = cached(`m|${locale}|${currency}`, () =>
    new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  );
  return {
    // Dates and times read the same in both languages (2026-11-27 14:05), in the company's zone (src/lib/dates.ts).
    dateTime: (iso) => (iso ? localDateTime(iso, timeZone) : ''),
    date: (iso) => (iso ? localDate(iso, timeZone) : ''),
    number: (n) => num.format(n),
    // Fen are integers; dividing by 100 only for display is exact enough for Intl (no arithmetic follows).
    money: (fen) => money.format(fen / 100),
    brief: (fen) => (lang === 'zh-CN' && Math.abs(fen) >= 1_000_000 ? chineseBrief(fen) : money.format(fen / 100)),
  };
}

/** ¥12.5万 from 10,000 yuan, ¥3.2亿 from 100 million (一亿), one decimal at most, the sign before ¥. */
function chineseBrief(fen: number): string {
  const yuan = Math.abs(fen) / 100;
  const [value, unit] = yuan >= 100_000_000 ? [yuan / 100_000_000, '亿'] : [yuan / 10_000, '万'];
  return `${fen < 0 ? '-' : ''}¥${value.toFixed(1).replace(/\.0$/, '')}${unit}`;
}

/** The IANA zones offered in company settings (all Intl knows, China's first). */
export function timeZones(): string[] {
  const all = Intl.supportedValuesOf('timeZone');
  const first = ['Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Taipei', 'Asia/Macau', 'Asia/Urumqi'];
  return [...first.filter((z) => all.includes(z)), ...all.filter((z) => !first.includes(z))];
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const CURRENCIES = ['CNY', 'HKD', 'TWD', 'USD', 'EUR', 'JPY'] as const;
