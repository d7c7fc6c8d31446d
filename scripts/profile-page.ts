// npx tsx scripts/profile-page.ts <user> <url>   Average server time of one page in-process (no network) on the
// bench dataset (data/bench, made by npm run bench): for finding what a page costs before and after a change.
import { openDatabase } from '../src/db/index.ts';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createSession } from '../src/auth/session.ts';
const database = openDatabase('data/bench/guanxi.sqlite');
const db = database.db;
const app = await buildApp({ config: loadConfig({ NODE_ENV: 'production', DATA_DIR: 'data/bench' }), db, logger: false });
const user = process.argv[2] ?? 'rep1';
const url = process.argv[3] ?? '/customers';
const u = await db.selectFrom('users').select('id').where('username', '=', user).executeTakeFirstOrThrow();
const { token } = await createSession(db, u.id);
for (let i = 0; i < 50; i++) await app.inject({ url, headers: { cookie: `guanxi_session=${token}` } });
const t0 = performance.now();
const N = Number(process.env.N ?? 300);
for (let i = 0; i < N; i++) await app.inject({ url, headers: { cookie: `guanxi_session=${token}` } });
console.log(url, user, ((performance.now() - t0) / N).toFixed(2), 'ms/request');
await db.deleteFrom('sessions').where('user_id', '=', u.id).execute();
await app.close();
