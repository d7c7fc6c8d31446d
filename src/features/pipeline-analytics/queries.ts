
import type { Db } from '../../db/index.ts';
import { whileUnchanged } from '../../db/cache.ts';
import { stagesOf } from '../pipelines/queries.ts';
import { monthsBetween } from '../../lib/dates.ts';
import { departmentKey, isAdmin, isManager, seesAllRecords, userScope, userScopeKey, WHOLE_COMPANY, type Viewer } from '../../access/index.ts';
import { monthOf, withStats } from './rollup.ts';
import { ownerKeyIn } from '../opportunities/summary-keys.ts';

export type Scope = { kind: 'company' } | { kind: 'department'; id: number } | { kind: 'rep'; id: number };

export const scopeParam = (s: Scope): string => (s.kind === 'company' ? 'company' : `${s.kind}:${s.id}`);

export function parseScope(raw: string | undefined): Scope | null | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'company') return { kind: 'company' };
  const m = /^(department|rep):(\d{1,15})$/.exec(raw);
  if (!m) return null;
  return { kind: m[1] as 'department' | 'rep', id: Number(m[2]) };
}

/** The scopes a viewer may pick: company for those who see all; their departments; the reps they reach. */
export async function scopeOptions(db: Db, viewer: Viewer) {
  // A director's picker lists every department and rep (~200 on the large dataset): kept while nothing changes.
  return whileUnchanged(db, `scope-options:${viewer.role}:${userScopeKey(viewer)}`, async () => {
    const departments = seesAllRecords(viewer)
      ? await db.selectFrom('departments').select(['id', 'name', 'path']).orderBy('path').execute()
      : isManager(viewer) && viewer.departmentIds.length > 0
        ? await db.selectFrom('departments').select(['id', 'name', 'path']).where('id', 'in', viewer.departmentIds).orderBy('path').execute()
        : [];
    const reps = await db
      .selectFrom('users')
      .select(['id', 'display_name'])
      .where(userScope(viewer, 'users'))
      .where('role', 'in', ['sales_rep', 'sales_manager'])
      .where('active', '=', 1)
      .orderBy('display_name')
      .execute();
    return { company: seesAllRecords(viewer), departments, reps };
  });
}

/** The default scope: the widest the viewer reaches. */
export function defaultScope(viewer: Viewer): Scope {
  if (seesAllRecords(viewer)) return { kind: 'company' };
  if (isManager(viewer) && viewer.departmentId !== null) return { kind: 'department', id: viewer.departmentId };
  return { kind: 'rep', id: viewer.id };
}

/**
 * Whose deals a report covers, as owner keys of the summaries (src/access): users, departments (departmentKey: a
 * department's own members), or the whole company.
 */
export type Owners = number[] | 'company';

/** The owner keys a scope covers, or null when the viewer may not see it (→ 404). */
export async function ownersInScope(db: Db, viewer: Viewer, s: Scope): Promise<Owners | null> {
  if (isAdmin(viewer)) return null;
  if (s.kind === 'company') return seesAllRecords(viewer) ? 'company' : null;
  if (s.kind === 'department') {
    // A manager's departments are their own and every one below it: the whole subtree is theirs to see.
    if (!seesAllRecords(viewer) && !(isManager(viewer) && viewer.departmentIds.includes(s.id))) return null;
    const dept = await db.selectFrom('departments').select('path').where('id', '=', s.id).executeTakeFirst();
    if (!dept) return null;
    const subtree = await db.selectFrom('departments').select('id').where('path', 'like', `${dept.path}%`).orderBy('id').execute();
    return subtree.map((d) => departmentKey(d.id));
  }
  const one = await db.selectFrom('users').select('users.id').where(userScope(viewer, 'users')).where('users.id', '=', s.id).execute();
  return one.length === 1 ? [s.id] : null;
}

export interface StageFigures {
  id: number;
  name: string;
  kind: string;
  probability: number;
  openCount: number;
  openAmountFen: number;
  entered: number;
  exits: number;
  advanced: number;
  lost: number;
  won: number;
  /** advanced ÷ exits, 0–1; null without exits. */
  conversion: number | null;
  /** days_sum ÷ exits; null without exits. */
  avgDays: number | null;
}

export interface PipelineAnalytics {
  stages: StageFigures[];
  wonCount: number;
  lostCount: number;
  winRate: number | null;
  avgCycleDays: number | null;
  avgWonAmountFen: number | null;
  openCount: number;
  openAmountFen: number;
  /** open deals × win rate × average won amount ÷ average cycle days: fen per day. */
  velocityFenPerDay: number | null;
  months: { month: string; won: number; lost: number; wonAmountFen: number }[];
}

/** The rollup for one pipeline, a range of months and some owner keys, grouped by stage and month. */
export function rollupQuery(db: Db, pipelineId: number, fromMonth: string, toMonth: string, owners: Owners) {
  return withStats(db)
    .selectFrom('stage_month_stats as s')
    .select((eb) => [
      's.stage_id',
      's.month',
      eb.fn.sum<number>('s.entered').as('entered'),
      eb.fn.sum<number>('s.exits').as('exits'),
      eb.fn.sum<number>('s.advanced').as('advanced'),
      eb.fn.sum<number>('s.lost').as('lost'),
      eb.fn.sum<number>('s.won').as('won'),
      eb.fn.sum<number>('s.days_sum').as('days_sum'),
      eb.fn.sum<number>('s.cycle_days_sum').as('cycle_days_sum'),
      eb.fn.sum<number>('s.won_amount_fen').as('won_amount_fen'),
    ])
    .where('s.pipeline_id', '=', pipelineId)
    .where('s.month', '>=', fromMonth)
    .where('s.month', '<=', toMonth)
    .where((eb) => ownerKeyIn(eb.ref('s.owner_id'), owners === 'company' ? [WHOLE_COMPANY] : owners))
    .groupBy(['s.month', 's.stage_id']);
}

