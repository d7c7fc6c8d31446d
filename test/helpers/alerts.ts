import { sql } from 'kysely';
import { nowIso, type Db } from '../../src/db/index.ts';
import { forgetStageTypicals, refreshOpportunityRisk } from '../../src/features/alerts/queries.ts';
import { changeDealTotals } from '../../src/features/opportunities/totals.ts';

/** Keeps a deal's stored risk as the app's writes do; forgets the stage medians it read, for the tests that add history next. */
async function keepRisk(db: Db, id: number) {
  await refreshOpportunityRisk(db, [id]);
  forgetStageTypicals(db);
}

const DAY_MS = 24 * 60 * 60 * 1000;
export const daysAgo = (days: number, now = Date.now()) => new Date(now - days * DAY_MS).toISOString();

/** A pipeline 初步接洽(10 d) → 需求确认(10 d) → 商务谈判(18 d) → 签约 / 输单, with stage probabilities 10/40/70. */
export async function alertPipeline(db: Db) {
  const now = nowIso();
  const { id } = await db.insertInto('pipelines').values({ name: '直销', is_default: 1, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  const mk = async (name: string, sort: number, kind: string, probability: number, expectedDays: number) =>
    (
      await db
        .insertInto('pipeline_stages')
        .values({ pipeline_id: id, name, sort_order: sort, kind, probability, expected_days: expectedDays, created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const stages = {
    a: await mk('初步接洽', 1, 'open', 10, 10),
    b: await mk('需求确认', 2, 'open', 40, 10),
    c: await mk('商务谈判', 3, 'open', 70, 18),
    won: await mk('签约', 4, 'won', 100, 0),
    lost: await mk('输单', 5, 'lost', 0, 0),
  };
  return { id, stages };
}

/** A deal with exactly the facts an alert reads. Times default to "just now" (nothing flagged). */
export async function alertDeal(
  db: Db,
  o: {
    owner: number;
    customerId: number;
    pipelineId: number;
    stageId: number;
    name?: string;
    amountFen?: number;
    probability?: number;
    closeDate?: string;
    status?: 'open' | 'won' | 'lost';
    stageEnteredAt?: string;
    lastActivityAt?: string | null;
    createdAt?: string;
    closedAt?: string | null;
  },
) {
  const at = o.createdAt ?? o.stageEnteredAt ?? nowIso();
  const { id } = await db
    .insertInto('opportunities')
    .values({
      name: o.name ?? '测试商机',
      customer_id: o.customerId,
      pipeline_id: o.pipelineId,
      stage_id: o.stageId,
      status: o.status ?? 'open',
      amount_fen: o.amountFen ?? 100_000_00,
      probability: o.probability ?? 40,
      expected_close_date: o.closeDate ?? '2099-12-31',
      owner_id: o.owner,
      stage_entered_at: o.stageEnteredAt ?? at,
      last_activity_at: o.lastActivityAt ?? null,
      closed_at: o.closedAt ?? null,
      created_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  // As the opportunity commands do: the summary the board and the overview read stays equal to the deals.
  await changeDealTotals(db, null, { owner_id: o.owner, pipeline_id: o.pipelineId, stage_id: o.stageId, expected_close_date: o.closeDate ?? '2099-12-31', amount_fen: o.amountFen ?? 100_000_00, probability: o.probability ?? 40 });
  // Straight into the database, so keep the stored risk as the app's own writes do.
  await keepRisk(db, id);
  return id;
}

/** A stage-history row. */
export async function stageMove(db: Db, opportunityId: number, m: { from: number | null; to: number; at: string; days: number | null; amountFen?: number; closeDate?: string }) {
  await db
    .insertInto('opportunity_stage_history')
    .values({ opportunity_id: opportunityId, from_stage_id: m.from, to_stage_id: m.to, changed_at: m.at, amount_fen: m.amountFen ?? 100_000_00, expected_close_date: m.closeDate ?? '2099-12-31', days_in_from_stage: m.days })
    .execute();
  await keepRisk(db, opportunityId);
}

/** An audited edit of a deal, as diff() records it: { field: [before, after] }. */
export async function dealEdit(db: Db, opportunityId: number, at: string, changes: Record<string, [unknown, unknown]>) {
  await db.insertInto('audit_log').values({ at, actor_id: null, action: 'update', entity: 'opportunity', entity_id: opportunityId, summary: '', changes: JSON.stringify(changes), ip: '' }).execute();
  await keepRisk(db, opportunityId);
}

/** Past stays in a stage (for its median): `days` is one history row per value, on a throwaway closed deal. */
export async function pastStays(db: Db, ctx: { owner: number; customerId: number; pipelineId: number; stage: number; next: number }, days: number[]) {
  const id = await alertDeal(db, { ...ctx, stageId: ctx.next, status: 'won', name: '历史商机' });
  for (const d of days) await stageMove(db, id, { from: ctx.stage, to: ctx.next, at: daysAgo(100), days: d });
}

export async function setAlertSettings(db: Db, s: { idleDays?: number; stageMultiple?: number; amountDropPct?: number; pushouts?: number }) {
  if (s.idleDays !== undefined) await sql`update company set alert_idle_days = ${s.idleDays} where id = 1`.execute(db);
  if (s.stageMultiple !== undefined) await sql`update company set alert_stage_multiple = ${s.stageMultiple} where id = 1`.execute(db);
  if (s.amountDropPct !== undefined) await sql`update company set alert_amount_drop_pct = ${s.amountDropPct} where id = 1`.execute(db);
  if (s.pushouts !== undefined) await sql`update company set alert_pushouts = ${s.pushouts} where id = 1`.execute(db);
}
