import { sql, type SqlBool } from 'kysely';
import { rootOf, writeTransaction, type Db } from '../../db/index.ts';
import { dayStartUtc } from '../../lib/dates.ts';
import { companyBrief, DEFAULT_TIME_ZONE } from '../company/queries.ts';
import { countScopes, scope, type Viewer } from '../../access/index.ts';
import { alertSettings, type AlertSettings } from './settings.ts';
import { todayIn } from '../../lib/dates.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Fewer past stays than this in a stage: its median is not trusted yet and the stage's expected days stand in. */
export const MIN_MEDIAN_SAMPLES = 5;
/** Flags are computed for at most this many deals per query (callers batch larger sets). */
const BATCH = 500;

export const FLAG_KINDS = ['idle', 'stage', 'slipped', 'pushed', 'amount'] as const;
export type FlagKind = (typeof FLAG_KINDS)[number];

/** Why a deal is at risk; the words are the template's (alerts dictionary), the figures are here. */
export type Flag =
  | { kind: 'idle'; days: number; limit: number }
  | { kind: 'stage'; stage: string; days: number; typical: number; multiple: number; fromHistory: boolean }
  | { kind: 'slipped'; date: string; days: number }
  | { kind: 'pushed'; times: number }
  | { kind: 'amount'; fromFen: number; toFen: number; pct: number };

export interface StageTypical {
  /** The median of past stays (whole days) when there are enough of them, else the stage's expected days. */
  days: number;
  samples: number;
  fromHistory: boolean;
}

/** The median of sorted numbers (mean of the two middle ones for an even count). */
export function median(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// Typical stage durations change slowly: computed once a minute per database, not per deal or per request.
const TYPICAL_TTL_MS = 60_000;
const typicalCache = new WeakMap<Db, { at: number; value: Map<number, StageTypical> }>();

export function forgetStageTypicals(db: Db): void {
  typicalCache.delete(rootOf(db));
}

/**
 * Each open stage's typical duration: the median of days_in_from_stage over the stage history (the stage belongs to
 * one pipeline, so this is "this pipeline's past deals"), falling back to expected_days below MIN_MEDIAN_SAMPLES.
 * The median walks the (from_stage_id, days_in_from_stage) index: a count, then the one or two middle entries.
 */
export async function stageTypicals(db: Db): Promise<Map<number, StageTypical>> {
  const hit = typicalCache.get(rootOf(db));
  if (hit && Date.now() - hit.at < TYPICAL_TTL_MS) return hit.value;
  const stages = await db.selectFrom('pipeline_stages').select(['id', 'expected_days']).where('kind', '=', 'open').execute();
  const value = new Map<number, StageTypical>();
  for (const s of stages) {
    const counted = await db
      .selectFrom('opportunity_stage_history')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('from_stage_id', '=', s.id)
      .where('days_in_from_stage', 'is not', null)
      .executeTakeFirst();
    const n = Number(counted?.n ?? 0);
    if (n < MIN_MEDIAN_SAMPLES) {
      value.set(s.id, { days: s.expected_days, samples: n, fromHistory: false });
      continue;
    }
    const middle = await db
      .selectFrom('opportunity_stage_history')
      .select('days_in_from_stage as d')
      .where('from_stage_id', '=', s.id)
      .where('days_in_from_stage', 'is not', null)
      .orderBy('days_in_from_stage')
      .limit(n % 2 === 1 ? 1 : 2)
      .offset(n % 2 === 1 ? (n - 1) / 2 : n / 2 - 1)
      .execute();
    value.set(s.id, { days: median(middle.map((r) => Number(r.d))), samples: n, fromHistory: true });
  }
  typicalCache.set(rootOf(db), { at: Date.now(), value });
  return value;
}


function daysBetweenDates(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

export interface Observation {
  at: string;
  seq: number;
  date?: string;
  amount?: number;
}

/**
 * The close date pushed out: how many times a recorded close date was followed by a later one, over the stage
 * history (the date at each stage change) and the audit log's edits, in time order, ending with today's value.
 * A stage change right after an edit records the same date again, so nothing counts twice.
 */
export function countPushouts(observations: readonly Observation[], current: string): number {
  const dates = [...observations.filter((o) => o.date !== undefined).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.seq - b.seq)).map((o) => o.date!), current];
  let times = 0;
  for (let i = 1; i < dates.length; i++) if (dates[i]! > dates[i - 1]!) times++;
  return times;
}

