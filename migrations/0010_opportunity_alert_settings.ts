import type { Kysely } from 'kysely';

// Frozen. The anomaly alerts' settings on the company (N days without activity, k × the stage's typical duration,
// X% amount drop, M close-date push-outs), and the indexes the alerts read: the stage's past stays sorted by days
// (the median walks this index), open deals by amount (the list of deals at risk), and the home page's figures.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('company').addColumn('alert_idle_days', 'integer', (c) => c.notNull().defaultTo(14)).execute();
  await db.schema.alterTable('company').addColumn('alert_stage_multiple', 'real', (c) => c.notNull().defaultTo(2)).execute();
  await db.schema.alterTable('company').addColumn('alert_amount_drop_pct', 'integer', (c) => c.notNull().defaultTo(20)).execute();
  await db.schema.alterTable('company').addColumn('alert_pushouts', 'integer', (c) => c.notNull().defaultTo(3)).execute();
  await db.schema.createIndex('opportunity_stage_history_from_days_idx').on('opportunity_stage_history').columns(['from_stage_id', 'days_in_from_stage']).where('days_in_from_stage', 'is not', null).execute();
  await db.schema.createIndex('opportunities_status_amount_idx').on('opportunities').columns(['status', 'amount_fen', 'id']).execute();
  // One owner's open deals, largest first (home page alerts, the at-risk list filtered by owner).
  await db.schema.createIndex('opportunities_owner_amount_idx').on('opportunities').columns(['owner_id', 'status', 'amount_fen', 'id']).execute();
  // The home page's pipeline figures read only index entries: open deals by stage with close date, probability and
  // amount, and what was won in a quarter.
  await db.schema.createIndex('opportunities_open_figures_idx').on('opportunities').columns(['status', 'stage_id', 'expected_close_date', 'probability', 'amount_fen', 'owner_id']).execute();
  await db.schema.createIndex('opportunities_closed_idx').on('opportunities').columns(['status', 'closed_at', 'amount_fen', 'owner_id']).execute();
}
