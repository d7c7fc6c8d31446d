import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../../db/index.ts';
import { countScopes, MEMBER_ID_LIST_MAX, type Viewer } from '../../access/index.ts';
import { dealTotals } from '../opportunities/totals.ts';
import { dayRangeUtc } from '../../lib/dates.ts';
import { flagsForOpportunities, type Flag } from '../alerts/queries.ts';
import { quarterOf, todayIn } from '../../lib/dates.ts';

/** How many of the viewer's largest open deals the home page checks for alerts, and how many it lists. */
const ALERTS_SHOWN = 10;
const TASKS_SHOWN = 20;

export interface StageTotal {
  stage_id: number;
  stage_name: string;
  pipeline_name: string;
  n: number;
  amount_fen: number;
}

export interface PipelineFigures {
  stages: StageTotal[];
  openCount: number;
  openAmount: number;
  /** Open deals expected to close this quarter: amount and amount × probability. */
  quarterAmount: number;
  quarterWeighted: number;
  wonCount: number;
  wonAmount: number;
}

/**
 * Open deals by stage, this quarter's open and weighted amounts, and what was won this quarter: the viewer's own
 * deals (`owner`), or all they see. The open figures come from deal_totals (dealTotals: whole months from the
 * summary; a quarter is whole months), so a manager's team costs a few hundred summary rows, not every open deal of
 * the team (~30 ms on the large dataset).
 */
async function pipelineFigures(
  db: Db,
  viewer: Viewer,
  owner: number | undefined,
  quarter: { from: string; to: string; startUtc: string; endUtc: string },
  /** The won deals to count: the same deals as `owner`, as disjoint parts to count and add up (see countScopes). */
  wonWho: Expression<SqlBool>[],
): Promise<PipelineFigures> {
  const [stages, all, inQuarter, won] = await Promise.all([
    db
      .selectFrom('pipeline_stages as s')
      .innerJoin('pipelines as p', 'p.id', 's.pipeline_id')
      .select(['s.id as stage_id', 's.name as stage_name', 'p.name as pipeline_name'])
      .where('s.kind', '=', 'open')
      .orderBy('p.sort_order')
      .orderBy('p.id')
      .orderBy('s.sort_order')
      .execute(),
    dealTotals(db, viewer, { by: 'stage', owner }),
    dealTotals(db, viewer, { by: 'stage', owner, from: quarter.from, to: quarter.to, weighted: true }),
    Promise.all(
      wonWho.map((who) =>
        db
          .selectFrom('opportunities as o')
          .select([(eb) => eb.fn.countAll<number>().as('n'), sql<number>`coalesce(sum(o.amount_fen), 0)`.as('amount')])
          .where('o.status', '=', 'won')
          .where('o.closed_at', '>=', quarter.startUtc)
          .where('o.closed_at', '<', quarter.endUtc)
          .where(who)
          .executeTakeFirstOrThrow(),
      ),
    ),
  ]);
  const open = new Set(stages.map((s) => s.stage_id));
  const byStage = new Map(all.filter((t) => open.has(t.stage_id)).map((t) => [t.stage_id, t]));
  const rows = stages.filter((s) => byStage.has(s.stage_id)).map((s) => ({ ...s, n: byStage.get(s.stage_id)!.deals, amount_fen: byStage.get(s.stage_id)!.amountFen }));
  const quarterOpen = inQuarter.filter((t) => open.has(t.stage_id));
  return {
    stages: rows,
    openCount: rows.reduce((a, s) => a + s.n, 0),
    openAmount: rows.reduce((a, s) => a + s.amount_fen, 0),
    quarterAmount: quarterOpen.reduce((a, t) => a + t.amountFen, 0),
    // Σ amount × probability% in fen, rounded once at the end.
    quarterWeighted: Math.round(quarterOpen.reduce((a, t) => a + t.weightedFen100, 0) / 100),
    wonCount: won.reduce((a, w) => a + Number(w.n), 0),
    wonAmount: won.reduce((a, w) => a + Number(w.amount), 0),
  };
}

