// npx tsx scripts/profile-queries.ts <user> <url>   Every SQL statement one page runs on the bench dataset
// (data/bench), with its average time over N requests: for finding which query a page should stop running.
import Database from 'better-sqlite3';
import { benchApp } from './bench-app.ts';

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

const user = process.argv[2] ?? 'rep1';
const url = process.argv[3] ?? '/customers';
const bench = await benchApp(user, url);
for (let i = 0; i < 20; i++) await bench.get();
times.clear();
const N = Number(process.env.N ?? 100);
const t0 = performance.now();
for (let i = 0; i < N; i++) await bench.get();
const total = (performance.now() - t0) / N;
let sqlTotal = 0;
const rows = [...times].map(([source, t]) => ({ source, perRequest: t.ms / N, calls: t.n / N })).sort((a, b) => b.perRequest - a.perRequest);
for (const r of rows) {
  sqlTotal += r.perRequest;
  console.log(`${r.perRequest.toFixed(3).padStart(8)} ms  ×${r.calls.toFixed(1)}  ${r.source.replace(/\s+/g, ' ').slice(0, Number(process.env.SQLW ?? 260))}`);
}
console.log(`${url} ${user}: ${total.toFixed(2)} ms/request, of which SQL ${sqlTotal.toFixed(2)} ms`);
await bench.close();
