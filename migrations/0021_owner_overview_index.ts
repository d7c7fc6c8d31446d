import type { Kysely } from 'kysely';

// Frozen. The overview table (机会总览表) for a rep: their deals of one pipeline closing in a period. The company-wide
// close-date index (0018) made SQLite read the whole company's quarter (~90,000 entries) and keep the rep's; owner
// first, it reads only theirs.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('opportunities_owner_overview_idx')
    .on('opportunities')
    .columns(['owner_id', 'pipeline_id', 'expected_close_date', 'stage_id', 'amount_fen'])
    .execute();
}
