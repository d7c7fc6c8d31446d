import { nowIso, type Db } from '../../src/db/index.ts';
import { newCustomer } from '../helpers/customers.ts';
import { changeDealTotals } from '../../src/features/opportunities/totals.ts';

/** A pipeline with stages straight into the database; `criteria` are exit criteria of the first stage. */
export async function newPipeline(db: Db, opts: { name: string; isDefault?: boolean; stages: { name: string; kind?: 'open' | 'won' | 'lost'; probability?: number }[]; criteria?: string[] }) {
  const now = nowIso();
  const { id } = await db
    .insertInto('pipelines')
    .values({ name: opts.name, is_default: opts.isDefault ? 1 : 0, active: 1, sort_order: 0, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const stages: number[] = [];
  for (const [i, s] of opts.stages.entries()) {
    const row = await db
      .insertInto('pipeline_stages')
      .values({ pipeline_id: id, name: s.name, sort_order: i + 1, probability: s.probability ?? (i + 1) * 10, expected_days: 14, kind: s.kind ?? 'open', created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    stages.push(row.id);
  }
  const criteria: number[] = [];
  for (const [i, label] of (opts.criteria ?? []).entries()) {
    const row = await db.insertInto('stage_exit_criteria').values({ stage_id: stages[0]!, label, sort_order: i }).returning('id').executeTakeFirstOrThrow();
    criteria.push(row.id);
  }
  return { id, stages, criteria };
}

/** A deal straight into the database (with its creation in the stage history), owned by `owner`. */
export async function newDeal(
  db: Db,
  opts: { name: string; owner: { id: number }; pipeline: number; stage: number; amountFen: number; close: string; status?: 'open' | 'won' | 'lost'; customerName?: string },
) {
  const now = nowIso();
  const customer = await newCustomer(db, { owner: opts.owner, name: opts.customerName });
  const { id } = await db
    .insertInto('opportunities')
    .values({
      name: opts.name,
      customer_id: customer.id,
      pipeline_id: opts.pipeline,
      stage_id: opts.stage,
      status: opts.status ?? 'open',
      amount_fen: opts.amountFen,
      probability: 10,
      expected_close_date: opts.close,
      owner_id: opts.owner.id,
      closed_at: opts.status && opts.status !== 'open' ? now : null,
      stage_entered_at: now,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  // As the opportunity commands do: the summary the board and the overview read stays equal to the deals.
  await changeDealTotals(db, null, { owner_id: opts.owner.id, pipeline_id: opts.pipeline, stage_id: opts.stage, expected_close_date: opts.close, amount_fen: opts.amountFen, probability: 10 });
  await db
    .insertInto('opportunity_stage_history')
    .values({ opportunity_id: id, from_stage_id: null, to_stage_id: opts.stage, changed_at: now, changed_by: opts.owner.id, amount_fen: opts.amountFen, expected_close_date: opts.close, days_in_from_stage: null })
    .execute();
  return { id, customerId: customer.id };
}