export interface OpportunityFacts {
  id: number;
  stage_id: number;
  stage_name: string;
  amount_fen: number;
  expected_close_date: string;
  stage_entered_at: string;
  last_activity_at: string | null;
  created_at: string;
  updated_at: string;
}

/** The flags of one deal from its facts (pure: the tests feed it hand-made figures). */
export function flagsFrom(
  o: OpportunityFacts,
  ctx: { settings: AlertSettings; typical: StageTypical | undefined; lastTouch: string; observations: readonly Observation[]; today: string; now: Date },
): Flag[] {
  const { settings, now } = ctx;
  const flags: Flag[] = [];
  const idle = Math.floor((now.getTime() - Date.parse(ctx.lastTouch)) / DAY_MS);
  if (idle >= settings.idleDays) flags.push({ kind: 'idle', days: idle, limit: settings.idleDays });
  if (ctx.typical && ctx.typical.days > 0) {
    const inStage = Math.floor((now.getTime() - Date.parse(o.stage_entered_at)) / DAY_MS);
    if (inStage > settings.stageMultiple * ctx.typical.days) {
      flags.push({ kind: 'stage', stage: o.stage_name, days: inStage, typical: Math.round(ctx.typical.days), multiple: settings.stageMultiple, fromHistory: ctx.typical.fromHistory });
    }
  }
  if (o.expected_close_date < ctx.today) flags.push({ kind: 'slipped', date: o.expected_close_date, days: daysBetweenDates(o.expected_close_date, ctx.today) });
  const pushed = countPushouts(ctx.observations, o.expected_close_date);
  if (pushed >= settings.pushouts) flags.push({ kind: 'pushed', times: pushed });
  const highest = Math.max(o.amount_fen, ...ctx.observations.filter((x) => x.amount !== undefined).map((x) => x.amount!));
  // Integer arithmetic: (highest − now) × 100 > X × highest ⇔ the drop exceeds X%.
  if (highest > 0 && (highest - o.amount_fen) * 100 > settings.amountDropPct * highest) {
    flags.push({ kind: 'amount', fromFen: highest, toFen: o.amount_fen, pct: Math.round(((highest - o.amount_fen) * 100) / highest) });
  }
  return flags;
}

function parseChanges(json: string): Record<string, [unknown, unknown]> {
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, [unknown, unknown]>) : {};
  } catch {
    return {};
  }
}

/** What the flags of one open deal are computed from. */
interface DealContext {
  deal: OpportunityFacts;
  /** The latest of: its last activity up to now, its stage entry, its creation. */
  lastTouch: string;
  observations: Observation[];
  /** Its activities after now (any status), earliest first: each resets the idle clock when its time comes. */
  futureTouches: string[];
}

interface FlagInputs {
  settings: AlertSettings;
  typicals: Map<number, StageTypical>;
  today: string;
  timeZone: string;
  deals: DealContext[];
}

/**
 * The facts of many open deals (closed deals are never at risk), a handful of indexed queries per 500: the deals,
 * their latest activity, their stage history and their audited edits (and, for `future`, their coming activities);
 * the stage medians are cached. Visibility is the caller's business: pass ids the viewer may see.
 */
