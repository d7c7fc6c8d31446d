import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../../db/index.ts';
import { departmentKey, WHOLE_COMPANY } from '../../access/index.ts';

/*
 * deal_totals and stage_month_stats add deals up by owner key (src/access): every figure goes to its owner's row, to
 * the whole company's and to the owner's department's, so a rep, a department and the company are each read from a
 * few rows of their own key. This module says which keys an owner's figures go to, and moves a user's figures when
 * they change department.
 */

/** Rows of some owner keys; none: no rows (not an empty IN list, nor -1, which is a department's key). */
export const ownerKeyIn = (column: Expression<number>, keys: readonly number[]): Expression<SqlBool> =>
  keys.length > 0 ? sql<SqlBool>`${column} in (${sql.join(keys)})` : sql<SqlBool>`1 = 0`;

/** The summary rows an owner's figures add to: theirs, the whole company's and their department's. */
const ownerKeys = (ownerId: number, departmentId: number | null): number[] =>
  departmentId === null ? [ownerId, WHOLE_COMPANY] : [ownerId, WHOLE_COMPANY, departmentKey(departmentId)];

export async function summaryKeys(db: Db, ownerId: number): Promise<number[]> {
  const user = await db.selectFrom('users').select('department_id').where('id', '=', ownerId).executeTakeFirst();
  return ownerKeys(ownerId, user?.department_id ?? null);
}

/** ownerKeys for every user at once, for rebuilding a summary. */
export async function summaryKeysOfAll(db: Db): Promise<(ownerId: number) => number[]> {
  const users = await db.selectFrom('users').select(['id', 'department_id']).execute();
  const departments = new Map(users.map((u) => [u.id, u.department_id]));
  return (ownerId) => ownerKeys(ownerId, departments.get(ownerId) ?? null);
}

/** The owner-keyed summaries: their key columns besides owner_id, and the counters that add up. */
const SUMMARIES = [
  { table: 'deal_totals', keys: ['pipeline_id', 'close_month', 'stage_id'], counters: ['deals', 'amount_fen', 'weighted_fen100'] },
  {
    table: 'stage_month_stats',
    keys: ['pipeline_id', 'month', 'stage_id'],
    counters: ['entered', 'exits', 'advanced', 'lost', 'won', 'days_sum', 'cycle_days_sum', 'won_amount_fen'],
  },
] as const;

/**
 * Moves a user's figures out of their old department's rows into the new one's, in the transaction that changes the
 * user's department: a department's rows always hold its current members, as a department's scope does.
 */
export async function moveUserDepartment(trx: Db, userId: number, from: number | null, to: number | null): Promise<void> {
  if (from === to) return;
  for (const s of SUMMARIES) {
    const keys = sql.join(s.keys.map((k) => sql.ref(k)));
    const counters = sql.join(s.counters.map((c) => sql.ref(c)));
    const table = sql.table(s.table);
    for (const [department, sign] of [
      [from, -1],
      [to, 1],
    ] as const) {
      if (department === null) continue;
      const signed = sql.join(s.counters.map((c) => sql`${sql.lit(sign)} * ${sql.ref(c)}`));
      const add = sql.join(s.counters.map((c) => sql`${sql.ref(c)} = ${table}.${sql.ref(c)} + excluded.${sql.ref(c)}`));
      await sql`
        insert into ${table} (owner_id, ${keys}, ${counters})
        select ${departmentKey(department)}, ${keys}, ${signed} from ${table} where owner_id = ${userId}
        on conflict (owner_id, ${keys}) do update set ${add}
      `.execute(trx);
    }
  }
}
