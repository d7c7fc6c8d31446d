import type { Expression, SqlBool } from 'kysely';
import { sql } from 'kysely';

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