async function loadFlagInputs(db: Db, ids: readonly number[], now: Date, opts: { future?: boolean } = {}): Promise<FlagInputs> {
  const [settings, typicals, company] = await Promise.all([alertSettings(db), stageTypicals(db), companyBrief(db)]);
  const timeZone = company?.time_zone ?? DEFAULT_TIME_ZONE;
  const today = todayIn(timeZone, now);
  const nowIso = now.toISOString();
  const out: DealContext[] = [];
  for (let i = 0; i < ids.length; i += BATCH) {
    const chunk = [...new Set(ids.slice(i, i + BATCH))];
    const deals = await db
      .selectFrom('opportunities as o')
      .innerJoin('pipeline_stages as s', 's.id', 'o.stage_id')
      .select(['o.id', 'o.stage_id', 's.name as stage_name', 'o.amount_fen', 'o.expected_close_date', 'o.stage_entered_at', 'o.last_activity_at', 'o.created_at', 'o.updated_at'])
      .where('o.id', 'in', chunk)
      .where('o.status', '=', 'open')
      .execute();
    if (deals.length === 0) continue;
    const open = deals.map((d) => d.id);
    const [touches, history, edits, future] = await Promise.all([
      db
        .selectFrom('activities')
        .select(['opportunity_id', sql<string>`max(starts_at)`.as('last')])
        .where('opportunity_id', 'in', open)
        .where('starts_at', '<=', nowIso)
        .groupBy('opportunity_id')
        .execute(),
      db
        .selectFrom('opportunity_stage_history')
        .select(['id', 'opportunity_id', 'changed_at', 'amount_fen', 'expected_close_date'])
        .where('opportunity_id', 'in', open)
        .execute(),
      db
        .selectFrom('audit_log')
        .select(['id', 'entity_id', 'at', 'changes'])
        .where('entity', '=', 'opportunity')
        .where('entity_id', 'in', open)
        .where((eb) => eb.or([eb('changes', 'like', '%expected_close_date%'), eb('changes', 'like', '%amount_fen%')]))
        .execute(),
      opts.future
        ? db.selectFrom('activities').select(['opportunity_id', 'starts_at']).where('opportunity_id', 'in', open).where('starts_at', '>', nowIso).orderBy('starts_at').execute()
        : Promise.resolve([]),
    ]);
    const lastTouch = new Map(touches.map((t) => [t.opportunity_id!, t.last]));
    const observations = new Map<number, Observation[]>();
    const add = (id: number, o: Observation) => {
      const list = observations.get(id);
      if (list) list.push(o);
      else observations.set(id, [o]);
    };
    for (const h of history) add(h.opportunity_id, { at: h.changed_at, seq: h.id * 2, date: h.expected_close_date, amount: h.amount_fen });
    for (const e of edits) {
      const c = parseChanges(e.changes);
      const date = c.expected_close_date;
      const amount = c.amount_fen;
      // An edit says what the value was before and after it: both are recorded values.
      const before: Observation = { at: e.at, seq: e.id * 2 - 1 };
      const after: Observation = { at: e.at, seq: e.id * 2 };
      if (date && typeof date[0] === 'string') before.date = date[0];
      if (date && typeof date[1] === 'string') after.date = date[1];
      if (amount && typeof amount[0] === 'number') before.amount = amount[0];
      if (amount && typeof amount[1] === 'number') after.amount = amount[1];
      add(e.entity_id!, before);
      add(e.entity_id!, after);
    }
    const coming = new Map<number, string[]>();
    for (const f of future) {
      const list = coming.get(f.opportunity_id!) ?? [];
      list.push(f.starts_at);
      coming.set(f.opportunity_id!, list);
    }
    for (const d of deals) {
      const touched = [d.last_activity_at, lastTouch.get(d.id), d.stage_entered_at, d.created_at].filter((x): x is string => Boolean(x)).sort();
      out.push({ deal: d, lastTouch: touched[touched.length - 1]!, observations: observations.get(d.id) ?? [], futureTouches: coming.get(d.id) ?? [] });
    }
  }
  return { settings, typicals, today, timeZone, deals: out };
}

