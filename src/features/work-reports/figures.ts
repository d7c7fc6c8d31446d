import type { Db } from '../../db/index.ts';
import { nextPeriod, periodRangeUtc, type Period } from './period.ts';

/** One activity line of a report (visits, calls, meetings, tasks, next period's schedule). */
export interface ReportActivity {
  id: number;
  type: string;
  subject: string;
  startsAt: string;
  customerId: number | null;
  customer: string | null;
  outcome: string;
}

export interface ReportDeal {
  id: number;
  name: string;
  customer: string;
  amountFen: number;
  /** Stage moves: from → to (advanced); the closing stage (won/lost). */
  from?: string | null;
  to?: string;
}

/**
 * What a work report says, computed from the period's records (stored as JSON on the report, so it reads the same
 * later even when records change). Every figure is derived from the lists, so a figure and its table always agree.
 */
export interface WorkReportFigures {
  visits: ReportActivity[];
  calls: ReportActivity[];
  meetings: ReportActivity[];
  /** Distinct customers visited, and how many of them were created in the period (new customers). */
  customersVisited: number;
  newCustomersVisited: number;
  newCustomers: { id: number; name: string }[];
  newLeads: { id: number; person: string; company: string }[];
  dealsCreated: ReportDeal[];
  dealsAdvanced: ReportDeal[];
  dealsWon: ReportDeal[];
  dealsLost: ReportDeal[];
  quotesSent: { id: number; number: string; customer: string; totalFen: number; sentAt: string }[];
  tasksDone: ReportActivity[];
  /** Tasks due before the period ended and still open when it ended. */
  tasksOverdue: ReportActivity[];
  nextActivities: ReportActivity[];
  nextPeriod: { start: string; end: string };
}

const ACTIVITY_COLUMNS = ['a.id', 'a.type', 'a.subject', 'a.starts_at', 'a.customer_id', 'a.outcome', 'c.name as customer_name'] as const;
type ActivityRow = { id: number; type: string; subject: string; starts_at: string; customer_id: number | null; outcome: string; customer_name: string | null };
const toActivity = (r: ActivityRow): ReportActivity => ({ id: r.id, type: r.type, subject: r.subject, startsAt: r.starts_at, customerId: r.customer_id, customer: r.customer_name, outcome: r.outcome });

/**
 * The figures of one user's report for a period. Definitions (README "Work reports"):
 * visits/calls/meetings — their activities of that type marked done, starting in the period;
 * new customers — customers they created in the period; new leads — leads they own created in the period;
 * deals created — their deals created in the period; advanced, won, lost — their deals' stage moves in the period
 * (dealMovement, classifyMoves: won and then reopened in the period is not won), with the amount recorded at the move; quotes sent — their quotes with sent_at in the period; tasks done — completed in the period;
 * tasks overdue — due before the period's end and not done by then; next period — their planned activities in it.
 */
