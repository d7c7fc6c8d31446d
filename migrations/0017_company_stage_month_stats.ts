import { sql, type Kysely } from 'kysely';

// Frozen. The monthly stage rollup gains the whole company's rows (owner_id 0 = every owner added up), which the
// company view of /pipeline reads instead of summing every owner's rows. Filled here from the per-owner rows; from
// now on each recorded move adds to both.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    insert into stage_month_stats (pipeline_id, month, owner_id, stage_id, entered, exits, advanced, lost, won, days_sum, cycle_days_sum, won_amount_fen)
    select pipeline_id, month, 0, stage_id, sum(entered), sum(exits), sum(advanced), sum(lost), sum(won), sum(days_sum), sum(cycle_days_sum), sum(won_amount_fen)
    from stage_month_stats
    where owner_id <> 0
    group by pipeline_id, month, stage_id
  `.execute(db);
}
