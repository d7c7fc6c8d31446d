import type { Kysely } from 'kysely';

// Frozen. The overview table (机会总览表) for someone who sees the whole company: deals of one pipeline closing in a
// period, counted and summed by stage and owner. Without an index on the close date SQLite read all 500,000 deals
// (~1.1 s at the large scale); this covering index answers a quarter (~90,000 deals) from the index alone (~27 ms).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('opportunities_overview_idx')
    .on('opportunities')
    .columns(['pipeline_id', 'expected_close_date', 'stage_id', 'owner_id', 'amount_fen'])
    .execute();
}