export async function computeFigures(db: Db, userId: number, period: Period, zone: string): Promise<WorkReportFigures> {
  const { start, end } = periodRangeUtc(period, zone);
  const next = nextPeriod(period, zone);
  const nextRange = periodRangeUtc(next, zone);

  const done = await db
    .selectFrom('activities as a')
    .leftJoin('customers as c', 'c.id', 'a.customer_id')
    .select(ACTIVITY_COLUMNS)
    .where('a.owner_id', '=', userId)
    .where('a.type', 'in', ['visit', 'call', 'meeting'])
    .where('a.status', '=', 'done')
    .where('a.starts_at', '>=', start)
    .where('a.starts_at', '<', end)
    .orderBy('a.starts_at')
    .orderBy('a.id')
    .execute();
  const acts = done.map(toActivity);
  const visits = acts.filter((a) => a.type === 'visit');

  const visitedIds = [...new Set(visits.map((v) => v.customerId).filter((id): id is number => id !== null))];
  const newVisited = visitedIds.length
    ? await db.selectFrom('customers').select('id').where('id', 'in', visitedIds).where('created_at', '>=', start).where('created_at', '<', end).execute()
    : [];

  const newCustomers = await db
    .selectFrom('customers')
    .select(['id', 'name'])
    .where('created_by', '=', userId)
    .where('created_at', '>=', start)
    .where('created_at', '<', end)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const newLeads = await db
    .selectFrom('leads')
    .select(['id', 'person', 'company'])
    .where('owner_id', '=', userId)
    .where('created_at', '>=', start)
    .where('created_at', '<', end)
    .orderBy('created_at')
    .orderBy('id')
    .execute();

  const dealsCreated = await db
    .selectFrom('opportunities as o')
    .innerJoin('customers as c', 'c.id', 'o.customer_id')
    .select(['o.id', 'o.name', 'c.name as customer', 'o.amount_fen'])
    .where('o.owner_id', '=', userId)
    .where('o.created_at', '>=', start)
    .where('o.created_at', '<', end)
    .orderBy('o.created_at')
    .orderBy('o.id')
    .execute();

  const moved = await dealMovement(db, [userId], { start, end });

  const quotes = await db
    .selectFrom('quotes as q')
    .innerJoin('customers as c', 'c.id', 'q.customer_id')
    .select(['q.id', 'q.number', 'c.name as customer', 'q.total_fen', 'q.sent_at'])
    .where('q.owner_id', '=', userId)
    .where('q.sent_at', '>=', start)
    .where('q.sent_at', '<', end)
    .orderBy('q.sent_at')
    .orderBy('q.id')
    .execute();

  const tasksDone = await db
    .selectFrom('activities as a')
    .leftJoin('customers as c', 'c.id', 'a.customer_id')
    .select(ACTIVITY_COLUMNS)
    .where('a.owner_id', '=', userId)
    .where('a.type', '=', 'task')
    .where('a.status', '=', 'done')
    .where('a.completed_at', '>=', start)
    .where('a.completed_at', '<', end)
    .orderBy('a.completed_at')
    .orderBy('a.id')
    .execute();
  const tasksOverdue = await db
    .selectFrom('activities as a')
    .leftJoin('customers as c', 'c.id', 'a.customer_id')
    .select(ACTIVITY_COLUMNS)
    .where('a.owner_id', '=', userId)
    .where('a.type', '=', 'task')
    .where('a.starts_at', '<', end)
    .where((eb) => eb.or([eb('a.status', '=', 'planned'), eb.and([eb('a.status', '=', 'done'), eb('a.completed_at', '>=', end)])]))
    .orderBy('a.starts_at')
    .orderBy('a.id')
    .execute();
  const nextActivities = await db
    .selectFrom('activities as a')
    .leftJoin('customers as c', 'c.id', 'a.customer_id')
    .select(ACTIVITY_COLUMNS)
    .where('a.owner_id', '=', userId)
    .where('a.status', '=', 'planned')
    .where('a.starts_at', '>=', nextRange.start)
    .where('a.starts_at', '<', nextRange.end)
    .orderBy('a.starts_at')
    .orderBy('a.id')
    .execute();

  return {
    visits,
    calls: acts.filter((a) => a.type === 'call'),
    meetings: acts.filter((a) => a.type === 'meeting'),
    customersVisited: visitedIds.length,
    newCustomersVisited: newVisited.length,
    newCustomers,
    newLeads,
    dealsCreated: dealsCreated.map((d) => ({ id: d.id, name: d.name, customer: d.customer, amountFen: d.amount_fen })),
    dealsAdvanced: moved.advanced,
    dealsWon: moved.won,
    dealsLost: moved.lost,
    quotesSent: quotes.map((q) => ({ id: q.id, number: q.number, customer: q.customer, totalFen: q.total_fen, sentAt: q.sent_at ?? '' })),
    tasksDone: tasksDone.map(toActivity),
    tasksOverdue: tasksOverdue.map(toActivity),
    nextActivities: nextActivities.map(toActivity),
    nextPeriod: { start: next.start, end: next.end },
  };
}

/** One stage move of a deal (opportunity_stage_history), with the kind and order of the stages on either side. */
export interface StageMove {
  /** The history row's id: orders moves made at the same instant. */
  id: number;
  opportunityId: number;
  changedAt: string;
  /** null for the deal's creation (no stage before). */
  fromKind: string | null;
  fromOrder: number | null;
  toKind: string;
  toOrder: number;
}

