import { nowIso, type Db } from '../../src/db/index.ts';
import { changeDealTotals } from '../../src/features/opportunities/totals.ts';

/** A pipeline with stages A(open,10) → B(open,50) → C(open,80) → Won / Lost. */
export async function newPipeline(db: Db, name = '直销管线') {
  const now = nowIso();
  const { id } = await db.insertInto('pipelines').values({ name, is_default: 1, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  const mk = async (n: string, sort: number, kind: string, probability: number) =>
    (await db.insertInto('pipeline_stages').values({ pipeline_id: id, name: n, sort_order: sort, kind, probability, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()).id;
  const stages = { a: await mk('初步接洽', 1, 'open', 10), b: await mk('需求确认', 2, 'open', 50), c: await mk('商务谈判', 3, 'open', 80), won: await mk('签约', 4, 'won', 100), lost: await mk('输单', 5, 'lost', 0) };
  return { id, stages };
}

export async function newOpportunityRow(
  db: Db,
  opts: { owner: number; customerId: number; pipelineId: number; stageId: number; status?: string; amountFen?: number; createdAt?: string; name?: string },
) {
  const at = opts.createdAt ?? nowIso();
  const { id } = await db
    .insertInto('opportunities')
    .values({
      name: opts.name ?? '测试机会',
      customer_id: opts.customerId,
      pipeline_id: opts.pipelineId,
      stage_id: opts.stageId,
      status: opts.status ?? 'open',
      amount_fen: opts.amountFen ?? 0,
      expected_close_date: '2026-12-31',
      owner_id: opts.owner,
      stage_entered_at: at,
      created_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  // As the opportunity commands do: the summary the board and the overview read stays equal to the deals.
  await changeDealTotals(db, null, { owner_id: opts.owner, pipeline_id: opts.pipelineId, stage_id: opts.stageId, expected_close_date: '2026-12-31', amount_fen: opts.amountFen ?? 0, probability: 0 });
  return id;
}

/** One history row: a move (from null = creation) at `at` with `days` in the stage left. */
export async function historyRow(db: Db, opportunityId: number, from: number | null, to: number, at: string, days: number | null, amountFen = 0) {
  await db
    .insertInto('opportunity_stage_history')
    .values({ opportunity_id: opportunityId, from_stage_id: from, to_stage_id: to, changed_at: at, amount_fen: amountFen, expected_close_date: '2026-12-31', days_in_from_stage: days })
    .execute();
}
