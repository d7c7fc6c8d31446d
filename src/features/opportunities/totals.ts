import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../../db/index.ts';
import { lastDayOf, shiftMonth } from '../../lib/dates.ts';
import { ownerKeyIn, summaryKeys, summaryKeysOfAll } from './summary-keys.ts';
import { memberOnlyScope, ownerKeyScope, ownerSummaryKeys, scope, seesAllRecords, WHOLE_COMPANY, type Viewer } from '../../access/index.ts';

/*
 * deal_totals (migrations/0022, 0023): deals counted and summed by owner, pipeline, stage and expected close month, kept
 * in step by every command that writes a deal (in its transaction), so the board's column totals and the overview
 * table read a few hundred summary rows instead of counting every deal in scope. Rows are keyed by owner key
 * (src/access): a user, the whole company (WHOLE_COMPANY) or a department (departmentKey; summary-keys.ts).
 * test/opportunities/totals.test.ts proves they always equal the deals themselves.
 */

/** What a deal adds to deal_totals. */
export interface DealFigures {
  owner_id: number;
  pipeline_id: number;
  stage_id: number;
  /** YYYY-MM-DD */
  expected_close_date: string;
  amount_fen: number;
  /** Percent (0–100). */
  probability: number;
}

interface Key {
  owner_id: number;
  pipeline_id: number;
  close_month: string;
  stage_id: number;
}

const keyOf = (f: DealFigures): Key => ({ owner_id: f.owner_id, pipeline_id: f.pipeline_id, close_month: f.expected_close_date.slice(0, 7), stage_id: f.stage_id });
const sameKey = (a: Key, b: Key) => a.owner_id === b.owner_id && a.pipeline_id === b.pipeline_id && a.close_month === b.close_month && a.stage_id === b.stage_id;

const weightOf = (f: DealFigures): number => f.amount_fen * f.probability;

/** Adds to a key's rows: the owner's, the company's and the owner's department's (`keys`, from summaryKeys). */
async function bump(trx: Db, keys: number[], key: Key, deals: number, amountFen: number, weighted: number): Promise<void> {
  for (const owner_id of keys) {
    await trx
      .insertInto('deal_totals')
      .values({ ...key, owner_id, deals, amount_fen: amountFen, weighted_fen100: weighted })
      .onConflict((oc) =>
        oc.columns(['owner_id', 'pipeline_id', 'close_month', 'stage_id']).doUpdateSet((eb) => ({
          deals: eb('deal_totals.deals', '+', deals),
          amount_fen: eb('deal_totals.amount_fen', '+', amountFen),
          weighted_fen100: eb('deal_totals.weighted_fen100', '+', weighted),
        })),
      )
      .execute();
  }
}

/**
 * Moves a deal's figures in deal_totals: `before` null for a new deal, `after` null for a deleted one. Call it in the
 * transaction that writes the deal, with that transaction.
 */
export async function changeDealTotals(trx: Db, before: DealFigures | null, after: DealFigures | null): Promise<void> {
  // The owner's keys, read once per owner (a stage move has the same owner before and after).
  const keysBefore = before ? await summaryKeys(trx, before.owner_id) : [];
  const keysAfter = after ? (before && before.owner_id === after.owner_id ? keysBefore : await summaryKeys(trx, after.owner_id)) : [];
  if (before && after) {
    const a = keyOf(before);
    const b = keyOf(after);
    if (sameKey(a, b)) {
      if (after.amount_fen !== before.amount_fen || weightOf(after) !== weightOf(before)) {
        await bump(trx, keysAfter, b, 0, after.amount_fen - before.amount_fen, weightOf(after) - weightOf(before));
      }
      return;
    }
  }
  if (before) await bump(trx, keysBefore, keyOf(before), -1, -before.amount_fen, -weightOf(before));
  if (after) await bump(trx, keysAfter, keyOf(after), 1, after.amount_fen, weightOf(after));
}