export interface ClassifiedMoves<M extends StageMove> {
  /** Deals moved to a later open stage, by deal: their first such move (its "from") and their latest (its "to"). */
  advanced: Map<number, { first: M; last: M }>;
  /** Deals left won by the period's moves, by deal: the move that won them (its amount is the amount won). */
  won: Map<number, M>;
  /** Deals left lost by the period's moves, by deal: the move that lost them. */
  lost: Map<number, M>;
}

/**
 * THE rule for what a period's stage moves mean (work reports and digests both ask it). A deal is won (lost) in the
 * period when a move in it closed the deal as won (lost) and no later move in it reopened the deal or closed it the
 * other way: won and then reopened within the period is neither. Advanced: moved from an open stage to a later open
 * one, counted once however many times. Moves are taken in time order (changed_at, then id) whatever order they come in.
 */
export function classifyMoves<M extends StageMove>(moves: readonly M[]): ClassifiedMoves<M> {
  const inOrder = [...moves].sort((a, b) => (a.changedAt < b.changedAt ? -1 : a.changedAt > b.changedAt ? 1 : a.id - b.id));
  const advanced = new Map<number, { first: M; last: M }>();
  const won = new Map<number, M>();
  const lost = new Map<number, M>();
  for (const m of inOrder) {
    if (m.toKind === 'won') {
      won.set(m.opportunityId, m);
      lost.delete(m.opportunityId);
    } else if (m.toKind === 'lost') {
      lost.set(m.opportunityId, m);
      won.delete(m.opportunityId);
    } else if (m.fromKind === 'open' && m.fromOrder !== null && m.toOrder > m.fromOrder) {
      advanced.set(m.opportunityId, { first: advanced.get(m.opportunityId)?.first ?? m, last: m });
    } else if (m.toKind === 'open') {
      // Reopened after a win or loss (or moved back): no longer closed in this period.
      won.delete(m.opportunityId);
      lost.delete(m.opportunityId);
    }
  }
  return { advanced, won, lost };
}

/**
 * The stage moves in [start, end) of the deals `ownerIds` own, classified (classifyMoves): one user's for their work
 * report, a manager's team's for the weekly digest. Amounts are those recorded at the move.
 */
export async function dealMovement(db: Db, ownerIds: readonly number[], range: { start: string; end: string }): Promise<{ advanced: ReportDeal[]; won: ReportDeal[]; lost: ReportDeal[] }> {
  if (ownerIds.length === 0) return { advanced: [], won: [], lost: [] };
  const rows = await db
    .selectFrom('opportunity_stage_history as h')
    .innerJoin('opportunities as o', 'o.id', 'h.opportunity_id')
    .innerJoin('customers as c', 'c.id', 'o.customer_id')
    .innerJoin('pipeline_stages as ts', 'ts.id', 'h.to_stage_id')
    .leftJoin('pipeline_stages as fs', 'fs.id', 'h.from_stage_id')
    .select(['h.id', 'h.changed_at', 'o.id as opportunity_id', 'o.name', 'c.name as customer', 'h.amount_fen', 'ts.name as to_name', 'ts.kind as to_kind', 'ts.sort_order as to_order', 'fs.name as from_name', 'fs.sort_order as from_order', 'fs.kind as from_kind'])
    .where('o.owner_id', 'in', [...ownerIds])
    .where('h.changed_at', '>=', range.start)
    .where('h.changed_at', '<', range.end)
    .orderBy('h.changed_at')
    .orderBy('h.id')
    .execute();
  const moves = rows.map((m) => ({
    id: m.id,
    opportunityId: m.opportunity_id,
    changedAt: m.changed_at,
    fromKind: m.from_kind,
    fromOrder: m.from_order,
    toKind: m.to_kind,
    toOrder: m.to_order,
    deal: { id: m.opportunity_id, name: m.name, customer: m.customer, amountFen: m.amount_fen, from: m.from_name, to: m.to_name } satisfies ReportDeal,
  }));
  const { advanced, won, lost } = classifyMoves(moves);
  return {
    // First move keeps its "from", the latest its "to": 初步接洽 → 方案报价 over two moves reads as one advance.
    advanced: [...advanced.values()].map(({ first, last }) => ({ ...last.deal, from: first.deal.from })),
    won: [...won.values()].map((m) => m.deal),
    lost: [...lost.values()].map((m) => m.deal),
  };
}

export const sumFen = (deals: readonly { amountFen: number }[]): number => deals.reduce((s, d) => s + d.amountFen, 0);
