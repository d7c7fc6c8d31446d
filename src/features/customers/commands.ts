import type { Db } from '../../db/index.ts';
import { nowIso, writeTransaction } from '../../db/index.ts';
import { forget } from '../../db/cache.ts';
import { audit, diff, type AuditContext } from '../../audit/index.ts';
import { canAssign, scope, type Viewer } from '../../access/index.ts';
import { messages } from '../../i18n/index.ts';
import type { CustomerInput } from './schemas.ts';
import { assignableOwner, heldCount, poolSettings } from './queries.ts';

// Owner moves are summarised in the audit log in the company's working language (the log is a record, not UI).
const MOVES = messages('zh-CN').customers.moves;

const FIELDS = ['name', 'short_name', 'type', 'credit_code', 'industry', 'province', 'city', 'address', 'postal_code', 'phone', 'website', 'size', 'source', 'grade', 'lifecycle', 'notes'] as const;

function recordValues(input: CustomerInput) {
  const out: Record<(typeof FIELDS)[number], string | null> = {} as never;
  for (const f of FIELDS) out[f] = input[f];
  return out as {
    [K in (typeof FIELDS)[number]]: K extends 'credit_code' ? string | null : string;
  };
}

/** Managers and above may assign and reclaim (within their scope); reps only claim. */
export { canAssign } from '../../access/index.ts';

/**
 * Inserts a customer with its tags and the audit entry, inside the caller's transaction (lead conversion and
 * import call this too). `ownerId` null puts it straight into the public pool.
 */
