import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Migration, MigrationProvider, MigrationResultSet } from 'kysely';
import { Migrator } from 'kysely';
import { MIGRATIONS_DIR } from '../paths.ts';
import type { Db } from './index.ts';

/** Loads migrations/NNNN_*.ts (or .js once compiled), in name order. */
class FolderMigrationProvider implements MigrationProvider {
  constructor(private readonly dir: string) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await fs.readdir(this.dir)).filter((f) => /^\d{4}_.+\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort();
    const out: Record<string, Migration> = {};
    for (const file of files) {
      const mod = (await import(pathToFileURL(path.join(this.dir, file)).href)) as Migration;
      out[file.replace(/\.(ts|js)$/, '')] = mod;
    }
    return out;
  }
}

export async function listMigrationNames(dir = MIGRATIONS_DIR): Promise<string[]> {
  return Object.keys(await new FolderMigrationProvider(dir).getMigrations());
}

export async function migrateToLatest(db: Db, dir = MIGRATIONS_DIR): Promise<MigrationResultSet> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator works on the untyped schema
  const migrator = new Migrator({ db: db as any, provider: new FolderMigrationProvider(dir) });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error instanceof Error ? result.error : new Error(String(result.error));
  return result;
}
