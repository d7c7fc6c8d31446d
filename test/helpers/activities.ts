import { nowIso, type Db } from '../../src/db/index.ts';

// Small factories for the records activities link to, and for activities themselves (direct inserts, no routes).

export async function newCustomerRow(db: Db, owner: { id: number } | null, name = '深圳华为技术有限公司') {
  const now = nowIso();
  const { id } = await db
    .insertInto('customers')
    .values({ name, owner_id: owner?.id ?? null, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id, name };
}

export async function newContactRow(db: Db, owner: { id: number }, customer: { id: number } | null, name = '李明') {
  const now = nowIso();
  const { id } = await db
    .insertInto('contacts')
    .values({ name, owner_id: owner.id, customer_id: customer?.id ?? null, kind: customer ? 'customer' : 'public_relations', created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id, name };
}

export async function newLeadRow(db: Db, owner: { id: number }, person = '王芳', company = '杭州云帆科技有限公司') {
  const now = nowIso();
  const { id } = await db
    .insertInto('leads')
    .values({ person, company, owner_id: owner.id, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id, person, company };
}

export async function newActivity(
  db: Db,
  owner: { id: number },
  opts: { type?: string; subject?: string; startsAt?: string; status?: string; customerId?: number; contactId?: number; leadId?: number; participants?: number[] } = {},
) {
  const now = nowIso();
  const { id } = await db
    .insertInto('activities')
    .values({
      type: opts.type ?? 'visit',
      subject: opts.subject ?? '上门拜访',
      starts_at: opts.startsAt ?? now,
      status: opts.status ?? 'planned',
      customer_id: opts.customerId ?? null,
      contact_id: opts.contactId ?? null,
      lead_id: opts.leadId ?? null,
      owner_id: owner.id,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const user_id of opts.participants ?? []) {
    await db.insertInto('record_members').values({ entity: 'activities', record_id: id, user_id, role: 'participant', created_at: now }).execute();
  }
  return { id };
}
