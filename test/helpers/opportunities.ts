import { nowIso, type Db } from '../../src/db/index.ts';
import { seedPipelines } from '../../scripts/seed/pipelines.ts';
import { stagesOf, type Stage } from '../../src/features/pipelines/queries.ts';
import { changeDealTotals } from '../../src/features/opportunities/totals.ts';

/** The demo pipelines (直销 default, 渠道销售) and competitors, as the seed makes them; returns 直销's stages by name. */
export async function demoPipeline(db: Db) {
  const { direct, channel } = await seedPipelines({ db, now: new Date() });
  const stages = await stagesOf(db, direct);
  const byName = (name: string): Stage => {
    const s = stages.find((x) => x.name === name);
    if (!s) throw new Error(`no stage ${name}`);
    return s;
  };
  return { pipelineId: direct, channelId: channel, stages, byName };
}

let seq = 0;

/**
 * A deal straight into the database (no audit, no tasks), with its creation history row, in `stage` of `pipelineId`.
 * `enteredAt` backdates the stage entry (for days-in-stage).
 */
export async function newOpportunity(
  db: Db,
  opts: { owner: { id: number }; customer: { id: number }; pipelineId: number; stage: Stage; name?: string; amountFen?: number; closeDate?: string; enteredAt?: string },
) {
  seq += 1;
  const now = nowIso();
  const entered = opts.enteredAt ?? now;
  const { id } = await db
    .insertInto('opportunities')
    .values({
      name: opts.name ?? `测试机会${seq}`,
      customer_id: opts.customer.id,
      pipeline_id: opts.pipelineId,
      stage_id: opts.stage.id,
      status: opts.stage.kind === 'open' ? 'open' : opts.stage.kind,
      amount_fen: opts.amountFen ?? 10_000_000,
      probability: opts.stage.probability,
      expected_close_date: opts.closeDate ?? '2026-12-31',
      owner_id: opts.owner.id,
      stage_entered_at: entered,
      created_at: entered,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  // As the opportunity commands do: the summary the board and the overview read stays equal to the deals.
  await changeDealTotals(db, null, { owner_id: opts.owner.id, pipeline_id: opts.pipelineId, stage_id: opts.stage.id, expected_close_date: opts.closeDate ?? '2026-12-31', amount_fen: opts.amountFen ?? 10_000_000, probability: opts.stage.probability });
  await db
    .insertInto('opportunity_stage_history')
    .values({ opportunity_id: id, from_stage_id: null, to_stage_id: opts.stage.id, changed_at: entered, changed_by: opts.owner.id, amount_fen: opts.amountFen ?? 10_000_000, expected_close_date: opts.closeDate ?? '2026-12-31', days_in_from_stage: null })
    .execute();
  return { id };
}

/** Checks every exit criterion of a stage on a deal (straight into the database). */
export async function checkAllCriteria(db: Db, opportunityId: number, stageId: number, userId: number) {
  const criteria = await db.selectFrom('stage_exit_criteria').select('id').where('stage_id', '=', stageId).execute();
  for (const c of criteria) await db.insertInto('opportunity_criteria_checks').values({ opportunity_id: opportunityId, criterion_id: c.id, checked_by: userId, checked_at: nowIso() }).onConflict((oc) => oc.doNothing()).execute();
}

/**
 * deal_totals as it must be: the deals themselves grouped by owner key — the owner, 0 for the whole company and minus
 * the owner's department id for their department — pipeline, close month and stage. Compared with the summary table
 * by the tests of every command that writes a deal.
 */
export async function dealTotalsFromDeals(db: Db): Promise<{ summary: string[]; fromDeals: string[] }> {
  const deals = await db
    .selectFrom('opportunities as o')
    .innerJoin('users as u', 'u.id', 'o.owner_id')
    .select(['o.owner_id', 'u.department_id', 'o.pipeline_id', 'o.stage_id', 'o.expected_close_date', 'o.amount_fen', 'o.probability'])
    .execute();
  const sums = new Map<string, { deals: number; amount: number; weighted: number }>();
  for (const d of deals) {
    for (const owner of d.department_id === null ? [d.owner_id, 0] : [d.owner_id, 0, -d.department_id]) {
      const key = `${owner}|${d.pipeline_id}|${d.expected_close_date.slice(0, 7)}|${d.stage_id}`;
      const s = sums.get(key) ?? { deals: 0, amount: 0, weighted: 0 };
      s.deals += 1;
      s.amount += d.amount_fen;
      s.weighted += d.amount_fen * d.probability;
      sums.set(key, s);
    }
  }
  const fromDeals = [...sums].map(([k, s]) => `${k}: ${s.deals} / ${s.amount} / ${s.weighted}`).sort();
  const rows = await db.selectFrom('deal_totals').selectAll().where('deals', '<>', 0).execute();
  const summary = rows.map((r) => `${r.owner_id}|${r.pipeline_id}|${r.close_month}|${r.stage_id}: ${r.deals} / ${r.amount_fen} / ${r.weighted_fen100}`).sort();
  return { summary, fromDeals };
}
