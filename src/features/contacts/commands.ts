import type { Db } from '../../db/index.ts';
import { nowIso, writeTransaction } from '../../db/index.ts';
import { audit, diff, type AuditContext } from '../../audit/index.ts';
import { scope, type Viewer } from '../../access/index.ts';
import type { ContactInput, KeyDateInput } from './schemas.ts';
import { assignableOwner, canAssign, visibleCustomer } from './queries.ts';

const FIELDS = ['kind', 'customer_id', 'name', 'gender', 'title', 'department', 'organisation', 'mobile', 'phone', 'email', 'wechat', 'address', 'postal_code', 'birthday', 'notes'] as const;

function recordValues(input: ContactInput) {
  return {
    kind: input.kind,
    customer_id: input.customer_id,
    name: input.name,
    gender: input.gender,
    title: input.title,
    department: input.department,
    organisation: input.organisation,
    mobile: input.mobile,
    phone: input.phone,
    email: input.email,
    wechat: input.wechat,
    address: input.address,
    postal_code: input.postal_code,
    birthday: input.birthday,
    notes: input.notes,
  } satisfies Record<(typeof FIELDS)[number], unknown>;
}

/**
 * Inserts a contact and its audit entry inside the caller's transaction (lead conversion and import call this).
 * The caller has checked that the customer, if any, is one the actor may see.
 */
