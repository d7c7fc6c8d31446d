import type Database from 'better-sqlite3';
import { Kysely, type CompiledQuery } from 'kysely';
import { guanxiSqliteDialect } from '../../src/db/index.ts';
import type { DB } from '../../src/db/types.ts';

/** The plan SQLite picks for one statement: the EXPLAIN QUERY PLAN details, one line each. */
export function planOf(sqlite: Database.Database, query: string | Pick<CompiledQuery, 'sql' | 'parameters'>, ...params: unknown[]): string {
  const [text, values] = typeof query === 'string' ? [query, params] : [query.sql, query.parameters as unknown[]];
  return (sqlite.prepare(`explain query plan ${text}`).all(...values) as { detail: string }[]).map((r) => r.detail).join('\n');
}

/**
 * Every statement `run` makes through a logging Kysely on the same SQLite handle, with the plan SQLite picks for it:
 * for proving a query reads the index it was written for.
 */
export async function queryPlans(sqlite: Database.Database, run: (db: Kysely<DB>) => Promise<unknown>): Promise<{ sql: string; plan: string }[]> {
  const seen: CompiledQuery[] = [];
  // The app's dialect, so the SQL planned here is the SQL the app sends (limits written out: decision 0022).
  const db = new Kysely<DB>({ dialect: guanxiSqliteDialect(sqlite), log: (e) => void (e.level === 'query' && seen.push(e.query)) });
  await run(db);
  return seen.map((q) => ({ sql: q.sql, plan: planOf(sqlite, q) }));
}
