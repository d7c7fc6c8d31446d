import type { Generated } from 'kysely';
import type { Db } from '../../db/index.ts';
import { nowIso } from '../../db/index.ts';
import type { Viewer } from '../../access/index.ts';
import type { ParsedSheet } from '../../lib/spreadsheet.ts';
import type { ImportEntity, Mapping } from './fields.ts';

/** migrations/0004_import_batches.ts — typed here until src/db/types.ts lists it. */
export interface ImportBatchTable {
  id: Generated<number>;
  user_id: number;
  entity: string;
  filename: string;
  content: Buffer;
  sheet: string;
  mapping: string;
  created_at: string;
}

export const batchDb = (db: Db) => db.withTables<{ import_batches: ImportBatchTable }>();

/** A file waiting in the wizard, with its parsed cells. */
export interface ImportBatch {
  id: number;
  entity: ImportEntity;
  filename: string;
  sheet: ParsedSheet;
  mapping: Mapping;
  createdAt: string;
}

/** How long an unfinished upload is kept. */
export const BATCH_TTL_MS = 24 * 60 * 60 * 1000;

/** Drops uploads older than 24 hours (anyone's): called whenever a new file comes in. */
export async function deleteExpiredBatches(db: Db, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - BATCH_TTL_MS).toISOString();
  const res = await batchDb(db).deleteFrom('import_batches').where('created_at', '<', cutoff).executeTakeFirst();
  return Number(res.numDeletedRows);
}

export async function createBatch(
  db: Db,
  viewer: Viewer,
  input: { entity: ImportEntity; filename: string; content: Buffer; sheet: ParsedSheet; mapping: Mapping },
): Promise<number> {
  const row = await batchDb(db)
    .insertInto('import_batches')
    .values({
      user_id: viewer.id,
      entity: input.entity,
      filename: input.filename,
      content: input.content,
      sheet: JSON.stringify(input.sheet),
      mapping: JSON.stringify(input.mapping),
      created_at: nowIso(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * The viewer's own batch for this entity, or undefined (→ 404): an upload is private to whoever sent it,
 * and expired ones are gone even before the clean-up deletes them.
 */
export async function findBatch(db: Db, viewer: Viewer, entity: ImportEntity, id: number, now = new Date()): Promise<ImportBatch | undefined> {
  const cutoff = new Date(now.getTime() - BATCH_TTL_MS).toISOString();
  const row = await batchDb(db)
    .selectFrom('import_batches')
    .select(['id', 'entity', 'filename', 'sheet', 'mapping', 'created_at'])
    .where('id', '=', id)
    .where('user_id', '=', viewer.id)
    .where('entity', '=', entity)
    .where('created_at', '>=', cutoff)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    entity,
    filename: row.filename,
    sheet: JSON.parse(row.sheet) as ParsedSheet,
    mapping: JSON.parse(row.mapping) as Mapping,
    createdAt: row.created_at,
  };
}

export async function saveMapping(db: Db, viewer: Viewer, id: number, mapping: Mapping): Promise<void> {
  await batchDb(db).updateTable('import_batches').set({ mapping: JSON.stringify(mapping) }).where('id', '=', id).where('user_id', '=', viewer.id).execute();
}

/** Removes the batch; returns false when it was already gone (a second click on 导入). */
export async function deleteBatch(db: Db, viewer: Viewer, id: number): Promise<boolean> {
  const res = await batchDb(db).deleteFrom('import_batches').where('id', '=', id).where('user_id', '=', viewer.id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}
