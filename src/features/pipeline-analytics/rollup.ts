import { TZDate } from '@date-fns/tz';
import type { Kysely } from 'kysely';
import type { Db } from '../../db/index.ts';
import type { DB } from '../../db/types.ts';
import { companyTimeZone } from '../company/queries.ts';
import { summaryKeys, summaryKeysOfAll } from '../opportunities/summary-keys.ts';

/** migrations/0009: the monthly rollup of the stage history. */
export interface StageMonthStatsTable {
  pipeline_id: number;
  month: string;
  owner_id: number;
  stage_id: number;
  entered: number;
  exits: number;
  advanced: number;
  lost: number;
  won: number;
  days_sum: number;
  cycle_days_sum: number;
  won_amount_fen: number;
}
export type AnalyticsDb = Kysely<DB & { stage_month_stats: StageMonthStatsTable }>;
export const withStats = (db: Db): AnalyticsDb => db.withTables<{ stage_month_stats: StageMonthStatsTable }>();

export type StageKind = 'open' | 'won' | 'lost';

export interface StageMove {
  pipelineId: number;
  /** null: the deal was created in `toStageId`. */
  fromStageId: number | null;
  toStageId: number;
  ownerId: number;
  /** UTC ISO instant of the change. */
  at: string;
  daysInFromStage: number | null;
  toKind: StageKind;
  /** For a move to a won stage: the deal's creation instant (cycle time) and its amount. Looked up by id if absent. */
  opportunityId?: number;
  createdAt?: string;
  amountFen?: number;
}

const DAY_MS = 86_400_000;