export async function insertCustomer(trx: Db, ctx: AuditContext, input: CustomerInput, ownerId: number | null): Promise<number> {
  const now = nowIso();
  const values = recordValues(input);
  const { id } = await trx
    .insertInto('customers')
    .values({ ...values, owner_id: ownerId, pooled_at: ownerId === null ? now : null, created_by: ctx.actorId, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (input.tags.length > 0) await trx.insertInto('customer_tags').values(input.tags.map((tag) => ({ customer_id: id, tag }))).execute();
  const changes = diff(null, { ...values, owner_id: ownerId, tags: input.tags.length > 0 ? input.tags.join(', ') : null });
  await audit(trx, ctx, { action: 'create', entity: 'customer', entityId: id, summary: input.name, changes });
  return id;
}

export async function createCustomer(db: Db, ctx: AuditContext, input: CustomerInput, ownerId: number | null): Promise<number> {
  const id = await writeTransaction(db, (trx) => insertCustomer(trx, ctx, input, ownerId));
  if (input.tags.length > 0) forget(db, 'customer-tags');
  return id;
}

/** Saves an edit of a customer the viewer may edit (in scope, not in the pool); every changed field is audited. */
export async function updateCustomer(db: Db, viewer: Viewer, ctx: AuditContext, id: number, input: CustomerInput): Promise<boolean> {
  forget(db, 'customer-tags');
  return writeTransaction(db, async (trx) => {
    const before = await trx
      .selectFrom('customers as c')
      .select(FIELDS.map((f) => `c.${f}` as const))
      .where('c.id', '=', id)
      .where(scope(viewer, 'customers', { alias: 'c' }))
      .executeTakeFirst();
    if (!before) return false;
    const oldTags = (await trx.selectFrom('customer_tags').select('tag').where('customer_id', '=', id).orderBy('tag').execute()).map((r) => r.tag);
    const values = recordValues(input);
    await trx.updateTable('customers').set({ ...values, updated_at: nowIso() }).where('id', '=', id).execute();
    await trx.deleteFrom('customer_tags').where('customer_id', '=', id).execute();
    if (input.tags.length > 0) await trx.insertInto('customer_tags').values(input.tags.map((tag) => ({ customer_id: id, tag }))).execute();
    const newTags = [...input.tags].sort();
    const changes = diff(before, values);
    if (oldTags.join(',') !== newTags.join(',')) changes.tags = [oldTags.join(', ') || null, newTags.join(', ') || null];
    if (Object.keys(changes).length > 0) await audit(trx, ctx, { action: 'update', entity: 'customer', entityId: id, summary: input.name, changes });
    return true;
  });
}

/** Changes the owner and writes the move into the customer's history. */
async function moveOwner(trx: Db, ctx: AuditContext, c: { id: number; name: string; owner_id: number | null }, ownerId: number | null, summary: string) {
  const now = nowIso();
  await trx
    .updateTable('customers')
    .set({ owner_id: ownerId, pooled_at: ownerId === null ? now : null, updated_at: now })
    .where('id', '=', c.id)
    .execute();
  const changes: Record<string, [unknown, unknown]> = { owner_id: [c.owner_id, ownerId] };
  if (ownerId !== null) {
    // The customer's contacts follow it to its new owner, or the new owner could not see whom to call.
    // (Released to the pool, they stay with the last owner until someone claims the customer.)
    const moved = await trx.updateTable('contacts').set({ owner_id: ownerId, updated_at: now }).where('customer_id', '=', c.id).where('owner_id', '!=', ownerId).executeTakeFirst();
    const n = Number(moved.numUpdatedRows);
    if (n > 0) changes.contacts_moved = [null, n];
  }
  await audit(trx, ctx, { action: 'update', entity: 'customer', entityId: c.id, summary: `${summary}：${c.name}`, changes });
}

export type ClaimResult = { ok: true } | { ok: false; error: 'notFound' | 'taken' } | { ok: false; error: 'limit'; held: number; limit: number };

/** A sales user takes a customer from the public pool, up to the company's limit of customers held. */
export async function claimCustomer(db: Db, viewer: Viewer, ctx: AuditContext, id: number): Promise<ClaimResult> {
  return writeTransaction(db, async (trx) => {
    const c = await trx
      .selectFrom('customers as c')
      .select(['c.id', 'c.name', 'c.owner_id'])
      .where('c.id', '=', id)
      .where(scope(viewer, 'customers', { alias: 'c', includePool: true }))
      .executeTakeFirst();
    if (!c) return { ok: false, error: 'notFound' };
    if (c.owner_id !== null) return { ok: false, error: 'taken' };
    const { claimLimit } = await poolSettings(trx);
    const held = await heldCount(trx, viewer.id);
    if (held >= claimLimit) return { ok: false, error: 'limit', held, limit: claimLimit };
    await moveOwner(trx, ctx, c, viewer.id, MOVES.claim);
    return { ok: true };
  });
}

export type AssignResult = { ok: true; ownerName: string; count: number } | { ok: false; error: 'notFound' | 'badOwner' };

/**
 * Managers (their team, within userScope) and directors assign customers — their own team's or the pool's —
 * to a sales user. Customers outside the viewer's reach are skipped; none at all is notFound.
 */
export async function assignCustomers(db: Db, viewer: Viewer, ctx: AuditContext, ids: number[], ownerId: number): Promise<AssignResult> {
  if (!canAssign(viewer) || ids.length === 0) return { ok: false, error: 'notFound' };
  return writeTransaction(db, async (trx) => {
    const owner = await assignableOwner(trx, viewer, ownerId);
    if (!owner) return { ok: false, error: 'badOwner' };
    const rows = await trx
      .selectFrom('customers as c')
      .select(['c.id', 'c.name', 'c.owner_id'])
      .where('c.id', 'in', ids)
      .where(scope(viewer, 'customers', { alias: 'c', includePool: true }))
      .execute();
    if (rows.length === 0) return { ok: false, error: 'notFound' };
    let count = 0;
    for (const c of rows) {
      if (c.owner_id === ownerId) continue;
      await moveOwner(trx, ctx, c, ownerId, MOVES.assign);
      count += 1;
    }
    return { ok: true, ownerName: owner.display_name, count };
  });
}

/** Managers and directors return a customer of their scope to the public pool. */
export async function releaseCustomer(db: Db, viewer: Viewer, ctx: AuditContext, id: number): Promise<boolean> {
  if (!canAssign(viewer)) return false;
  return writeTransaction(db, async (trx) => {
    const c = await trx
      .selectFrom('customers as c')
      .select(['c.id', 'c.name', 'c.owner_id'])
      .where('c.id', '=', id)
      .where('c.owner_id', 'is not', null)
      .where(scope(viewer, 'customers', { alias: 'c' }))
      .executeTakeFirst();
    if (!c) return false;
    await moveOwner(trx, ctx, c, null, MOVES.release);
    return true;
  });
}

/** Adds one tag to the checked customers the viewer may edit; each change is audited. Returns how many got it. */
export async function addTagToCustomers(db: Db, viewer: Viewer, ctx: AuditContext, ids: number[], tag: string): Promise<number> {
  if (ids.length === 0) return 0;
  forget(db, 'customer-tags');
  return writeTransaction(db, async (trx) => {
    const rows = await trx
      .selectFrom('customers as c')
      .select(['c.id', 'c.name'])
      .where('c.id', 'in', ids)
      .where(scope(viewer, 'customers', { alias: 'c' }))
      .where('c.id', 'not in', (eb) => eb.selectFrom('customer_tags').select('customer_id').where('tag', '=', tag))
      .execute();
    if (rows.length === 0) return 0;
    const now = nowIso();
    const tagged = await tagsOfTrx(trx, rows.map((r) => r.id));
    await trx.insertInto('customer_tags').values(rows.map((r) => ({ customer_id: r.id, tag }))).execute();
    await trx.updateTable('customers').set({ updated_at: now }).where('id', 'in', rows.map((r) => r.id)).execute();
    for (const r of rows) {
      const before = tagged.get(r.id) ?? [];
      const after = [...before, tag].sort();
      await audit(trx, ctx, { action: 'update', entity: 'customer', entityId: r.id, summary: r.name, changes: { tags: [before.join(', ') || null, after.join(', ')] } });
    }
    return rows.length;
  });
}

async function tagsOfTrx(trx: Db, ids: number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  const rows = await trx.selectFrom('customer_tags').select(['customer_id', 'tag']).where('customer_id', 'in', ids).orderBy('tag').execute();
  for (const r of rows) out.set(r.customer_id, [...(out.get(r.customer_id) ?? []), r.tag]);
  return out;
}

/** Saves the current list filters under a name, for this user only. */
export async function saveView(db: Db, viewer: Viewer, ctx: AuditContext, name: string, query: string): Promise<number> {
  return writeTransaction(db, async (trx) => {
    const { id } = await trx
      .insertInto('saved_views')
      .values({ user_id: viewer.id, entity: 'customers', name, query, created_at: nowIso() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, ctx, { action: 'create', entity: 'saved_view', entityId: id, summary: name, changes: { name: [null, name], query: [null, query] } });
    return id;
  });
}

/** Deletes one of the viewer's own saved views (someone else's is not found). */
export async function deleteView(db: Db, viewer: Viewer, ctx: AuditContext, id: number): Promise<boolean> {
  return writeTransaction(db, async (trx) => {
    const view = await trx.selectFrom('saved_views').select(['id', 'name', 'query']).where('id', '=', id).where('user_id', '=', viewer.id).where('entity', '=', 'customers').executeTakeFirst();
    if (!view) return false;
    await trx.deleteFrom('saved_views').where('id', '=', id).execute();
    await audit(trx, ctx, { action: 'delete', entity: 'saved_view', entityId: id, summary: view.name, changes: { name: [view.name, null], query: [view.query, null] } });
    return true;
  });
}