/**
 * Deals per stage of one pipeline for a set of owners, every close month, from deal_totals (kept in step with every
 * write of a deal): the open stages' figures are the current funnel. The company's own rows for the whole company.
 */
export function openFunnelQuery(db: Db, pipelineId: number, owners: Owners) {
  return db
    .selectFrom('deal_totals as t')
    .select((eb) => ['t.stage_id', eb.fn.sum<number>('t.deals').as('n'), eb.fn.sum<number>('t.amount_fen').as('amount')])
    .where((eb) => ownerKeyIn(eb.ref('t.owner_id'), owners === 'company' ? [WHOLE_COMPANY] : owners))
    .where('t.pipeline_id', '=', pipelineId)
    .groupBy('t.stage_id');
}

async function openFunnel(db: Db, pipelineId: number, owners: Owners): Promise<Map<number, { n: number; amount: number }>> {
  const rows = await openFunnelQuery(db, pipelineId, owners).execute();
  return new Map(rows.map((r) => [r.stage_id, { n: Number(r.n), amount: Number(r.amount ?? 0) }]));
}

export async function pipelineAnalytics(db: Db, pipelineId: number, owners: Owners, fromMonth: string, toMonth: string): Promise<PipelineAnalytics> {
  const stageRows = await stagesOf(db, pipelineId);
  const openBy = await openFunnel(db, pipelineId, owners);
  const rolled = await rollupQuery(db, pipelineId, fromMonth, toMonth, owners).execute();
  const kindOf = new Map(stageRows.map((s) => [s.id, s.kind]));
  const per = new Map<number, { entered: number; exits: number; advanced: number; lost: number; won: number; days: number }>();
  const months = new Map(monthsBetween(fromMonth, toMonth).map((m) => [m, { month: m, won: 0, lost: 0, wonAmountFen: 0 }]));
  let wonCount = 0;
  let lostCount = 0;
  let cycleDays = 0;
  let wonAmount = 0;
  for (const r of rolled) {
    const p = per.get(r.stage_id) ?? { entered: 0, exits: 0, advanced: 0, lost: 0, won: 0, days: 0 };
    p.entered += Number(r.entered);
    p.exits += Number(r.exits);
    p.advanced += Number(r.advanced);
    p.lost += Number(r.lost);
    p.won += Number(r.won);
    p.days += Number(r.days_sum);
    per.set(r.stage_id, p);
    const kind = kindOf.get(r.stage_id);
    const month = months.get(r.month);
    if (kind === 'won') {
      wonCount += Number(r.entered);
      cycleDays += Number(r.cycle_days_sum);
      wonAmount += Number(r.won_amount_fen);
      if (month) {
        month.won += Number(r.entered);
        month.wonAmountFen += Number(r.won_amount_fen);
      }
    } else if (kind === 'lost') {
      lostCount += Number(r.entered);
      if (month) month.lost += Number(r.entered);
    }
  }
  const stages: StageFigures[] = stageRows.map((s) => {
    const p = per.get(s.id) ?? { entered: 0, exits: 0, advanced: 0, lost: 0, won: 0, days: 0 };
    const o = openBy.get(s.id) ?? { n: 0, amount: 0 };
    return {
      id: s.id,
      name: s.name,
      kind: s.kind,
      probability: s.probability,
      openCount: s.kind === 'open' ? o.n : 0,
      openAmountFen: s.kind === 'open' ? o.amount : 0,
      entered: p.entered,
      exits: p.exits,
      advanced: p.advanced,
      lost: p.lost,
      won: p.won,
      conversion: p.exits > 0 ? p.advanced / p.exits : null,
      avgDays: p.exits > 0 ? p.days / p.exits : null,
    };
  });
  const openCount = stages.reduce((a, s) => a + s.openCount, 0);
  const openAmountFen = stages.reduce((a, s) => a + s.openAmountFen, 0);
  const closed = wonCount + lostCount;
  const winRate = closed > 0 ? wonCount / closed : null;
  const avgCycleDays = wonCount > 0 ? cycleDays / wonCount : null;
  const avgWonAmountFen = wonCount > 0 ? wonAmount / wonCount : null;
  const velocityFenPerDay =
    winRate !== null && avgWonAmountFen !== null && avgCycleDays !== null ? (openCount * winRate * avgWonAmountFen) / Math.max(1, avgCycleDays) : null;
  return { stages, wonCount, lostCount, winRate, avgCycleDays, avgWonAmountFen, openCount, openAmountFen, velocityFenPerDay, months: [...months.values()] };
}

export async function pipelineChoices(db: Db) {
  return whileUnchanged(db, 'pipeline-choices', () =>
    db.selectFrom('pipelines').select(['id', 'name', 'is_default']).where('active', '=', 1).orderBy('sort_order').orderBy('id').execute(),
  );
}

/** The default period: the twelve months up to this one, in the company's zone. */
export function defaultPeriod(now: Date, timeZone: string): { from: string; to: string } {
  const to = monthOf(now.toISOString(), timeZone);
  const [y, m] = to.split('-').map(Number) as [number, number];
  const fm = m - 11;
  const from = fm >= 1 ? `${y}-${String(fm).padStart(2, '0')}` : `${y - 1}-${String(fm + 12).padStart(2, '0')}`;
  return { from, to };
}

