// npx tsx scripts/bench-minimal.ts   The calibration page of issue 3 ("one indexed query and a 50-row Eta table, no
// session"), measured against the bare route in the same process set-up as the bench: bare Fastify with
// @fastify/view + Eta + Kysely over the bench dataset (data/bench, made by npm run bench), no app plugins. Prints both
// throughputs and the share, to check what share of the bare route a minimal page reaches on this machine.
import { spawn } from 'node:child_process';
import Fastify from 'fastify';
import view from '@fastify/view';
import autocannon from 'autocannon';
import { Eta } from 'eta';
import { openDatabase } from '../src/db/index.ts';

const TEMPLATE = `<!doctype html><html><head><meta charset="utf-8"><title>min</title></head><body><table>
<% for (const r of it.rows) { %><tr><td><a href="/customers/<%= r.id %>"><%= r.name %></a></td><td><%= r.industry %></td><td><%= r.province %> <%= r.city %></td><td><%= r.phone %></td><td><%= r.updated_at %></td></tr>
<% } %></table></body></html>`;

if (process.env.BENCH_MINIMAL_CHILD) {
  const { db } = openDatabase('data/bench/guanxi.sqlite');
  const owner = await db.selectFrom('users').select('id').where('username', '=', 'rep1').executeTakeFirstOrThrow();
  const app = Fastify({ logger: false });
  const eta = new Eta({ cache: true, autoEscape: true });
  eta.loadTemplate('@min', TEMPLATE);
  await app.register(view, { engine: { eta }, production: true });
  app.get('/', async () => ({ hello: 'world' }));
  app.get('/min', async (_req, reply) => {
    const rows = await db.selectFrom('customers').select(['id', 'name', 'industry', 'province', 'city', 'phone', 'updated_at']).where('owner_id', '=', owner.id).orderBy('updated_at', 'desc').limit(50).execute();
    return reply.type('text/html').send(eta.render('@min', { rows }));
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  console.log(`listening ${address}`);
} else {
  const child = spawn(process.execPath, ['--max-semi-space-size=32', '--import', 'tsx', new URL(import.meta.url).pathname], { env: { ...process.env, BENCH_MINIMAL_CHILD: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) => child.stdout.on('data', (b: Buffer) => /listening (\S+)/.test(String(b)) && resolve(/listening (\S+)/.exec(String(b))![1]!)));
  const run = async (path: string) => {
    await autocannon({ url: url + path, connections: 10, duration: 2 });
    return (await autocannon({ url: url + path, connections: 10, duration: 10 })).requests.average;
  };
  const bare = await run('/');
  const min = await run('/min');
  console.log(`bare ${Math.round(bare)} req/s · minimal page ${Math.round(min)} req/s · ${((min / bare) * 100).toFixed(1)}% of bare`);
  child.kill();
}
