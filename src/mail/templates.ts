import { Eta } from 'eta';
import type { Language } from '../db/types.ts';
import { VIEWS_DIR } from '../paths.ts';

// Mail bodies are Eta templates per language: views/mail/<lang>/<name>.eta, each inside views/mail/_layout.eta.
// Compiled once per process (cache) — they do not change while the app runs.
const eta = new Eta({ views: VIEWS_DIR, cache: true, autoEscape: true, autoTrim: [false, 'nl'] });

export interface RenderedMail {
  html: string;
  text: string;
}

export async function renderMail(name: string, lang: Language, data: Record<string, unknown>): Promise<RenderedMail> {
  const html = await eta.renderAsync(`/mail/${lang}/${name}`, { ...data, lang });
  return { html, text: htmlToText(html) };
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&nbsp;': ' ' };

/**
 * The plain-text part of a mail, from its HTML: block ends become line breaks, table cells are separated by tabs,
 * links keep their address after the text. Our templates are simple enough that this reads well.
 */
export function htmlToText(html: string): string {
  return html
    .replace(/<(style|head|title)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<a [^>]*href="([^"]+)"[^>]*>([\s\S]*?)<\/a>/gi, (_m, href: string, text: string) => {
      const label = text.replace(/<[^>]+>/g, '').trim();
      return label && label !== href ? `${label} (${href})` : href;
    })
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(td|th)>\s*/gi, '\t')
    .replace(/<li[^>]*>/gi, '- ')
    .replace(/<\/(p|div|h[1-6]|li|tr|table|ul|ol|section)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (m) => ENTITIES[m] ?? m)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/^[ \t]+/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
