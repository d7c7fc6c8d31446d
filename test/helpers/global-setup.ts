import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/index.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDb: string;
  }
}

/** Migrates one template database for the whole run; every test file starts from a copy of it. */
export default async function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guanxi-test-'));
  const database = openDatabase(':memory:');
  await migrateToLatest(database.db);
  const file = path.join(dir, 'template.sqlite');
  fs.writeFileSync(file, database.sqlite.serialize());
  await database.close();
  project.provide('templateDb', file);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