/** 'YYYY-MM' of a UTC instant in a time zone. */
export function monthOf(at: string, timeZone: string): string {
  const d = new TZDate(new Date(at).getTime(), timeZone);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

/** monthOf for many instants: the month only changes on a minute boundary in any zone, so memoise by minute. */
function monthMemo(timeZone: string): (at: string) => string {
  const memo = new Map<string, string>();
  return (at) => {
    const key = at.slice(0, 16);
    let m = memo.get(key);
    if (m === undefined) {
      m = monthOf(at, timeZone);
      memo.set(key, m);
    }
    return m;
  };
}

/** Whole days between two UTC instants. */
export const wholeDays = (from: string, to: string): number => Math.max(0, Math.floor((Date.parse(to) - Date.parse(from)) / DAY_MS));

interface StageInfo {
  sortOrder: number;
  kind: string;
  pipelineId: number;
}

type Delta = Omit<StageMonthStatsTable, 'pipeline_id' | 'month' | 'owner_id' | 'stage_id'>;
const zero = (): Delta => ({ entered: 0, exits: 0, advanced: 0, lost: 0, won: 0, days_sum: 0, cycle_days_sum: 0, won_amount_fen: 0 });

/** The counters one move adds: to the stage left (exit) and to the stage entered. */
function deltas(
  from: StageInfo | null,
  to: StageInfo,
  days: number | null,
  won: { cycleDays: number; amountFen: number } | null,
): { from: Delta | null; to: Delta } {
  const toDelta = zero();
  toDelta.entered = 1;
  if (to.kind === 'won' && won) {
    toDelta.cycle_days_sum = won.cycleDays;
    toDelta.won_amount_fen = won.amountFen;
  }
  if (!from) return { from: null, to: toDelta };
  const fromDelta = zero();
  fromDelta.exits = 1;
  fromDelta.days_sum = days ?? 0;
  if (to.kind === 'lost') fromDelta.lost = 1;
  else if (to.kind === 'won') {
    fromDelta.won = 1;
    fromDelta.advanced = 1;
  } else if (to.sortOrder > from.sortOrder) fromDelta.advanced = 1;
  return { from: fromDelta, to: toDelta };
}

// Rows are keyed by owner key (src/access): the owner's, the whole company's (WHOLE_COMPANY) and the owner's
// department's (departmentKey), kept in step with each other (summary-keys.ts): the company view reads 12 months ×
// the stages instead of summing ~24,000 per-owner rows (~10 ms at the large scale), a department a few keys instead
// of every member's.

async function add(db: AnalyticsDb, ownerKeys: number[], key: { pipeline_id: number; month: string; stage_id: number }, d: Delta): Promise<void> {
  for (const owner_id of ownerKeys) await addOne(db, { ...key, owner_id }, d);
}

async function addOne(db: AnalyticsDb, key: { pipeline_id: number; month: string; owner_id: number; stage_id: number }, d: Delta): Promise<void> {
  await db
    .insertInto('stage_month_stats')
    .values({ ...key, ...d })
    .onConflict((oc) =>
      oc.columns(['pipeline_id', 'month', 'owner_id', 'stage_id']).doUpdateSet((eb) => ({
        entered: eb('stage_month_stats.entered', '+', d.entered),
        exits: eb('stage_month_stats.exits', '+', d.exits),
        advanced: eb('stage_month_stats.advanced', '+', d.advanced),
        lost: eb('stage_month_stats.lost', '+', d.lost),
        won: eb('stage_month_stats.won', '+', d.won),
        days_sum: eb('stage_month_stats.days_sum', '+', d.days_sum),
        cycle_days_sum: eb('stage_month_stats.cycle_days_sum', '+', d.cycle_days_sum),
        won_amount_fen: eb('stage_month_stats.won_amount_fen', '+', d.won_amount_fen),
      })),
    )
    .execute();
}

/**
 * Records one stage change in the monthly rollup. Call it inside the stage-change transaction with that `trx`
 * (and on creation, with fromStageId null), so the rollup never disagrees with opportunity_stage_history.
 */
export async function recordStageMove(trx: Db, move: StageMove): Promise<void> {
  const ids = move.fromStageId === null ? [move.toStageId] : [move.fromStageId, move.toStageId];
  const rows = await trx.selectFrom('pipeline_stages').select(['id', 'sort_order', 'kind', 'pipeline_id']).where('id', 'in', ids).execute();
  const info = new Map(rows.map((r) => [r.id, { sortOrder: r.sort_order, kind: r.kind, pipelineId: r.pipeline_id }]));
  const to = info.get(move.toStageId) ?? { sortOrder: 0, kind: move.toKind, pipelineId: move.pipelineId };
  const from = move.fromStageId === null ? null : (info.get(move.fromStageId) ?? null);
  let won: { cycleDays: number; amountFen: number } | null = null;
  if (to.kind === 'won') {
    let createdAt = move.createdAt;
    let amountFen = move.amountFen;
    if ((createdAt === undefined || amountFen === undefined) && move.opportunityId !== undefined) {
      const o = await trx.selectFrom('opportunities').select(['created_at', 'amount_fen']).where('id', '=', move.opportunityId).executeTakeFirst();
      createdAt ??= o?.created_at;
      amountFen ??= o?.amount_fen;
    }
    won = { cycleDays: createdAt ? wholeDays(createdAt, move.at) : 0, amountFen: amountFen ?? 0 };
  }
  const month = monthOf(move.at, await companyTimeZone(trx));
  const d = deltas(from, to, move.daysInFromStage, won);
  const db = withStats(trx);
  const keys = await summaryKeys(trx, move.ownerId);
  if (d.from && move.fromStageId !== null) await add(db, keys, { pipeline_id: move.pipelineId, month, stage_id: move.fromStageId }, d.from);
  await add(db, keys, { pipeline_id: move.pipelineId, month, stage_id: move.toStageId }, d.to);
}

interface HistoryRow {
  from_stage_id: number | null;
  to_stage_id: number;
  changed_at: string;
  amount_fen: number;
  days_in_from_stage: number | null;
  /** The deal's. */
  created_at: string;
}

/** What one stage-history row adds to the rollup: the stage left and the stage entered, in the month of the move. */
function contributions(h: HistoryRow, info: Map<number, StageInfo>, monthAt: (at: string) => string): { pipeline_id: number; month: string; stage_id: number; d: Delta }[] {
  const to = info.get(h.to_stage_id);
  if (!to) return [];
  const from = h.from_stage_id === null ? null : (info.get(h.from_stage_id) ?? null);
  const won = to.kind === 'won' ? { cycleDays: wholeDays(h.created_at, h.changed_at), amountFen: h.amount_fen } : null;
  const d = deltas(from, to, h.days_in_from_stage, won);
  const month = monthAt(h.changed_at);
  const out = [{ pipeline_id: to.pipelineId, month, stage_id: h.to_stage_id, d: d.to }];
  if (d.from && h.from_stage_id !== null) out.unshift({ pipeline_id: to.pipelineId, month, stage_id: h.from_stage_id, d: d.from });
  return out;
}

async function stageInfo(db: Db): Promise<Map<number, StageInfo>> {
  const stages = await db.selectFrom('pipeline_stages').select(['id', 'sort_order', 'kind', 'pipeline_id']).execute();
  return new Map(stages.map((r) => [r.id, { sortOrder: r.sort_order, kind: r.kind, pipelineId: r.pipeline_id }]));
}

/** Stage-history rows with what counting them needs of their deal, in history order. */
const historyRows = (db: Db) =>
  db
    .selectFrom('opportunity_stage_history as h')
    .innerJoin('opportunities as o', 'o.id', 'h.opportunity_id')
    .select(['h.id', 'h.from_stage_id', 'h.to_stage_id', 'h.changed_at', 'h.amount_fen', 'h.days_in_from_stage', 'o.owner_id', 'o.created_at'])
    .orderBy('h.id');

/**
 * A deal changed owner: its whole stage history moves from the old owner's rows (and department's) to the new
 * owner's, as rebuildRollup files history under the deal's current owner. The company's rows do not change. Call it
 * in the transaction that writes the new owner.
 */
export async function moveDealHistory(trx: Db, opportunityId: number, fromOwner: number, toOwner: number): Promise<void> {
  if (fromOwner === toOwner) return;
  const [fromKeys, toKeys] = [await summaryKeys(trx, fromOwner), await summaryKeys(trx, toOwner)];
  const out = fromKeys.filter((k) => !toKeys.includes(k));
  const into = toKeys.filter((k) => !fromKeys.includes(k));
  const history = await historyRows(trx).where('h.opportunity_id', '=', opportunityId).execute();
  if (history.length === 0) return;
  const info = await stageInfo(trx);
  const monthAt = monthMemo(await companyTimeZone(trx));
  const db = withStats(trx);
  for (const h of history) {
    for (const c of contributions(h, info, monthAt)) {
      const { d, ...key } = c;
      await add(db, out, key, scaled(d, -1));
      await add(db, into, key, d);
    }
  }
}

const scaled = (d: Delta, by: number): Delta => {
  const out = zero();
  for (const k of Object.keys(d) as (keyof Delta)[]) out[k] = d[k] * by;
  return out;
};

/**
 * Recomputes the whole rollup from opportunity_stage_history (owner: the deal's current owner; a won move's cycle
 * time from the deal's creation, its amount as recorded at that moment). Reads the history in keyset chunks.
 */
export async function rebuildRollup(db: Db): Promise<void> {
  const monthAt = monthMemo(await companyTimeZone(db));
  const info = await stageInfo(db);
  const keysOf = await summaryKeysOfAll(db);
  const totals = new Map<string, Delta>();
  const bump = (pipelineId: number, month: string, ownerId: number, stageId: number, d: Delta) => {
    for (const owner of keysOf(ownerId)) {
      const key = `${pipelineId}|${month}|${owner}|${stageId}`;
      const t = totals.get(key) ?? zero();
      for (const k of Object.keys(d) as (keyof Delta)[]) t[k] += d[k];
      totals.set(key, t);
    }
  };
  let after = 0;
  for (;;) {
    const chunk = await historyRows(db).where('h.id', '>', after).limit(20_000).execute();
    if (chunk.length === 0) break;
    for (const h of chunk) for (const c of contributions(h, info, monthAt)) bump(c.pipeline_id, c.month, h.owner_id, c.stage_id, c.d);
    after = chunk[chunk.length - 1]!.id;
  }
  const sdb = withStats(db);
  await sdb.deleteFrom('stage_month_stats').execute();
  const rows = [...totals].map(([key, d]) => {
    const [p, month, o, s] = key.split('|');
    return { pipeline_id: Number(p), month: month!, owner_id: Number(o), stage_id: Number(s), ...d };
  });
  for (let i = 0; i < rows.length; i += 500) await sdb.insertInto('stage_month_stats').values(rows.slice(i, i + 500)).execute();
}
