// npm run demo   Migrates and seeds data/demo/ (first run only), prints the logins and serves the app.
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/index.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { isSetUp } from '../src/auth/commands.ts';
import { start } from '../src/server.ts';
import { DEMO_LOGINS, DEMO_PASSWORD, seedDemo } from './seed/index.ts';
import { messages } from '../src/i18n/index.ts';

const dataDir = process.env.DATA_DIR ?? path.join('data', 'demo');
const config = loadConfig({ ...process.env, DATA_DIR: dataDir });
const database = openDatabase(config.databaseFile);
await migrateToLatest(database.db);
if (!(await isSetUp(database.db))) {
  console.log('Loading the demo company…');
  await seedDemo(database, 'small');
}
await database.close();

const roles = messages('zh-CN').roles;
console.log('\nDemo logins (password for all: %s)', DEMO_PASSWORD);
for (const l of DEMO_LOGINS) console.log(`  ${l.username.padEnd(9)} ${l.name}  ${roles[l.role]}${l.department ? ' · ' + l.department : ''}`);
process.env.DATA_DIR = dataDir;
await start({ dataDir, onListening: (url) => console.log(`\nGuanxi CRM is running at ${url.replace('127.0.0.1', 'localhost')}\n`) });
