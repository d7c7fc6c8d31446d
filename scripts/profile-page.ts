// npx tsx scripts/profile-page.ts <user> <url>   Average server time (wall and CPU) of one page in-process (no network) on the
// bench dataset (data/bench, made by npm run bench): for finding what a page costs before and after a change.
import fs from 'node:fs';
import { Session } from 'node:inspector';
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
// Carry the CSRF cookie the first page sets, as a browser does (without it every page mints a new secret).
const first = await app.inject({ url, headers: { cookie: `guanxi_session=${token}` } });
const csrf = first.cookies.find((c) => c.name === 'guanxi_csrf');
const cookie = `guanxi_session=${token}${csrf ? `; guanxi_csrf=${csrf.value}` : ''}`;
for (let i = 0; i < 50; i++) await app.inject({ url, headers: { cookie } });
// PROFILE=file.cpuprofile records a CPU profile of the timed loop only (after warm-up), for Chrome DevTools.
const profileFile = process.env.PROFILE;
const inspector = profileFile ? new Session() : null;
const post = (method: string, params?: object) =>
  new Promise<unknown>((resolve, reject) => inspector!.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
if (inspector) {
  inspector.connect();
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
}
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const N = Number(process.env.N ?? 300);
for (let i = 0; i < N; i++) await app.inject({ url, headers: { cookie } });
// CPU time is steadier than wall time when the machine is busy with something else.
const cpu = process.cpuUsage(cpu0);
console.log(url, user, ((performance.now() - t0) / N).toFixed(2), 'ms/request wall,', ((cpu.user + cpu.system) / 1000 / N).toFixed(2), 'ms CPU');
if (inspector && profileFile) {
  const { profile } = (await post('Profiler.stop')) as { profile: object };
  fs.writeFileSync(profileFile, JSON.stringify(profile));
  inspector.disconnect();
}
await db.deleteFrom('sessions').where('user_id', '=', u.id).execute();
await app.close();