export async function insertContact(trx: Db, ctx: AuditContext, input: ContactInput, ownerId: number): Promise<number> {
  const now = nowIso();
  const values = recordValues(input);
  const { id } = await trx
    .insertInto('contacts')
    .values({ ...values, owner_id: ownerId, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await audit(trx, ctx, { action: 'create', entity: 'contact', entityId: id, summary: input.name, changes: diff(null, { ...values, owner_id: ownerId }) });
  return id;
}

export type ContactResult = { ok: true; id: number } | { ok: false; error: 'notFound' } | { ok: false; error: 'customerNotVisible'; field: 'customer_id' };

export async function createContact(db: Db, viewer: Viewer, ctx: AuditContext, input: ContactInput): Promise<ContactResult> {
  return writeTransaction(db, async (trx) => {
    if (input.customer_id !== null && !(await visibleCustomer(trx, viewer, input.customer_id))) return { ok: false, error: 'customerNotVisible', field: 'customer_id' };
    return { ok: true, id: await insertContact(trx, ctx, input, viewer.id) };
  });
}

/** Saves an edit of a contact in the viewer's scope; every changed field is audited. */
export async function updateContact(db: Db, viewer: Viewer, ctx: AuditContext, id: number, input: ContactInput): Promise<ContactResult> {
  return writeTransaction(db, async (trx) => {
    const before = await trx
      .selectFrom('contacts as ct')
      .select(FIELDS.map((f) => `ct.${f}` as const))
      .where('ct.id', '=', id)
      .where(scope(viewer, 'contacts', { alias: 'ct' }))
      .executeTakeFirst();
    if (!before) return { ok: false, error: 'notFound' };
    // Keeping an existing link is allowed even if the customer has since left the viewer's sight.
    if (input.customer_id !== null && input.customer_id !== before.customer_id && !(await visibleCustomer(trx, viewer, input.customer_id))) {
      return { ok: false, error: 'customerNotVisible', field: 'customer_id' };
    }
    const values = recordValues(input);
    const changes = diff(before, values);
    if (Object.keys(changes).length === 0) return { ok: true, id };
    await trx.updateTable('contacts').set({ ...values, updated_at: nowIso() }).where('id', '=', id).execute();
    await audit(trx, ctx, { action: 'update', entity: 'contact', entityId: id, summary: input.name, changes });
    return { ok: true, id };
  });
}

async function contactInScope(trx: Db, viewer: Viewer, id: number) {
  return trx.selectFrom('contacts as ct').select(['ct.id', 'ct.name']).where('ct.id', '=', id).where(scope(viewer, 'contacts', { alias: 'ct' })).executeTakeFirst();
}

/** Adds a key date to a contact in scope (audited on the contact). false → not found. */
export async function addKeyDate(db: Db, viewer: Viewer, ctx: AuditContext, contactId: number, input: KeyDateInput): Promise<boolean> {
  return writeTransaction(db, async (trx) => {
    const contact = await contactInScope(trx, viewer, contactId);
    if (!contact) return false;
    await trx.insertInto('contact_key_dates').values({ contact_id: contactId, label: input.label, date: input.date, yearly: input.yearly }).execute();
    await trx.updateTable('contacts').set({ updated_at: nowIso() }).where('id', '=', contactId).execute();
    await audit(trx, ctx, { action: 'update', entity: 'contact', entityId: contactId, summary: contact.name, changes: { key_date: [null, `${input.label} ${input.date}`] } });
    return true;
  });
}

export async function removeKeyDate(db: Db, viewer: Viewer, ctx: AuditContext, contactId: number, keyDateId: number): Promise<boolean> {
  return writeTransaction(db, async (trx) => {
    const contact = await contactInScope(trx, viewer, contactId);
    if (!contact) return false;
    const row = await trx.selectFrom('contact_key_dates').select(['id', 'label', 'date']).where('id', '=', keyDateId).where('contact_id', '=', contactId).executeTakeFirst();
    if (!row) return false;
    await trx.deleteFrom('contact_key_dates').where('id', '=', keyDateId).execute();
    await trx.updateTable('contacts').set({ updated_at: nowIso() }).where('id', '=', contactId).execute();
    await audit(trx, ctx, { action: 'update', entity: 'contact', entityId: contactId, summary: contact.name, changes: { key_date: [`${row.label} ${row.date}`, null] } });
    return true;
  });
}

export type AssignResult = { ok: true; ownerName: string; count: number } | { ok: false; error: 'notFound' | 'badOwner' };

/** A manager (or above) hands contacts in their scope to a user in their userScope; each move is audited. */
export async function assignContacts(db: Db, viewer: Viewer, ctx: AuditContext, ids: number[], ownerId: number): Promise<AssignResult> {
  if (!canAssign(viewer) || ids.length === 0) return { ok: false, error: 'notFound' };
  return writeTransaction(db, async (trx) => {
    const owner = await assignableOwner(trx, viewer, ownerId);
    if (!owner) return { ok: false, error: 'badOwner' };
    const rows = await trx.selectFrom('contacts as ct').select(['ct.id', 'ct.name', 'ct.owner_id']).where('ct.id', 'in', ids).where(scope(viewer, 'contacts', { alias: 'ct' })).execute();
    if (rows.length === 0) return { ok: false, error: 'notFound' };
    const now = nowIso();
    let count = 0;
    for (const r of rows) {
      if (r.owner_id === ownerId) continue;
      await trx.updateTable('contacts').set({ owner_id: ownerId, updated_at: now }).where('id', '=', r.id).execute();
      await audit(trx, ctx, { action: 'update', entity: 'contact', entityId: r.id, summary: r.name, changes: { owner_id: [r.owner_id, ownerId] } });
      count += 1;
    }
    return { ok: true, ownerName: owner.display_name, count };
  });
}

/** Saves a list view (its query string) for the viewer; entity 'contacts' or 'leads'. */
export async function saveView(db: Db, viewer: Viewer, ctx: AuditContext, entity: 'contacts' | 'leads', name: string, query: string): Promise<number> {
  return writeTransaction(db, async (trx) => {
    const { id } = await trx.insertInto('saved_views').values({ user_id: viewer.id, entity, name, query, created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
    await audit(trx, ctx, { action: 'create', entity: 'saved_view', entityId: id, summary: name, changes: diff(null, { entity, name, query }) });
    return id;
  });
}

export async function deleteView(db: Db, viewer: Viewer, ctx: AuditContext, entity: 'contacts' | 'leads', id: number): Promise<boolean> {
  return writeTransaction(db, async (trx) => {
    const row = await trx.selectFrom('saved_views').select(['id', 'name', 'query']).where('id', '=', id).where('user_id', '=', viewer.id).where('entity', '=', entity).executeTakeFirst();
    if (!row) return false;
    await trx.deleteFrom('saved_views').where('id', '=', id).execute();
    await audit(trx, ctx, { action: 'delete', entity: 'saved_view', entityId: id, summary: row.name, changes: diff({ entity, name: row.name, query: row.query }, null) });
    return true;
  });
}
