import { sql } from 'kysely';
import type { Db } from '../../db/index.ts';

export const DEFAULT_NUMBER_PATTERN = 'BJ-{YYYY}-{####}';

/**
 * A quote number from the company's pattern: {YYYY} year, {YY} two-digit year, {MM} month, {###…} the year's
 * sequence padded to as many digits as there are #. BJ-{YYYY}-{####} → BJ-2026-0001.
 */
export function formatQuoteNumber(pattern: string, date: string, seq: number): string {
  return pattern
    .replace(/\{YYYY\}/g, date.slice(0, 4))
    .replace(/\{YY\}/g, date.slice(2, 4))
    .replace(/\{MM\}/g, date.slice(5, 7))
    .replace(/\{(#{1,8})\}/g, (_m, hashes: string) => String(seq).padStart(hashes.length, '0'));
}

/**
 * Takes the next number of the quote date's year. The counter row is bumped with one upsert inside the caller's
 * write transaction (BEGIN IMMEDIATE), so two quotes never get the same number, and a rolled-back quote gives its
 * number back: the year's sequence has no gaps (quotes are never deleted). Same SQL on PostgreSQL.
 */
export async function nextQuoteNumber(trx: Db, pattern: string, quoteDate: string): Promise<string> {
  const year = Number(quoteDate.slice(0, 4));
  const row = await sql<{ last: number }>`insert into quote_counters (year, last) values (${year}, 1)
    on conflict (year) do update set last = quote_counters.last + 1 returning last`.execute(trx);
  const seq = row.rows[0]?.last;
  if (!seq) throw new Error('quote counter did not return a value');
  return formatQuoteNumber(pattern, quoteDate, seq);
}
