import type { Kysely } from 'kysely';

// Frozen. A rep's board: the cards of a stage and the stage totals, for one owner. The stage-first indexes
// (0008) walked every deal of the stage (19,000 at large scale) testing the owner, ~25 ms a column; the totals read
// the whole pipeline's funnel index (~37 ms). Owner-first, a rep's board reads only their own deals.
// The customer page's deals panel (open first, latest first) walked the owner's index in that order (all of a rep's
// ~3,000 deals, ~4 ms) to find a customer's five; (customer_id, status, updated_at) gives them in order at once.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('opportunities_owner_board_close_idx').on('opportunities').columns(['owner_id', 'stage_id', 'expected_close_date', 'id']).execute();
  await db.schema.createIndex('opportunities_owner_board_closed_idx').on('opportunities').columns(['owner_id', 'stage_id', 'closed_at', 'id']).execute();
  // The deals list of a rep in its default order (latest change first).
  await db.schema.createIndex('opportunities_owner_updated_idx').on('opportunities').columns(['owner_id', 'updated_at', 'id']).execute();
  await db.schema.createIndex('opportunities_customer_status_idx').on('opportunities').columns(['customer_id', 'status', 'updated_at']).execute();
  await db.schema.createIndex('opportunities_owner_pipeline_idx').on('opportunities').columns(['owner_id', 'pipeline_id', 'stage_id', 'amount_fen']).execute();
}
