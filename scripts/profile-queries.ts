// npx tsx scripts/profile-queries.ts <user> <url>   Every SQL statement one page runs on the bench dataset
// (data/bench), with its average time over N requests: for finding which query a page should stop running.
import Database from 'better-sqlite3';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createSession } from '../src/auth/session.ts';
import { openDatabase } from '../src/db/index.ts';

const times = new Map<string, { n: number; ms: number }>();
const proto = (Database.prototype as unknown as { prepare: (sql: string) => Database.Statement });
const prepare = proto.prepare;
proto.prepare = function (this: Database.Database, source: string) {
  const stmt = prepare.call(this, source);
  for (const method of ['all', 'get', 'run'] as const) {
    const original = stmt[method].bind(stmt) as (...args: unknown[]) => unknown;
    (stmt as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      const t0 = performance.now();
      try {
        return original(...args);
      } finally {
        const t = times.get(source) ?? { n: 0, ms: 0 };
        t.n++;
        t.ms += performance.now() - t0;
        times.set(source, t);
      }
    };
  }
  return stmt;
};

const database = openDatabase('data/bench/guanxi.sqlite');
const db = database.db;
const app = await buildApp({ config: loadConfig({ NODE_ENV: 'production', DATA_DIR: 'data/bench' }), db, logger: false });
const user = process.argv[2] ?? 'rep1';
const url = process.argv[3] ?? '/customers';
const u = await db.selectFrom('users').select('id').where('username', '=', user).executeTakeFirstOrThrow();
const { token } = await createSession(db, u.id);
// Carry the CSRF cookie the first page sets, as a browser does (without it every page mints a new secret).
const first = await app.inject({ url, headers: { cookie: `guanxi_session=${token}` } });
const csrf = first.cookies.find((c) => c.name === 'guanxi_csrf');
const cookie = `guanxi_session=${token}${csrf ? `; guanxi_csrf=${csrf.value}` : ''}`;
for (let i = 0; i < 20; i++) await app.inject({ url, headers: { cookie } });
times.clear();
const N = Number(process.env.N ?? 100);
const t0 = performance.now();
for (let i = 0; i < N; i++) await app.inject({ url, headers: { cookie } });
const total = (performance.now() - t0) / N;
let sqlTotal = 0;
const rows = [...times].map(([source, t]) => ({ source, perRequest: t.ms / N, calls: t.n / N })).sort((a, b) => b.perRequest - a.perRequest);
for (const r of rows) {
  sqlTotal += r.perRequest;
  console.log(`${r.perRequest.toFixed(3).padStart(8)} ms  ×${r.calls.toFixed(1)}  ${r.source.replace(/\s+/g, ' ').slice(0, Number(process.env.SQLW ?? 260))}`);
}
console.log(`${url} ${user}: ${total.toFixed(2)} ms/request, of which SQL ${sqlTotal.toFixed(2)} ms`);
await db.deleteFrom('sessions').where('user_id', '=', u.id).execute();
await app.close();
