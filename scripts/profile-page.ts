// npx tsx scripts/profile-page.ts <user> <url>   Average server time (wall and CPU) of one page in-process (no network) on the
// bench dataset (data/bench, made by npm run bench): for finding what a page costs before and after a change.
import fs from 'node:fs';
import { Session } from 'node:inspector';
import { benchApp } from './bench-app.ts';
const user = process.argv[2] ?? 'rep1';
const url = process.argv[3] ?? '/customers';
const bench = await benchApp(user, url);
for (let i = 0; i < 50; i++) await bench.get();
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
for (let i = 0; i < N; i++) await bench.get();
// CPU time is steadier than wall time when the machine is busy with something else.
const cpu = process.cpuUsage(cpu0);
console.log(url, user, ((performance.now() - t0) / N).toFixed(2), 'ms/request wall,', ((cpu.user + cpu.system) / 1000 / N).toFixed(2), 'ms CPU');
if (inspector && profileFile) {
  const { profile } = (await post('Profiler.stop')) as { profile: object };
  fs.writeFileSync(profileFile, JSON.stringify(profile));
  inspector.disconnect();
}
await bench.close();
