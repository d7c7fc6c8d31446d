import { loadConfig } from './config.ts';
import { openDatabase, optimizeDatabase } from './db/index.ts';
import { migrateToLatest } from './db/migrate.ts';
import { buildApp } from './app.ts';
import { refreshAllOpenRisk } from './features/alerts/queries.ts';
import { JobRunner } from './jobs/runner.ts';
import { jobRegistry } from './jobs/registry.ts';

/** Process entry: config → database → migrations → app → listen; SIGTERM drains requests and closes the database. */
export async function start(opts: { dataDir?: string; onListening?: (url: string) => void } = {}): Promise<void> {
  const config = loadConfig(process.env, { dataDir: opts.dataDir });
  const database = openDatabase(config.databaseFile);
  await migrateToLatest(database.db);
  optimizeDatabase(database.sqlite, { initial: true });
  const app = await buildApp({ config, db: database.db });

  // Scheduled jobs (src/jobs/registry.ts): node-cron in the company's time zone, each due time claimed once in the
  // database so several processes may run them. JOBS=off leaves this process web-only.
  const jobs = new JobRunner({ db: database.db, config, jobs: jobRegistry(), log: app.log });
  if (config.jobs) await jobs.start();
  // Deals never given a stored risk (written before migration 0020): fill them in the background, a batch at a time.
  void refreshAllOpenRisk(database.db, { onlyMissing: true }).catch((err: unknown) => app.log.error({ err }, 'filling the deals’ stored risk failed'));

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: draining requests');
    try {
      // Running jobs finish their current item first: nothing half-written, then the database closes.
      await jobs.stop();
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
