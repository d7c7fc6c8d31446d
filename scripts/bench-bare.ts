// The benchmark's reference point: a bare Fastify server (no plugins, no logger) with one JSON route.
// Started by scripts/bench.ts as its own process:  PORT=<port> HOST=127.0.0.1 node --import tsx scripts/bench-bare.ts
import Fastify from 'fastify';

const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bench-bare: bad PORT ${String(process.env.PORT)}`);

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
app.get('/healthz', async () => ({ status: 'ok' }));

let closing = false;
const shutdown = () => {
  if (closing) return;
  closing = true;
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);

const address = await app.listen({ port, host });
console.log(`bench-bare listening at ${address}`);