/**
 * Flags for many deals (open ones only; closed deals are never at risk). Visibility is the caller's business: pass
 * ids the viewer may see.
 */
export async function flagsForOpportunities(db: Db, ids: readonly number[], now = new Date()): Promise<Map<number, Flag[]>> {
  const out = new Map<number, Flag[]>();
  if (ids.length === 0) return out;
  const inputs = await loadFlagInputs(db, ids, now);
  for (const c of inputs.deals) {
    out.set(c.deal.id, flagsFrom(c.deal, { settings: inputs.settings, typical: inputs.typicals.get(c.deal.stage_id), lastTouch: c.lastTouch, observations: c.observations, today: inputs.today, now }));
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ stored risk
// Lists of deals at risk (the home page, the at-risk list, a manager's count) read opportunities.risk_at: the instant
// from which the deal carries a flag if nothing changes. Computing flags reads each deal's history, activities and
// edits (~0.15 ms a deal): a manager's 1,000 largest deals cost ~150 ms per page. The flags' words are still computed
// for the few deals shown. risk_at is refreshed in the transaction of every write that changes a flag's inputs (the
// deal, its activities), and for every open deal by the nightly deal-risk job (stage medians drift as deals close;
// a planned activity's time passing is not a write) and after the alert settings change.

/** Deals per transaction when refreshing them all: ~30 ms of work, so requests wait at most that long meanwhile. */
const REFRESH_BATCH = 100;

/** A flag that does not depend on time (amount drop, close date pushed out): at risk since ever. */
export const ALWAYS = '1970-01-01T00:00:00.000Z';
/** No flag can arise from time alone: the deal needs a change (a write) to become at risk. */
export const NEVER = '9999-12-31T23:59:59.999Z';

/**
 * The earliest instant (UTC ISO) at or after which flagsFrom() would give at least one flag, if nothing is written
 * meanwhile and no activity but `futureTouches` happens: exactly equivalent to flagsFrom() for any later `now` up to
 * the next future activity after the idle flag starts (the property the tests check).
 */
export function riskFrom(
  o: OpportunityFacts,
  ctx: { settings: AlertSettings; typical: StageTypical | undefined; lastTouch: string; futureTouches: readonly string[]; observations: readonly Observation[]; timeZone: string },
): string {
  const { settings } = ctx;
  // Time-independent flags: the same test flagsFrom makes, at any instant.
  const pushed = countPushouts(ctx.observations, o.expected_close_date);
  const highest = Math.max(o.amount_fen, ...ctx.observations.filter((x) => x.amount !== undefined).map((x) => x.amount!));
  if (pushed >= settings.pushouts || (highest > 0 && (highest - o.amount_fen) * 100 > settings.amountDropPct * highest)) return ALWAYS;
  let at = Number.POSITIVE_INFINITY;
  // Idle: N whole days after the last touch, pushed on by each coming activity that arrives before that.
  let idleAt = Date.parse(ctx.lastTouch) + settings.idleDays * DAY_MS;
  for (const f of ctx.futureTouches) {
    const t = Date.parse(f);
    if (t >= idleAt) break;
    idleAt = t + settings.idleDays * DAY_MS;
  }
  at = Math.min(at, idleAt);
  // In the stage longer than k × typical whole days: floor(days) > k·T ⇔ days ≥ floor(k·T) + 1.
  if (ctx.typical && ctx.typical.days > 0) at = Math.min(at, Date.parse(o.stage_entered_at) + (Math.floor(settings.stageMultiple * ctx.typical.days) + 1) * DAY_MS);
  // The close date slipped: from the start of the next day in the company's zone.
  at = Math.min(at, Date.parse(dayStartUtc(nextDay(o.expected_close_date), ctx.timeZone)));
  return Number.isFinite(at) ? new Date(at).toISOString() : NEVER;
}

const nextDay = (day: string): string => new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);

/**
 * Recomputes risk_at for these deals (closed ones get null). Call it inside the transaction of any write that
 * changes a deal's amount, close date, stage, status or activities, with that `trx`.
 */
export async function refreshOpportunityRisk(db: Db, ids: readonly number[], now = new Date()): Promise<number> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return 0;
  const inputs = await loadFlagInputs(db, unique, now, { future: true });
  const open = new Set<number>();
  for (const c of inputs.deals) {
    open.add(c.deal.id);
    const risk = riskFrom(c.deal, {
      settings: inputs.settings,
      typical: inputs.typicals.get(c.deal.stage_id),
      lastTouch: c.lastTouch,
      futureTouches: c.futureTouches,
      observations: c.observations,
      timeZone: inputs.timeZone,
    });
    await db.updateTable('opportunities').set({ risk_at: risk }).where('id', '=', c.deal.id).execute();
  }
  const closed = unique.filter((id) => !open.has(id));
  for (let i = 0; i < closed.length; i += BATCH) await db.updateTable('opportunities').set({ risk_at: null }).where('id', 'in', closed.slice(i, i + BATCH)).execute();
  return inputs.deals.length;
}

