import { loadConfig } from './config.ts';
import { openDatabase, optimizeDatabase } from './db/index.ts';
import { migrateToLatest } from './db/migrate.ts';
import { buildApp } from './app.ts';
import { pruneLoginFailures } from './auth/commands.ts';
import { deleteExpiredSessions } from './auth/session.ts';
import { startPoolJob } from './features/customers/pool.ts';

/** Process entry: config → database → migrations → app → listen; SIGTERM drains requests and closes the database. */
export async function start(opts: { dataDir?: string; onListening?: (url: string) => void } = {}): Promise<void> {
  const config = loadConfig(process.env, { dataDir: opts.dataDir });
  const database = openDatabase(config.databaseFile);
  optimizeDatabase(database.sqlite, { initial: true });
  await migrateToLatest(database.db);
  const app = await buildApp({ config, db: database.db });

  // Housekeeping until the job runner exists: expired sessions and stale sign-in failures, at start and hourly.
  const housekeeping = async () => {
    try {
      const sessions = await deleteExpiredSessions(database.db);
      await pruneLoginFailures(database.db);
      if (sessions > 0) app.log.info({ sessions }, 'removed expired sessions');
    } catch (err) {
      app.log.error({ err }, 'housekeeping failed');
    }
  };
  await housekeeping();
  const timer = setInterval(() => void housekeeping(), 60 * 60 * 1000);
  timer.unref();
  // The public pool's nightly return of idle customers (until the job runner with leases arrives).
  const poolTask = await startPoolJob(database.db, app.log);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: draining requests');
    clearInterval(timer);
    try {
      await poolTask.stop();
      await app.close();
      await database.close();
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  const address = await app.listen({ port: config.port, host: config.host });
  opts.onListening?.(address);
}

const isMain = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('src/server.ts');
if (isMain) {
  start().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
