import { nowIso, type Db } from '../../src/db/index.ts';

let seq = 0;

/** A customer row for contact and lead tests (owner null = in the public pool). */
export async function customerRow(db: Db, opts: { owner: number | null; name?: string }) {
  seq += 1;
  const now = nowIso();
  const { id } = await db
    .insertInto('customers')
    .values({ name: opts.name ?? `测试客户${seq}有限公司`, owner_id: opts.owner, pooled_at: opts.owner === null ? now : null, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/** A contact owned by `owner`: of a customer when `customerId` is given, else a public-relations contact. */
export async function newContact(
  db: Db,
  opts: { owner: number; customerId?: number | null; name?: string; mobile?: string; email?: string; organisation?: string; birthday?: string | null; updatedAt?: string },
) {
  seq += 1;
  const now = opts.updatedAt ?? nowIso();
  const { id } = await db
    .insertInto('contacts')
    .values({
      kind: opts.customerId ? 'customer' : 'public_relations',
      customer_id: opts.customerId ?? null,
      name: opts.name ?? `联系人${seq}`,
      organisation: opts.customerId ? '' : (opts.organisation ?? ''),
      mobile: opts.mobile ?? '',
      email: opts.email ?? '',
      birthday: opts.birthday ?? null,
      owner_id: opts.owner,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export async function count(db: Db, table: 'customers' | 'contacts' | 'leads' | 'audit_log'): Promise<number> {
  const r = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}
