import { sql, type Kysely } from 'kysely';

// Frozen. Deals counted and summed by owner, pipeline, stage and expected close month ('YYYY-MM'), kept in step on
// every write of a deal (src/features/opportunities/totals.ts). owner_id 0 rows hold the whole company (every owner
// added up). The board's column totals and the overview table (机会总览表) read these instead of counting every
// deal in scope (a manager's board counted ~160,000 deals per view, ~90 ms). Filled here from the deals.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('deal_totals')
    .addColumn('owner_id', 'integer', (c) => c.notNull())
    .addColumn('pipeline_id', 'integer', (c) => c.notNull())
    .addColumn('close_month', 'text', (c) => c.notNull())
    .addColumn('stage_id', 'integer', (c) => c.notNull())
    .addColumn('deals', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('amount_fen', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('deal_totals_pk', ['owner_id', 'pipeline_id', 'close_month', 'stage_id'])
    .modifyEnd(sql`without rowid`)
    .execute();
  await sql`
    insert into deal_totals (owner_id, pipeline_id, close_month, stage_id, deals, amount_fen)
    select owner_id, pipeline_id, substr(expected_close_date, 1, 7), stage_id, count(*), sum(amount_fen)
    from opportunities
    group by owner_id, pipeline_id, substr(expected_close_date, 1, 7), stage_id
  `.execute(db);
  await sql`
    insert into deal_totals (owner_id, pipeline_id, close_month, stage_id, deals, amount_fen)
    select 0, pipeline_id, close_month, stage_id, sum(deals), sum(amount_fen)
    from deal_totals
    group by pipeline_id, close_month, stage_id
  `.execute(db);
}
