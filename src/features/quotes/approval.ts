import type { Db } from '../../db/index.ts';
import { discountBeyond } from '../../lib/quote-math.ts';

export type ApprovalLevel = '' | 'manager' | 'director';

/**
 * Who must approve a quote before it is sent:
 * - a total discount beyond the director threshold → the sales director;
 * - any line below its floor price, or a total discount beyond the manager threshold → the owner's department manager;
 * - otherwise nobody.
 */
export function approvalLevel(q: { totalFen: number; listTotalFen: number; belowFloor: number }, thresholds: { managerBp: number; directorBp: number }): ApprovalLevel {
  if (discountBeyond(q, thresholds.directorBp)) return 'director';
  if (q.belowFloor > 0 || discountBeyond(q, thresholds.managerBp)) return 'manager';
  return '';
}

/**
 * The user who approves at a level. Manager: the manager of the owner's department, else of the nearest department
 * above it with one (never the owner: a manager's own quote goes up a level). Director: a sales director — the one
 * whose department contains the owner's, else the first — or, with none, the general manager. null: nobody to ask.
 */
export async function findApprover(trx: Db, ownerId: number, level: Exclude<ApprovalLevel, ''>): Promise<{ id: number; level: Exclude<ApprovalLevel, ''> } | null> {
  const owner = await trx
    .selectFrom('users as u')
    .leftJoin('departments as d', 'd.id', 'u.department_id')
    .select(['u.id', 'd.path'])
    .where('u.id', '=', ownerId)
    .executeTakeFirst();
  const path = owner?.path ?? '';
  if (level === 'manager') {
    const chain = path.split('/').filter(Boolean).map(Number).reverse();
    if (chain.length) {
      const depts = await trx
        .selectFrom('departments as d')
        .innerJoin('users as m', 'm.id', 'd.manager_id')
        .select(['d.id', 'd.manager_id'])
        .where('d.id', 'in', chain)
        .where('m.active', '=', 1)
        .where('m.id', '!=', ownerId)
        .execute();
      for (const id of chain) {
        const d = depts.find((x) => x.id === id);
        if (d?.manager_id) return { id: d.manager_id, level: 'manager' };
      }
    }
  }
  const directors = await trx
    .selectFrom('users as u')
    .leftJoin('departments as d', 'd.id', 'u.department_id')
    .select(['u.id', 'u.role', 'd.path'])
    .where('u.active', '=', 1)
    .where('u.role', 'in', ['sales_director', 'general_manager'])
    .where('u.id', '!=', ownerId)
    .orderBy('u.id')
    .execute();
  const sd = directors.filter((u) => u.role === 'sales_director');
  const pick = sd.find((u) => u.path && path.startsWith(u.path)) ?? sd[0] ?? directors.find((u) => u.role === 'general_manager');
  return pick ? { id: pick.id, level: 'director' } : null;
}
