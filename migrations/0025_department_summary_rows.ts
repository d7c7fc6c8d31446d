import { TZDate } from '@date-fns/tz';
import { sql, type Kysely } from 'kysely';

// Frozen. The two owner-keyed summaries gain department rows: owner_id = −department id holds that department's own
// members added up (not its sub-departments), kept in step with the per-owner rows on every write and moved when a
// user changes department (src/access: departmentKey). /pipeline for a department reads a few department keys
// instead of every member's rows (~60 owners: 4 ms → well under 1 ms on the large dataset).
//
// stage_month_stats is rebuilt from the stage history, re-keyed owner before month — (pipeline, owner, month, stage) —
// so one owner key (a rep, a department, the company) is one range of the key. Rebuilt rather than copied: until
// now a deal that changed owner kept its history under the old owner in the incremental rows (the rebuild files it
// under the current owner, as every write does from now on). The counting rules are those of
// src/features/pipeline-analytics/rollup.ts at this migration, copied here so the migration never changes.
//
// deal_totals was always kept by current owner: its department rows are added up from its per-owner rows.
// One transaction: a failure leaves the database as it was.

const COUNTERS = ['entered', 'exits', 'advanced', 'lost', 'won', 'days_sum', 'cycle_days_sum', 'won_amount_fen'] as const;
type Counters = Record<(typeof COUNTERS)[number], number>;
const zero = (): Counters => ({ entered: 0, exits: 0, advanced: 0, lost: 0, won: 0, days_sum: 0, cycle_days_sum: 0, won_amount_fen: 0 });
const DAY_MS = 86_400_000;

interface History {
  id: number;
  from_stage_id: number | null;
  to_stage_id: number;
  changed_at: string;
  amount_fen: number;
  days_in_from_stage: number | null;
  owner_id: number;
  created_at: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const company = (await sql<{ time_zone: string | null }>`select time_zone from company where id = 1`.execute(trx)).rows[0];
    const zone = company?.time_zone || 'Asia/Shanghai';
    const stages = new Map(
      (await sql<{ id: number; sort_order: number; kind: string; pipeline_id: number }>`select id, sort_order, kind, pipeline_id from pipeline_stages`.execute(trx)).rows.map((s) => [s.id, s]),
    );
    const departmentOf = new Map((await sql<{ id: number; department_id: number | null }>`select id, department_id from users`.execute(trx)).rows.map((u) => [u.id, u.department_id]));
    const months = new Map<string, string>();
    const monthOf = (at: string): string => {
      let m = months.get(at.slice(0, 16));
      if (m === undefined) {
        const d = new TZDate(new Date(at).getTime(), zone);
        m = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
        months.set(at.slice(0, 16), m);
      }
      return m;
    };

    const totals = new Map<string, Counters>();
    const bump = (pipelineId: number, month: string, ownerId: number, stageId: number, d: Counters) => {
      const department = departmentOf.get(ownerId);
      for (const owner of department == null ? [ownerId, 0] : [ownerId, 0, -department]) {
        const key = `${pipelineId}|${owner}|${month}|${stageId}`;
        const t = totals.get(key) ?? zero();
        for (const c of COUNTERS) t[c] += d[c];
        totals.set(key, t);
      }
    };
    let after = 0;
    for (;;) {
      const chunk = (
        await sql<History>`
          select h.id, h.from_stage_id, h.to_stage_id, h.changed_at, h.amount_fen, h.days_in_from_stage, o.owner_id, o.created_at
          from opportunity_stage_history h join opportunities o on o.id = h.opportunity_id
          where h.id > ${after} order by h.id limit 20000
        `.execute(trx)
      ).rows;
      if (chunk.length === 0) break;
      for (const h of chunk) {
        const to = stages.get(h.to_stage_id);
        if (!to) continue;
        const month = monthOf(h.changed_at);
        const entered = zero();
        entered.entered = 1;
        if (to.kind === 'won') {
          entered.cycle_days_sum = Math.max(0, Math.floor((Date.parse(h.changed_at) - Date.parse(h.created_at)) / DAY_MS));
          entered.won_amount_fen = h.amount_fen;
        }
        const from = h.from_stage_id === null ? undefined : stages.get(h.from_stage_id);
        if (h.from_stage_id !== null && from) {
          const left = zero();
          left.exits = 1;
          left.days_sum = h.days_in_from_stage ?? 0;
          if (to.kind === 'lost') left.lost = 1;
          else if (to.kind === 'won') {
            left.won = 1;
            left.advanced = 1;
          } else if (to.sort_order > from.sort_order) left.advanced = 1;
          bump(to.pipeline_id, month, h.owner_id, h.from_stage_id, left);
        }
        bump(to.pipeline_id, month, h.owner_id, h.to_stage_id, entered);
      }
      after = chunk[chunk.length - 1]!.id;
    }

    let table = trx.schema
      .createTable('stage_month_stats_new')
      .addColumn('pipeline_id', 'integer', (c) => c.notNull())
      .addColumn('owner_id', 'integer', (c) => c.notNull())
      .addColumn('month', 'text', (c) => c.notNull())
      .addColumn('stage_id', 'integer', (c) => c.notNull());
    for (const c of COUNTERS) table = table.addColumn(c, 'integer', (col) => col.notNull().defaultTo(0));
    await table.addPrimaryKeyConstraint('stage_month_stats_key', ['pipeline_id', 'owner_id', 'month', 'stage_id']).modifyEnd(sql`without rowid`).execute();
    const rows = [...totals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (let i = 0; i < rows.length; i += 500) {
      await trx
        .insertInto('stage_month_stats_new')
        .values(
          rows.slice(i, i + 500).map(([key, t]) => {
            const [p, o, month, s] = key.split('|');
            return { pipeline_id: Number(p), owner_id: Number(o), month, stage_id: Number(s), ...t };
          }),
        )
        .execute();
    }
    await trx.schema.dropTable('stage_month_stats').execute();
    await trx.schema.alterTable('stage_month_stats_new').renameTo('stage_month_stats').execute();

    await sql`
      insert into deal_totals (owner_id, pipeline_id, close_month, stage_id, deals, amount_fen, weighted_fen100)
      select -u.department_id, t.pipeline_id, t.close_month, t.stage_id, sum(t.deals), sum(t.amount_fen), sum(t.weighted_fen100)
      from deal_totals t join users u on u.id = t.owner_id
      where t.owner_id > 0 and u.department_id is not null
      group by u.department_id, t.pipeline_id, t.close_month, t.stage_id
    `.execute(trx);
  });
}