/** Recomputes deal_totals from the deals (after a bulk load that bypassed the commands, e.g. the large seed). */
export async function rebuildDealTotals(db: Db): Promise<void> {
  await db.deleteFrom('deal_totals').execute();
  const keysOf = await summaryKeysOfAll(db);
  const rows = await db
    .selectFrom('opportunities')
    .select([
      'owner_id',
      'pipeline_id',
      'stage_id',
      'expected_close_date',
      (eb) => eb.fn.countAll<number>().as('n'),
      (eb) => eb.fn.sum<number>('amount_fen').as('amount'),
      (eb) => eb.fn.sum<number>(eb('amount_fen', '*', eb.ref('probability'))).as('weighted'),
    ])
    .groupBy(['owner_id', 'pipeline_id', 'stage_id', 'expected_close_date'])
    .execute();
  const sums = new Map<string, Key & { deals: number; amount_fen: number; weighted_fen100: number }>();
  for (const r of rows) {
    const k = keyOf({ ...r, amount_fen: 0, probability: 0 });
    for (const owner_id of keysOf(k.owner_id)) {
      const id = `${owner_id}|${k.pipeline_id}|${k.close_month}|${k.stage_id}`;
      const t = sums.get(id) ?? { ...k, owner_id, deals: 0, amount_fen: 0, weighted_fen100: 0 };
      t.deals += Number(r.n);
      t.amount_fen += Number(r.amount);
      t.weighted_fen100 += Number(r.weighted);
      sums.set(id, t);
    }
  }
  const all = [...sums.values()];
  for (let i = 0; i < all.length; i += 500) await db.insertInto('deal_totals').values(all.slice(i, i + 500)).execute();
}

// ---------- reading ----------

/**
 * Splits an inclusive close-date range (either end open) into the whole months deal_totals answers and the days at
 * either end that only the deals can (a range starting on the 15th: the 15th to the month's end from the deals).
 */
export function splitByMonth(from?: string, to?: string): { months: { from?: string; to?: string } | null; days: [string, string][] } {
  if (from && to && from > to) return { months: null, days: [] };
  let mFrom = from?.slice(0, 7);
  let mTo = to?.slice(0, 7);
  const wholeStart = !from || from.endsWith('-01');
  const wholeEnd = !to || to === lastDayOf(mTo!);
  if (from && to && mFrom === mTo && !(wholeStart && wholeEnd)) return { months: null, days: [[from, to]] };
  const days: [string, string][] = [];
  if (!wholeStart) {
    days.push([from!, lastDayOf(mFrom!)]);
    mFrom = shiftMonth(mFrom!, 1);
  }
  if (!wholeEnd) {
    days.push([`${mTo!}-01`, to!]);
    mTo = shiftMonth(mTo!, -1);
  }
  return { months: mFrom && mTo && mFrom > mTo ? null : { from: mFrom, to: mTo }, days };
}

export interface TotalsQuery {
  /** One pipeline, or (absent) all of them. */
  pipelineId?: number;
  /** Inclusive bounds (YYYY-MM-DD) on the expected close date; either may be absent. */
  from?: string;
  to?: string;
  /** Within the viewer's scope: only this owner's deals, or everyone's but this owner's. */
  owner?: number;
  exceptOwner?: number;
  /** Per stage, or per stage and owner. */
  by: 'stage' | 'owner';
  /**
   * Also Σ amount × probability (weightedFen100; 0 otherwise). Reading the deals for it needs the probability, which
   * the covering close-date indexes that serve the ends of a period do not hold: ask only where it is shown.
   */
  weighted?: boolean;
}

export interface TotalsRow {
  stage_id: number;
  /** null when `by` is 'stage'. */
  owner_id: number | null;
  deals: number;
  amountFen: number;
  /** Σ amount × probability in fen × 100 (with `weighted`): divide by 100 once, after adding rows up. */
  weightedFen100: number;
}

type Sum = number | string | bigint | null;
type Grouped = { stage_id: number; owner_id?: number; n: Sum; amount: Sum; weighted: Sum };

/**
 * The deals the viewer may see, counted and summed by stage (and owner): whole months from deal_totals through the
 * owners the viewer covers; from the deals themselves the days at either end of the period that are not whole months,
 * and, for a viewer who is also a team member of others' deals, those few deals (memberOnlyScope).
 */
