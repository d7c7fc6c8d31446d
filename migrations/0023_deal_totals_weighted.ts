import { sql, type Kysely } from 'kysely';

// Frozen. deal_totals gains Σ amount_fen × probability (percent) per owner, pipeline, close month and stage, so the
// home page's "weighted this quarter" is read from the summary like the rest of its figures (a manager's team: ~30 ms
// summing every open deal of the team on the large dataset). Filled here from the deals.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('deal_totals')
    .addColumn('weighted_fen100', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`
    create temporary table deal_weights as
    select owner_id, pipeline_id, substr(expected_close_date, 1, 7) as close_month, stage_id, sum(amount_fen * probability) as w
    from opportunities
    group by owner_id, pipeline_id, substr(expected_close_date, 1, 7), stage_id
  `.execute(db);
  await sql`
    insert into deal_weights (owner_id, pipeline_id, close_month, stage_id, w)
    select 0, pipeline_id, close_month, stage_id, sum(w) from deal_weights group by pipeline_id, close_month, stage_id
  `.execute(db);
  await sql`
    update deal_totals set weighted_fen100 = dw.w
    from deal_weights dw
    where dw.owner_id = deal_totals.owner_id and dw.pipeline_id = deal_totals.pipeline_id
      and dw.close_month = deal_totals.close_month and dw.stage_id = deal_totals.stage_id
  `.execute(db);
  await sql`drop table deal_weights`.execute(db);
}
