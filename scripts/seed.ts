// npm run seed -- [--scale small|large]   Loads the demo company into DATA_DIR's database if it is empty.
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { isSetUp } from '../src/auth/commands.ts';
import { seedDemo, type Scale } from './seed/index.ts';

const i = process.argv.indexOf('--scale');
const scale = (i > 0 ? process.argv[i + 1] : 'small') as Scale;
if (scale !== 'small' && scale !== 'large') throw new Error('--scale takes small or large');
const config = loadConfig();
const database = openDatabase(config.databaseFile);
await migrateToLatest(database.db);
if (await isSetUp(database.db)) {
  console.log(`${config.databaseFile} already holds a company; nothing seeded.`);
} else {
  const t0 = Date.now();
  await seedDemo(database, scale);
  console.log(`seeded the demo company (${scale}) into ${config.databaseFile} in ${Date.now() - t0} ms`);
}
await database.close();