export async function dealTotals(db: Db, viewer: Viewer, q: TotalsQuery): Promise<TotalsRow[]> {
  const ownerScope = ownerKeyScope(viewer, 't.owner_id');
  const memberOnly = memberOnlyScope(viewer, 'opportunities', 'o');
  const split = splitByMonth(q.from, q.to);
  const parts: Grouped[][] = [];
  const raw: { from?: string; to?: string; where: Expression<SqlBool> }[] = split.days.map(([from, to]) => ({ from, to, where: scope(viewer, 'opportunities', { alias: 'o' }) }));
  if (split.months) {
    const m = split.months;
    let s = db.selectFrom('deal_totals as t');
    if (q.pipelineId !== undefined) s = s.where('t.pipeline_id', '=', q.pipelineId);
    if (m.from) s = s.where('t.close_month', '>=', m.from);
    if (m.to) s = s.where('t.close_month', '<=', m.to);
    if (q.by === 'stage' && q.owner === undefined && q.exceptOwner === undefined) {
      // Everything the viewer covers, added up: the company's rows, a manager's departments', a rep's own.
      s = s.where((eb) => ownerKeyIn(eb.ref('t.owner_id'), ownerSummaryKeys(viewer)));
    } else {
      // Users' rows only (owner keys > 0), not the company's nor the departments': said outright only for those who
      // see everything (ownerKeyScope is then no condition); anyone else's scope names users, and a range here could
      // lead SQLite away from reading their owners one by one.
      s = seesAllRecords(viewer) ? s.where('t.owner_id', '>', WHOLE_COMPANY) : s.where(ownerScope);
      if (q.owner !== undefined) s = s.where('t.owner_id', '=', q.owner);
      if (q.exceptOwner !== undefined) s = s.where('t.owner_id', '<>', q.exceptOwner);
    }
    const sums = s.select([
      't.stage_id',
      (eb) => eb.fn.sum<number>('t.deals').as('n'),
      (eb) => eb.fn.sum<number>('t.amount_fen').as('amount'),
      (eb) => (q.weighted ? eb.fn.sum<number>('t.weighted_fen100') : sql<number>`0`).as('weighted'),
    ]);
    parts.push(q.by === 'owner' ? await sums.select('t.owner_id').groupBy(['t.stage_id', 't.owner_id']).execute() : await sums.groupBy('t.stage_id').execute());
    // One's own deals are never member-only: a viewer's "mine" needs no second read.
    if (memberOnly && q.owner !== viewer.id) raw.push({ from: m.from && `${m.from}-01`, to: m.to && lastDayOf(m.to), where: memberOnly });
  }
  for (const range of raw) {
    let r = db.selectFrom('opportunities as o').where(range.where);
    if (q.pipelineId !== undefined) r = r.where('o.pipeline_id', '=', q.pipelineId);
    if (range.from) r = r.where('o.expected_close_date', '>=', range.from);
    if (range.to) r = r.where('o.expected_close_date', '<=', range.to);
    if (q.owner !== undefined) r = r.where('o.owner_id', '=', q.owner);
    if (q.exceptOwner !== undefined) r = r.where('o.owner_id', '<>', q.exceptOwner);
    const sums = r.select([
      'o.stage_id',
      (eb) => eb.fn.countAll<number>().as('n'),
      (eb) => eb.fn.sum<number>('o.amount_fen').as('amount'),
      (eb) => (q.weighted ? eb.fn.sum<number>(eb('o.amount_fen', '*', eb.ref('o.probability'))) : sql<number>`0`).as('weighted'),
    ]);
    parts.push(q.by === 'owner' ? await sums.select('o.owner_id').groupBy(['o.stage_id', 'o.owner_id']).execute() : await sums.groupBy('o.stage_id').execute());
  }
  const merged = new Map<string, TotalsRow>();
  for (const rows of parts) {
    for (const g of rows) {
      const owner = q.by === 'owner' ? (g.owner_id ?? null) : null;
      const id = `${g.stage_id}|${owner}`;
      const t = merged.get(id) ?? { stage_id: g.stage_id, owner_id: owner, deals: 0, amountFen: 0, weightedFen100: 0 };
      t.deals += Number(g.n ?? 0);
      t.amountFen += Number(g.amount ?? 0);
      t.weightedFen100 += Number(g.weighted ?? 0);
      merged.set(id, t);
    }
  }
  return [...merged.values()].filter((t) => t.deals !== 0);
}
