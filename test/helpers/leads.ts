import { nowIso, type Db } from '../../src/db/index.ts';

let seq = 0;

/** A lead owned by `owner`. */
export async function newLead(
  db: Db,
  opts: { owner: number; company?: string; person?: string; mobile?: string; status?: 'new' | 'contacted' | 'qualified' | 'disqualified'; source?: string; province?: string; industry?: string },
) {
  seq += 1;
  const now = nowIso();
  const { id } = await db
    .insertInto('leads')
    .values({
      company: opts.company ?? `线索公司${seq}`,
      person: opts.person ?? `联系人${seq}`,
      mobile: opts.mobile ?? '',
      status: opts.status ?? 'new',
      disqualify_reason: opts.status === 'disqualified' ? '预算不足' : '',
      source: opts.source ?? 'website',
      province: opts.province ?? '',
      industry: opts.industry ?? '',
      owner_id: opts.owner,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}
