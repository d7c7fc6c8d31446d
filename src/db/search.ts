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
