// npm run backup [-- target-file]   A consistent copy of DATA_DIR's database with SQLite's online backup API,
// while the app keeps running. Default target: DATA_DIR/backups/guanxi-YYYYMMDD-HHMMSS.sqlite
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../src/config.ts';

const config = loadConfig();
if (!fs.existsSync(config.databaseFile)) {
  console.error(`no database at ${config.databaseFile}`);
  process.exit(1);
}
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
const target = path.resolve(process.argv[2] ?? path.join(config.dataDir, 'backups', `guanxi-${stamp}.sqlite`));
fs.mkdirSync(path.dirname(target), { recursive: true });
const source = new Database(config.databaseFile, { fileMustExist: true });
source.pragma('busy_timeout = 5000');
const t0 = Date.now();
await source.backup(target);
source.close();
const check = new Database(target, { readonly: true });
const ok = check.pragma('integrity_check', { simple: true });
check.close();
console.log(`backed up ${config.databaseFile} → ${target} (${(fs.statSync(target).size / 1e6).toFixed(1)} MB, ${Date.now() - t0} ms, integrity: ${String(ok)})`);
