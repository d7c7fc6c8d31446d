import { loadConfig } from './config.ts';
import { openDatabase } from './db/index.ts';
import { migrateToLatest } from './db/migrate.ts';
import { buildApp } from './app.ts';

/** Process entry: config → database → migrations → app → listen; SIGTERM drains requests and closes the database. */
export async function start(opts: { dataDir?: string; onListening?: (url: string) => void } = {}): Promise<void> {
  const config = loadConfig(process.env, { dataDir: opts.dataDir });
  const database = openDatabase(config.databaseFile);
  await migrateToLatest(database.db);
  const app = await buildApp({ config, db: database.db });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: draining requests');
    try {
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