export interface SalesDay {
  today: string;
  quarter: { from: string; to: string };
  mine: PipelineFigures;
  tasks: Array<{ id: number; subject: string; starts_at: string; customer_name: string | null; opportunity_id: number | null; overdue: boolean }>;
  alerts: Array<{ id: number; name: string; amount_fen: number; flags: Flag[] }>;
  team: (PipelineFigures & { atRisk: number }) | null;
}

/** Everything the sales home page shows, in a handful of indexed queries. */
export async function salesDay(db: Db, viewer: Viewer, timeZone: string, now = new Date()): Promise<SalesDay> {
  const today = todayIn(timeZone, now);
  const q = quarterOf(today);
  const qr = dayRangeUtc(q.from, q.to, timeZone);
  const quarter = { ...q, startUtc: qr.start!, endUtc: qr.end! };
  const todayRange = dayRangeUtc(today, today, timeZone);
  const mineCond = sql<SqlBool>`o.owner_id = ${viewer.id}`;
  const seesTeam = viewer.role === 'sales_manager' || viewer.role === 'sales_director' || viewer.role === 'general_manager';

  const [mine, tasks] = await Promise.all([
    pipelineFigures(db, viewer, viewer.id, quarter, [mineCond]),
    db
      .selectFrom('activities as a')
      .leftJoin('customers as c', 'c.id', 'a.customer_id')
      .select(['a.id', 'a.subject', 'a.starts_at', 'c.name as customer_name', 'a.opportunity_id'])
      .where('a.owner_id', '=', viewer.id)
      .where('a.status', '=', 'planned')
      .where('a.type', '=', 'task')
      .where('a.starts_at', '<', todayRange.end!)
      .orderBy('a.starts_at')
      .limit(TASKS_SHOWN)
      .execute(),
  ]);
  // The largest of the viewer's deals at risk now (opportunities.risk_at, kept by the alerts feature), with their
  // flags' words computed for just those; a few spare in case one changed since its risk was stored.
  const nowIso = now.toISOString();
  const risky = await db
    .selectFrom('opportunities as o')
    .select(['o.id', 'o.name', 'o.amount_fen'])
    .where('o.owner_id', '=', viewer.id)
    .where('o.status', '=', 'open')
    .where('o.risk_at', '<=', nowIso)
    .orderBy('o.amount_fen', 'desc')
    .orderBy('o.id', 'desc')
    .limit(ALERTS_SHOWN * 2)
    .execute();
  const myFlags = await flagsForOpportunities(db, risky.map((o) => o.id), now);
  const alerts = risky.filter((o) => (myFlags.get(o.id) ?? []).length > 0).slice(0, ALERTS_SHOWN).map((o) => ({ ...o, flags: myFlags.get(o.id)! }));

  let team: SalesDay['team'] = null;
  if (seesTeam) {
    // The deals they are on the team of, read first: the team-member part of the counts then reads them by id.
    const memberIds = viewer.memberOf.has('opportunities')
      ? (await db.selectFrom('record_members').select('record_id').where('user_id', '=', viewer.id).where('entity', '=', 'opportunities').limit(MEMBER_ID_LIST_MAX + 1).execute()).map((r) => r.record_id)
      : undefined;
    const teamParts = countScopes(viewer, 'opportunities', 'o', memberIds);
    const [figures, risk] = await Promise.all([
      pipelineFigures(db, viewer, undefined, quarter, teamParts),
      Promise.all(
        teamParts.map((who) =>
          db
            .selectFrom('opportunities as o')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('o.status', '=', 'open')
            .where('o.risk_at', '<=', nowIso)
            .where(who)
            .executeTakeFirstOrThrow(),
        ),
      ),
    ]);
    team = { ...figures, atRisk: risk.reduce((a, r) => a + Number(r.n), 0) };
  }
  return {
    today,
    quarter: q,
    mine,
    tasks: tasks.map((t) => ({ ...t, overdue: t.starts_at < todayRange.start! })),
    alerts,
    team,
  };
}
