import type { Db } from '../../db/index.ts';
import { nowIso, writeTransaction } from '../../db/index.ts';
import { audit, diff, type AuditContext } from '../../audit/index.ts';
import type { ProductInput } from './schemas.ts';

export type ProductSaveResult = { ok: true; id: number } | { ok: false; error: 'notFound' | 'codeTaken' };

const valuesOf = (p: ProductInput) => ({
  code: p.code,
  name: p.name,
  spec: p.spec,
  unit: p.unit,
  category: p.category,
  list_price_fen: p.list_price,
  floor_price_fen: p.floor_price,
  tax_rate_bp: p.tax_rate,
  active: p.active,
  description: p.description,
});

/** Inserts or updates one product inside the caller's transaction (the form and the import share it). */
export async function saveProductIn(trx: Db, ctx: AuditContext, id: number | null, input: ProductInput): Promise<ProductSaveResult> {
  const values = valuesOf(input);
  const sameCode = await trx.selectFrom('products').select('id').where('code', '=', input.code).executeTakeFirst();
  if (sameCode && sameCode.id !== id) return { ok: false, error: 'codeTaken' };
  const now = nowIso();
  if (id === null) {
    const row = await trx.insertInto('products').values({ ...values, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
    await audit(trx, ctx, { action: 'create', entity: 'product', entityId: row.id, summary: `${input.code} ${input.name}`, changes: diff(null, values) });
    return { ok: true, id: row.id };
  }
  const before = await trx.selectFrom('products').select(['code', 'name', 'spec', 'unit', 'category', 'list_price_fen', 'floor_price_fen', 'tax_rate_bp', 'active', 'description']).where('id', '=', id).executeTakeFirst();
  if (!before) return { ok: false, error: 'notFound' };
  const changes = diff(before, values);
  if (Object.keys(changes).length === 0) return { ok: true, id };
  await trx.updateTable('products').set({ ...values, updated_at: now }).where('id', '=', id).execute();
  await audit(trx, ctx, { action: 'update', entity: 'product', entityId: id, summary: `${input.code} ${input.name}`, changes });
  return { ok: true, id };
}

/** Bulk 启用/停用 of the checked products, one audit entry per product that changed. Returns how many changed. */
export async function setProductsActive(db: Db, ctx: AuditContext, ids: number[], active: 0 | 1): Promise<number> {
  if (ids.length === 0) return 0;
  return writeTransaction(db, async (trx) => {
    const rows = await trx.selectFrom('products').select(['id', 'code', 'name', 'active']).where('id', 'in', ids).where('active', '!=', active).execute();
    if (rows.length === 0) return 0;
    await trx.updateTable('products').set({ active, updated_at: nowIso() }).where('id', 'in', rows.map((r) => r.id)).execute();
    for (const r of rows) await audit(trx, ctx, { action: 'update', entity: 'product', entityId: r.id, summary: `${r.code} ${r.name}`, changes: { active: [r.active, active] } });
    return rows.length;
  });
}

export async function saveProduct(db: Db, ctx: AuditContext, id: number | null, input: ProductInput): Promise<ProductSaveResult> {
  return writeTransaction(db, (trx) => saveProductIn(trx, ctx, id, input));
}
