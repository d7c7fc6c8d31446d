import type { Expression, Kysely, SqlBool } from 'kysely';
import type { DB } from './types.ts';
import { sql } from 'kysely';

/**
 * A row limit written into raw SQL as a number, not bound (a bound LIMIT recompiles the statement: decision 0022).
 * A bound LIKE pattern does the same in SQLite 3.53 (the LIKE optimisation reads it), so the LIKE scans here are still
 * planned on every run: ~0.02 ms a statement, measured, and user input stays out of the SQL text.
 */
function limitLiteral(n: number) {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`bad limit: ${n}`);
  return sql.lit(n);
}

/** Escapes LIKE wildcards so user input matches literally. */
export function likeContains(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * "Any of these columns contains q" — a substring match that also works for one- and two-character
 * Chinese terms. SQLite's LIKE ignores ASCII case; the PostgreSQL counterpart is ILIKE.
 */
export function anyColumnContains(columns: string[], q: string): Expression<SqlBool> {
  const pattern = likeContains(q);
  const parts = columns.map((c) => sql<SqlBool>`${sql.ref(c)} like ${pattern} escape '\\'`);
  return sql<SqlBool>`(${sql.join(parts, sql` or `)})`;
}

/** The tables with a trigram full-text index (migrations/0002): `${table}_fts`, rowid = the row's id. */
export type SearchableTable = 'customers' | 'contacts' | 'leads';

/**
 * Substring search that works for Chinese at every length. Terms of 3+ characters use the FTS5 trigram index
 * (a phrase of trigrams = a contiguous substring); 1–2 character terms (华为, 张) cannot be trigram-matched and
 * scan with LIKE over `likeColumns`. The PostgreSQL counterpart is pg_trgm with ILIKE.
 */
export function textSearch(table: SearchableTable, alias: string, q: string, likeColumns: string[]): Expression<SqlBool> {
  const term = q.trim();
  if ([...term].length >= 3) {
    const phrase = `"${term.replace(/"/g, '""')}"`;
    return sql<SqlBool>`${sql.ref(`${alias}.id`)} in (select rowid from ${sql.table(`${table}_fts`)} where ${sql.table(`${table}_fts`)} match ${phrase})`;
  }
  return anyColumnContains(likeColumns.map((c) => `${alias}.${c}`), term);
}

/**
 * The sort key of a paged list as ORDER BY sees it. A short (LIKE) search by someone who sees many rows may match
 * only a few: walking the sort index to find 50 of them read 300,000 rows (~1 s); as an expression the key makes
 * SQLite scan once and sort the few matches (~30 ms). `broad`: the viewer sees many rows (managers and above).
 */
export function listSortKey(column: string, q: string | undefined, broad: boolean) {
  const shortSearch = Boolean(q) && [...(q ?? '').trim()].length < 3;
  return shortSearch && broad ? sql<string>`coalesce(${sql.ref(column)}, '')` : sql<string>`${sql.ref(column)}`;
}

/**
 * Ids of the rows whose `column` contains `q` (LIKE), at most `limit`, read from that column's own index: an index
 * holding only the column and the rowid is a fraction of the table, so scanning it is several times cheaper (100k
 * names: ~6 ms against ~25 ms for the table). With statistics SQLite prefers the table for a LIKE scan, so the
 * index is named (`INDEXED BY`, SQLite's syntax; on PostgreSQL a pg_trgm index serves the same ILIKE).
 * `index` must be an index whose first column is `column`.
 */
export async function idsWhereColumnContains(
  db: Kysely<DB>,
  table: SearchableTable,
  column: string,
  index: string,
  q: string,
  limit: number,
): Promise<number[]> {
  const rows = await sql<{ id: number }>`select id from ${sql.table(table)} indexed by ${sql.id(index)} where ${sql.ref(column)} like ${likeContains(q)} escape '\\' limit ${limitLiteral(limit)}`.execute(db);
  return rows.rows.map((r) => r.id);
}

/**
 * For a one- or two-character term with a non-ASCII (Chinese) character: the ids of the rows of `table` that hold it
 * in a column Chinese text is searched in (customers: name, short name; contacts: name, organisation; leads: company,
 * person), read from `${table}_grams` (migrations/0024: every two-character substring and the last character of those
 * values). Two characters are one key, one character a key range. null when the term is not such a term, or matches
 * more than `cap` rows (a common term: see searchCondition). On PostgreSQL the same table would serve (pg_trgm needs
 * three characters; pg_bigm is the extension made for this).
 */
export async function shortTermIds(db: Kysely<DB>, table: SearchableTable, q: string, cap = 2000): Promise<number[] | null> {
  if (!isShortChineseTerm(q)) return null;
  const rows = await sql<{ id: number }>`select distinct id from ${sql.table(`${table}_grams`)} where ${gramMatch(q)} limit ${limitLiteral(cap + 1)}`.execute(db);
  return rows.rows.length > cap ? null : rows.rows.map((r) => r.id);
}

/** The grams holding a short term: its key, or for one character every gram that starts with it. */
function gramMatch(q: string): Expression<SqlBool> {
  const term = q.trim();
  // The grams hold lower(value): SQLite's lower() folds ASCII letters only.
  const key = term.replace(/[A-Z]/g, (c) => c.toLowerCase());
  // Under BINARY collation UTF-8 sorts by code point, so key + U+10FFFF bounds every gram that starts with key.
  return [...term].length === 2 ? sql<SqlBool>`gram = ${key}` : sql<SqlBool>`gram >= ${key} and gram <= ${`${key}\u{10FFFF}`}`;
}

/** Whether a text has a character outside ASCII: a Chinese term, searched only in the columns that hold Chinese. */
export function hasNonAscii(q: string): boolean {
  // eslint-disable-next-line no-control-regex -- "a character outside ASCII"
  return /[^\x00-\x7f]/.test(q);
}

/** A search term of one or two characters with a non-ASCII (Chinese) one: what the gram index answers. */
export function isShortChineseTerm(q: string): boolean {
  const n = [...q.trim()].length;
  return n >= 1 && n <= 2 && hasNonAscii(q);
}

/**
 * The search condition of a list or the top bar. A short Chinese term held by at most 2,000 rows: those rows' ids
 * (shortTermIds), drawn by primary key. Held by more (a common term such as 深圳 or 有限): where LIKE while walking
 * the list is cheap (`commonByLike`: the viewer sees every record, so matches are dense and a page is found at once;
 * or only their own few hundred rows), textSearch's LIKE; for a manager that walk reads every row of the team, so the
 * gram index is asked again without a cap (a manager's 深圳 in the top bar: ~1 s by LIKE, ~1 ms this way).
 * Anything else: textSearch.
 */
export async function searchCondition(
  db: Kysely<DB>,
  table: SearchableTable,
  alias: string,
  q: string,
  likeColumns: string[],
  opts: { commonByLike: boolean; cap?: number },
): Promise<Expression<SqlBool>> {
  const ids = await shortTermIds(db, table, q, opts.cap);
  if (ids !== null) return idsCondition(alias, ids);
  if (!isShortChineseTerm(q) || opts.commonByLike) return textSearch(table, alias, q, likeColumns);
  return sql<SqlBool>`${sql.ref(`${alias}.id`)} in (select id from ${sql.table(`${table}_grams`)} where ${gramMatch(q)})`;
}

/** `alias.id in (ids)`; false for no ids. */
export function idsCondition(alias: string, ids: readonly number[]): Expression<SqlBool> {
  if (ids.length === 0) return sql<SqlBool>`1 = 0`;
  return sql<SqlBool>`${sql.ref(`${alias}.id`)} in (${sql.join(ids.map((id) => sql`${id}`))})`;
}
