import { sql, type Kysely } from 'kysely';

// Frozen. The monthly rollup of the stage history that pipeline analytics read (conversion, days in stage, win rate,
// cycle time): one row per pipeline, month (company time zone, 'YYYY-MM'), owner and stage. Kept in step on every
// stage change (src/features/pipeline-analytics/rollup.ts). Plus a covering index for the current funnel.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('stage_month_stats')
    .addColumn('pipeline_id', 'integer', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'integer', (c) => c.notNull())
    .addColumn('stage_id', 'integer', (c) => c.notNull())
    .addColumn('entered', 'integer', (c) => c.notNull().defaultTo(0)) // deals that entered this stage
    .addColumn('exits', 'integer', (c) => c.notNull().defaultTo(0)) // deals that left it
    .addColumn('advanced', 'integer', (c) => c.notNull().defaultTo(0)) // … to a later open stage or to won
    .addColumn('lost', 'integer', (c) => c.notNull().defaultTo(0)) // … to a lost stage
    .addColumn('won', 'integer', (c) => c.notNull().defaultTo(0)) // … to a won stage
    .addColumn('days_sum', 'integer', (c) => c.notNull().defaultTo(0)) // whole days spent here by the exits
    .addColumn('cycle_days_sum', 'integer', (c) => c.notNull().defaultTo(0)) // on won stages: created → won, in days
    .addColumn('won_amount_fen', 'integer', (c) => c.notNull().defaultTo(0)) // on won stages: amounts won
    .addPrimaryKeyConstraint('stage_month_stats_pk', ['pipeline_id', 'month', 'owner_id', 'stage_id'])
    .modifyEnd(sql`without rowid`)
    .execute();
  await db.schema
    .createIndex('opportunities_funnel_idx')
    .on('opportunities')
    .columns(['pipeline_id', 'status', 'owner_id', 'stage_id', 'amount_fen'])
    .execute();
}
