import type { SeedContext } from './context.ts';

// Decision trees on the larger deals (a committee drawn from the customer's contacts, with planned visits linked to
// the deal). Runs after the opportunities seed (which rebuilds the pipeline-analytics rollup itself).

const SHAPE: { role: string; influence: string; parent: number | null }[] = [
  { role: 'decision_maker', influence: 'high', parent: null },
  { role: 'approver', influence: 'high', parent: 0 },
  { role: 'technical_evaluator', influence: 'medium', parent: 1 },
  { role: 'business_user', influence: 'low', parent: 1 },
  { role: 'coach', influence: 'low', parent: 2 },
  { role: 'gatekeeper', influence: 'medium', parent: 0 },
];
const ATTITUDES = ['supporter', 'supporter', 'neutral', 'neutral', 'opponent'];
const SUBJECTS = ['上门拜访，介绍方案', '技术交流会', '商务宴请', '方案汇报', '电话沟通预算'];

export async function seedDecisionTrees(ctx: SeedContext): Promise<void> {
  const deals = ctx.scale === 'large' ? 3000 : 80;
  const opportunities = ctx.sqlite
    .prepare(`select id, customer_id, owner_id, status from opportunities where status in ('open', 'won') and id not in (select opportunity_id from opportunity_contacts) order by amount_fen desc limit ?`)
    .all(deals) as { id: number; customer_id: number; owner_id: number; status: string }[];
  const contactsOf = ctx.sqlite.prepare(`select id from contacts where customer_id = ? order by id limit 6`);
  const insertMember = ctx.sqlite.prepare(
    `insert into opportunity_contacts (opportunity_id, contact_id, role, attitude, influence, reports_to_id, notes, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, '', ?, ?) on conflict do nothing`,
  );
  const insertActivity = ctx.sqlite.prepare(
    `insert into activities (type, subject, starts_at, duration_minutes, status, customer_id, contact_id, opportunity_id, owner_id, created_at, updated_at)
     values ('visit', ?, ?, 60, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const now = ctx.now.toISOString();
  const day = 86_400_000;
  for (const o of opportunities) {
    const contacts = contactsOf.all(o.customer_id) as { id: number }[];
    if (contacts.length < 2) continue;
    const ids: number[] = [];
    contacts.forEach((c, i) => {
      const shape = SHAPE[i]!;
      const attitude = ATTITUDES[Math.floor(ctx.random() * ATTITUDES.length)]!;
      const parentId = shape.parent === null ? null : ids[shape.parent];
      const parent = parentId === undefined || parentId === null || Number.isNaN(parentId) ? null : parentId;
      const r = insertMember.run(o.id, c.id, shape.role, attitude, shape.influence, parent, now, now);
      // lastInsertRowid is stale when nothing was inserted (the contact is already on the committee).
      ids.push(r.changes > 0 ? Number(r.lastInsertRowid) : Number.NaN);
      // A planned visit for the open deals' key people, within the next three weeks (09:00–17:00 Beijing time).
      if (o.status === 'open' && i < 3 && ctx.random() < 0.6) {
        const at = new Date(Math.floor(ctx.now.getTime() / day) * day + (1 + Math.floor(ctx.random() * 21)) * day + (1 + Math.floor(ctx.random() * 8)) * 3_600_000);
        const subject = SUBJECTS[Math.floor(ctx.random() * SUBJECTS.length)]!;
        insertActivity.run(subject, at.toISOString(), 'planned', o.customer_id, c.id, o.id, o.owner_id, now, now);
      }
    });
  }
}
