import { nowIso, type Db } from '../../src/db/index.ts';

let seq = 0;

/** A customer row straight into the database (no audit), owned by `owner` (null = in the public pool). */
export async function newCustomer(
  db: Db,
  opts: {
    owner: { id: number } | null;
    name?: string;
    shortName?: string;
    phone?: string;
    creditCode?: string | null;
    grade?: 'A' | 'B' | 'C';
    lifecycle?: string;
    industry?: string;
    province?: string;
    tags?: string[];
    updatedAt?: string;
    createdAt?: string;
    lastActivityAt?: string | null;
  },
) {
  seq += 1;
  const now = nowIso();
  const { id } = await db
    .insertInto('customers')
    .values({
      name: opts.name ?? `测试客户${seq}有限公司`,
      short_name: opts.shortName ?? '',
      phone: opts.phone ?? '',
      credit_code: opts.creditCode ?? null,
      grade: opts.grade ?? 'C',
      lifecycle: opts.lifecycle ?? 'prospect',
      industry: opts.industry ?? '',
      province: opts.province ?? '',
      owner_id: opts.owner?.id ?? null,
      pooled_at: opts.owner ? null : now,
      last_activity_at: opts.lastActivityAt ?? null,
      created_at: opts.createdAt ?? opts.updatedAt ?? now,
      updated_at: opts.updatedAt ?? now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (opts.tags?.length) await db.insertInto('customer_tags').values(opts.tags.map((tag) => ({ customer_id: id, tag }))).execute();
  return { id };
}

/** A valid create/edit form for a customer. */
export function customerForm(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    name: '杭州明道软件有限公司',
    short_name: '明道',
    type: 'enterprise',
    credit_code: '',
    industry: 'it',
    province: '浙江',
    city: '杭州',
    address: '西湖区文三路 90 号',
    postal_code: '310012',
    phone: '0571-88886666',
    website: 'www.mingdao.example.cn',
    size: '50-199',
    source: 'referral',
    grade: 'B',
    lifecycle: 'new',
    tags: '重点, 软件',
    notes: '',
    ...overrides,
  };
}
