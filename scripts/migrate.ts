// npm run migrate   Brings DATA_DIR's database to the latest schema.
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrate.ts';

const config = loadConfig();
const database = openDatabase(config.databaseFile);
const result = await migrateToLatest(database.db);
const applied = result.results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? [];
console.log(applied.length ? `applied: ${applied.join(', ')}` : `${config.databaseFile} is up to date`);
await database.close();
