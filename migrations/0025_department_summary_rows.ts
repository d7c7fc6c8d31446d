import { sql, type Kysely } from 'kysely';

// Frozen. The two owner-keyed summaries gain department rows: owner_id = −department id holds that department's own
// members added up (not its sub-departments), kept in step with the per-owner rows on every write and moved when a
// user changes department (src/access: departmentKey). /pipeline for a department reads a few department keys
// instead of every member's rows (~60 owners: 4 ms → well under 1 ms on the large dataset).
//
// stage_month_stats is also re-keyed owner before month — (pipeline, owner, month, stage) — so one owner key (a rep,
// a department, the company) is one range of the key; month before owner made every report read the whole period's
// rows of every owner and keep the few it wanted.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const counters = ['entered', 'exits', 'advanced', 'lost', 'won', 'days_sum', 'cycle_days_sum', 'won_amount_fen'];
  let table = db.schema
    .createTable('stage_month_stats_new')
    .addColumn('pipeline_id', 'integer', (c) => c.notNull())
    .addColumn('owner_id', 'integer', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('stage_id', 'integer', (c) => c.notNull());
  for (const c of counters) table = table.addColumn(c, 'integer', (col) => col.notNull().defaultTo(0));
  await table
    .addPrimaryKeyConstraint('stage_month_stats_key', ['pipeline_id', 'owner_id', 'month', 'stage_id'])
    .modifyEnd(sql`without rowid`)
    .execute();
  const list = sql.raw(counters.join(', '));
  const sums = sql.raw(counters.map((c) => `sum(s.${c})`).join(', '));
  await sql`
    insert into stage_month_stats_new (pipeline_id, owner_id, month, stage_id, ${list})
    select pipeline_id, owner_id, month, stage_id, ${list} from stage_month_stats
    order by pipeline_id, owner_id, month, stage_id
  `.execute(db);
  await sql`
    insert into stage_month_stats_new (pipeline_id, owner_id, month, stage_id, ${list})
    select s.pipeline_id, -u.department_id, s.month, s.stage_id, ${sums}
    from stage_month_stats s join users u on u.id = s.owner_id
    where s.owner_id > 0 and u.department_id is not null
    group by s.pipeline_id, u.department_id, s.month, s.stage_id
  `.execute(db);
  await db.schema.dropTable('stage_month_stats').execute();
  await db.schema.alterTable('stage_month_stats_new').renameTo('stage_month_stats').execute();

  await sql`
    insert into deal_totals (owner_id, pipeline_id, close_month, stage_id, deals, amount_fen, weighted_fen100)
    select -u.department_id, t.pipeline_id, t.close_month, t.stage_id, sum(t.deals), sum(t.amount_fen), sum(t.weighted_fen100)
    from deal_totals t join users u on u.id = t.owner_id
    where t.owner_id > 0 and u.department_id is not null
    group by u.department_id, t.pipeline_id, t.close_month, t.stage_id
  `.execute(db);
}
