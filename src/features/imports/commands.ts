import type { Db } from '../../db/index.ts';
import { writeTransaction } from '../../db/index.ts';
import type { Viewer } from '../../access/index.ts';
import { audit, type AuditContext } from '../../audit/index.ts';
import type { Messages } from '../../i18n/index.ts';
import { deleteBatch, findBatch } from './batches.ts';
import type { ImportEntity } from './fields.ts';
import { planImport, type ImportAdapter } from './plan.ts';

export type DuplicateAction = 'skip' | 'update';

export interface ImportResult {
  created: number;
  updated: number;
  skipped: number;
  invalid: number;
}

/**
 * Imports a batch in ONE transaction: the plan is made again inside it (records may have changed since the
 * preview), new rows go through the owner's insert command, duplicates are updated or skipped, rows with errors
 * are left out, and the upload is deleted. Any failure rolls everything back: nothing is imported.
 * Returns null when the batch is gone (imported already, expired, or someone else's).
 */
export async function runImport<T>(
  db: Db,
  viewer: Viewer,
  ctx: AuditContext,
  adapter: ImportAdapter<T>,
  entity: ImportEntity,
  batchId: number,
  opts: { duplicates: DuplicateAction; ownerId: number },
  t: Messages,
): Promise<ImportResult | null> {
  return writeTransaction(db, async (trx) => {
    const batch = await findBatch(trx, viewer, entity, batchId);
    if (!batch) return null;
    const plan = await planImport(trx, viewer, adapter, batch.sheet, batch.mapping, t);
    const result: ImportResult = { created: 0, updated: 0, skipped: 0, invalid: plan.counts.invalid };
    for (const row of plan.rows) {
      if (row.status === 'new') {
        await adapter.insert(trx, ctx, viewer, row.data as T, opts.ownerId);
        result.created += 1;
      } else if (row.status === 'duplicate') {
        if (opts.duplicates === 'update' && row.existing && row.updateData !== undefined) {
          await adapter.update(trx, ctx, viewer, row.existing.id, row.updateData);
          result.updated += 1;
        } else {
          result.skipped += 1;
        }
      }
    }
    await deleteBatch(trx, viewer, batchId);
    // Each record has its own entry from its insert/update; this one says where they came from.
    await audit(trx, ctx, {
      action: 'create',
      entity: 'import',
      entityId: batchId,
      summary: `${entity}: ${batch.filename}`,
      changes: { created: [null, result.created], updated: [null, result.updated], skipped: [null, result.skipped], invalid: [null, result.invalid], owner_id: [null, opts.ownerId] },
    });
    return result;
  });
}
