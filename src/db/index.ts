import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, SqliteQueryCompiler, ValueNode, sql, type LimitNode, type QueryCompiler } from 'kysely';
import type { DB } from './types.ts';

export type Db = Kysely<DB>;

export interface Database_ {
  db: Db;
  /** The raw handle, for the online backup API and health checks. Never used for app queries. */
  sqlite: Database.Database;
  close(): Promise<void>;
}

/** SQLite pragmas: WAL for concurrent readers, FULL sync so nothing committed is lost on power loss. */
export function applyPragmas(sqlite: Database.Database): void {
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
}

/**
 * Keeps the query planner's statistics current (SQLite's recommended `PRAGMA optimize`, sampling at most 1,000 rows
 * per index so it takes milliseconds on any size). Without statistics SQLite guesses that every index is equally
 * selective, and on the large dataset it read a rep's 1,700 contacts through the owner index to find a customer's
 * three. `initial` also looks at tables not yet used by this connection (at start-up). Not for test databases: their
 * query-plan tests pin the plans of the heuristics.
 */
export function optimizeDatabase(sqlite: Database.Database, opts: { initial?: boolean } = {}): void {
  sqlite.pragma('analysis_limit = 1000');
  sqlite.pragma(opts.initial ? 'optimize = 0x10002' : 'optimize');
}

/** optimizeDatabase through the app's own connection (the hourly housekeeping job has no raw handle). */
export async function refreshPlannerStatistics(db: Db): Promise<void> {
  await sql`pragma analysis_limit = 1000`.execute(db);
  await sql`pragma optimize`.execute(db);
}

/**
 * Kysely's SQLite driver prepares every query anew (~5% of a list page's CPU). The SQL text of a query builder is
 * stable, so statements are kept by their text, up to a bound. Statements are used one at a time (the driver holds a
 * mutex on the single connection), so reuse is safe.
 */
function cachingStatements(sqlite: Database.Database, max = 1000): Database.Database {
  const cache = new Map<string, Database.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  const proxy = Object.create(sqlite) as Database.Database;
  proxy.prepare = ((source: string) => {
    let stmt = cache.get(source);
    if (!stmt) {
      stmt = prepare(source);
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      cache.set(source, stmt);
    }
    return stmt;
  }) as Database.Database['prepare'];
  return proxy;
}

/**
 * SQLite (3.53, bundled with better-sqlite3 12: sqlite3ExprIsInteger) lets a bound LIMIT steer the query plan, so a
 * statement with `LIMIT ?` is compiled again every time its value is bound, and better-sqlite3 binds on every run: a
 * manager's board column was planned anew on each call (0.151 ms; 0.051 ms with the limit written out). Kysely binds
 * every limit; this compiler writes a whole-number limit into the SQL text (there are only a few: 12, 13, 50, 51…,
 * so the statement cache stays small). Offsets do not steer the plan and stay bound. Decision 0022.
 */
export function guanxiSqliteDialect(sqlite: Database.Database): SqliteDialect {
  return new GuanxiSqliteDialect({ database: sqlite });
}
class InlineLimitCompiler extends SqliteQueryCompiler {
  protected override visitLimit(node: LimitNode): void {
    const limit = node.limit;
    if (ValueNode.is(limit) && typeof limit.value === 'number' && Number.isSafeInteger(limit.value) && limit.value >= 0) {
      this.append(`limit ${limit.value}`);
      return;
    }
    super.visitLimit(node);
  }
}
class GuanxiSqliteDialect extends SqliteDialect {
  override createQueryCompiler(): QueryCompiler {
    return new InlineLimitCompiler();
  }
}

/** Opens a database file (created with its folder if missing), or wraps an existing better-sqlite3 handle (tests). */
export function openDatabase(fileOrHandle: string | Database.Database): Database_ {
  let sqlite: Database.Database;
  if (typeof fileOrHandle === 'string') {
    if (fileOrHandle !== ':memory:') fs.mkdirSync(path.dirname(fileOrHandle), { recursive: true });
    sqlite = new Database(fileOrHandle);
  } else {
    sqlite = fileOrHandle;
  }
  applyPragmas(sqlite);
  const db = new Kysely<DB>({ dialect: guanxiSqliteDialect(cachingStatements(sqlite)) });
  versions.set(db, versionReader(sqlite));
  return {
    db,
    sqlite,
    async close() {
      await db.destroy();
    },
  };
}

/**
 * The database a transaction's Kysely object belongs to. Each transaction gets a new Kysely object, so a cache keyed
 * by that object (company settings, stage medians) was empty in every transaction: writing a deal recomputed every
 * stage's median (~200 ms on the large dataset) while holding the write lock. Caches key by `rootOf(db)`.
 */
const roots = new WeakMap<Db, Db>();
export const rootOf = (db: Db): Db => roots.get(db) ?? db;

/**
 * Runs a read-then-write unit of work as one transaction that takes the write lock up front
 * (BEGIN IMMEDIATE on SQLite), so two processes never both read and then fail to upgrade.
 * On PostgreSQL the counterpart is a plain transaction with SELECT … FOR UPDATE.
 */
export async function writeTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    roots.set(conn, rootOf(db));
    await sql`begin immediate`.execute(conn);
    try {
      const result = await fn(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (err) {
      await sql`rollback`.execute(conn);
      throw err;
    }
  });
}

/**
 * A stamp that changes whenever the database's rows may have changed: rows written through this process's connection
 * (SQLite's total_changes(), counted as each statement completes, committed or not, triggers included) or a commit by
 * any other connection or process (PRAGMA data_version). Equal stamps mean no row has changed in between, so a value
 * computed from the database after reading the stamp is still exact: a cache keyed by it is never stale. Read the
 * stamp before the queries it guards. About 7 µs (data_version reads the WAL header); total_changes alone is 0.1 µs.
 * Null (do not cache) while a transaction is open on the connection: what is read inside one may yet be rolled back,
 * which leaves total_changes where it was. Null also when the database was not opened by openDatabase.
 * Limit: a statement left open mid-iteration (better-sqlite3 iterate(), Kysely stream()) holds a read snapshot in
 * which data_version cannot see other processes' commits; the app never streams from this connection (eslint forbids
 * it in src).
 * On PostgreSQL the counterpart is a LISTEN/NOTIFY generation or pg_stat_database's xact_commit.
 */
export function dataVersion(db: Db): string | null {
  return versions.get(rootOf(db))?.() ?? null;
}
const versions = new WeakMap<Db, () => string | null>();
function versionReader(sqlite: Database.Database): () => string | null {
  const changes = sqlite.prepare('select total_changes()').pluck();
  const external = sqlite.prepare('pragma data_version').pluck();
  return () => (sqlite.inTransaction ? null : `${String(changes.get())}:${String(external.get())}`);
}

export async function pingDatabase(db: Db): Promise<boolean> {
  const row = await sql<{ ok: number }>`select 1 as ok`.execute(db);
  return row.rows[0]?.ok === 1;
}

export const nowIso = (): string => new Date().toISOString();