/**
 * Recomputes risk_at for every open deal (or only those never computed), a batch per transaction so other requests
 * get the database between batches; stops between batches when `signal` aborts. For the deal-risk job, the seeder
 * and a change of the alert settings.
 */
export async function refreshAllOpenRisk(
  db: Db,
  opts: { now?: Date; onlyMissing?: boolean; signal?: AbortSignal; /** `db` is already a transaction (the seeder): no batches of their own. */ inTransaction?: boolean } = {},
): Promise<number> {
  forgetStageTypicals(db);
  let after = 0;
  let done = 0;
  for (;;) {
    if (opts.signal?.aborted) break;
    const ids = (
      await db
        .selectFrom('opportunities')
        .select('id')
        .where('status', '=', 'open')
        .where('id', '>', after)
        .$if(Boolean(opts.onlyMissing), (q) => q.where('risk_at', 'is', null))
        .orderBy('id')
        .limit(REFRESH_BATCH)
        .execute()
    ).map((r) => r.id);
    if (ids.length === 0) break;
    after = ids[ids.length - 1]!;
    const now = opts.now ?? new Date();
    if (opts.inTransaction) {
      done += await refreshOpportunityRisk(db, ids, now);
    } else {
      done += await writeTransaction(db, (trx) => refreshOpportunityRisk(trx, ids, now));
      // Let waiting requests in between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return done;
}

/** Flags for one deal (an empty list for a closed or unknown deal). */
export async function flagsForOpportunity(db: Db, opportunityId: number, now = new Date()): Promise<Flag[]> {
  return (await flagsForOpportunities(db, [opportunityId], now)).get(opportunityId) ?? [];
}

export const AT_RISK_PAGE = 50;
/** A page of the at-risk list examines at most this many deals at risk (so a page costs the same at any size). */
export const AT_RISK_SCAN = 2000;

export interface AtRiskFilters {
  kind?: FlagKind;
  owner?: number;
  /** Keyset cursor: "amount_fen.id" of the last deal examined. */
  after?: string;
}

/**
 * Open deals in the viewer's scope that carry at least one flag (of `kind` if given), largest amount first.
 * Walks the deals whose stored risk has begun by (amount, id) descending in batches, computing their flags, until a
 * page is full or AT_RISK_SCAN deals were examined; the cursor is the last deal examined, so the next page goes on
 * from there. A batch starts a little larger than a page (nearly every deal whose risk has begun carries a flag) and
 * doubles when a kind filter leaves it short. Each batch takes its ids from the owner-first risk index, one part of
 * the scope at a time (countScopes: a manager's owners, then deals they are on the team of), and only then reads
 * those deals' names: measured on the large dataset, a manager's first page 80 → ~10 ms.
 */
export async function listAtRisk(db: Db, viewer: Viewer, f: AtRiskFilters, now = new Date()) {
  let cursor = parseCursor(f.after);
  const rows: Array<{ id: number; name: string; amount_fen: number; customer_name: string; owner_name: string; stage_name: string; expected_close_date: string; flags: Flag[] }> = [];
  let examined = 0;
  let exhausted = false;
  let size = AT_RISK_PAGE + 10;
  const nowIso = now.toISOString();
  const scopeParts = countScopes(viewer, 'opportunities', 'o');
  while (rows.length < AT_RISK_PAGE && examined < AT_RISK_SCAN) {
    const after = cursor;
    const parts = await Promise.all(
      scopeParts.map((who) => {
        let q = db.selectFrom('opportunities as o').select(['o.id', 'o.amount_fen']).where('o.status', '=', 'open').where('o.risk_at', '<=', nowIso).where(who);
        if (f.owner) q = q.where('o.owner_id', '=', f.owner);
        if (after) q = q.where((eb) => eb.or([eb('o.amount_fen', '<', after.amount), eb.and([eb('o.amount_fen', '=', after.amount), eb('o.id', '<', after.id)])]));
        return q.orderBy('o.amount_fen', 'desc').orderBy('o.id', 'desc').limit(size).execute();
      }),
    );
    const ids = parts
      .flat()
      .sort((a, b) => b.amount_fen - a.amount_fen || b.id - a.id)
      .slice(0, size);
    if (ids.length === 0) {
      exhausted = true;
      break;
    }
    // By id (and still through the scope: a deal may have left it since): a status condition here made SQLite walk
    // every open deal once a batch had ~240 ids. One closed in between is skipped below.
    const [details, flags] = await Promise.all([
      dealsQuery(db)
        .select('o.status')
        .where('o.id', 'in', ids.map((d) => d.id))
        .where(sql<SqlBool>`(${scope(viewer, 'opportunities', { alias: 'o' })}) is true`)
        .execute(),
      flagsForOpportunities(db, ids.map((d) => d.id), now),
    ]);
    const byId = new Map(details.filter((d) => d.status === 'open').map(({ status: _s, ...d }) => [d.id, d]));
    for (const { id, amount_fen } of ids) {
      examined++;
      cursor = { amount: amount_fen, id };
      const deal = byId.get(id);
      const mine = (flags.get(id) ?? []).filter((x) => !f.kind || x.kind === f.kind);
      if (deal && mine.length > 0) rows.push({ ...deal, flags: mine });
      if (rows.length >= AT_RISK_PAGE) break;
    }
    // A short batch read to the end: nothing is left after it.
    if (ids.length < size && cursor?.id === ids[ids.length - 1]!.id) {
      exhausted = true;
      break;
    }
    size = Math.min(size * 2, BATCH, AT_RISK_SCAN - examined);
  }
  return { rows, nextAfter: !exhausted && cursor ? `${cursor.amount}.${cursor.id}` : null, examined };
}

function dealsQuery(db: Db) {
  return db
    .selectFrom('opportunities as o')
    .innerJoin('customers as c', 'c.id', 'o.customer_id')
    .innerJoin('users as u', 'u.id', 'o.owner_id')
    .innerJoin('pipeline_stages as s', 's.id', 'o.stage_id')
    .select(['o.id', 'o.name', 'o.amount_fen', 'o.expected_close_date', 'c.name as customer_name', 'u.display_name as owner_name', 's.name as stage_name']);
}

function parseCursor(raw: string | undefined): { amount: number; id: number } | null {
  const m = raw ? /^(-?\d{1,15})\.(\d{1,15})$/.exec(raw) : null;
  return m ? { amount: Number(m[1]), id: Number(m[2]) } : null;
}
