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
 * deals created — their deals created in the period; advanced — their deals moved to a later open stage in the period
 * (opportunity_stage_history); won/lost — their deals moved to a won/lost stage in the period, with the amount recorded
 * at that move; quotes sent — their quotes with sent_at in the period; tasks done — completed in the period;
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

  // Every stage move of their deals in the period, in time order.
  const moves = await db
    .selectFrom('opportunity_stage_history as h')
    .innerJoin('opportunities as o', 'o.id', 'h.opportunity_id')
    .innerJoin('customers as c', 'c.id', 'o.customer_id')
    .innerJoin('pipeline_stages as ts', 'ts.id', 'h.to_stage_id')
    .leftJoin('pipeline_stages as fs', 'fs.id', 'h.from_stage_id')
    .select(['h.id', 'o.id as opportunity_id', 'o.name', 'c.name as customer', 'h.amount_fen', 'h.from_stage_id', 'ts.name as to_name', 'ts.kind as to_kind', 'ts.sort_order as to_order', 'fs.name as from_name', 'fs.sort_order as from_order', 'fs.kind as from_kind'])
    .where('o.owner_id', '=', userId)
    .where('h.changed_at', '>=', start)
    .where('h.changed_at', '<', end)
    .orderBy('h.changed_at')
    .orderBy('h.id')
    .execute();
  const advanced = new Map<number, ReportDeal>();
  const won = new Map<number, ReportDeal>();
  const lost = new Map<number, ReportDeal>();
  for (const m of moves) {
    const deal: ReportDeal = { id: m.opportunity_id, name: m.name, customer: m.customer, amountFen: m.amount_fen, from: m.from_name, to: m.to_name };
    if (m.to_kind === 'won') {
      won.set(m.opportunity_id, deal);
      lost.delete(m.opportunity_id);
    } else if (m.to_kind === 'lost') {
      lost.set(m.opportunity_id, deal);
      won.delete(m.opportunity_id);
    } else if (m.from_stage_id !== null && m.from_kind === 'open' && m.from_order !== null && m.to_order > m.from_order) {
      // First move keeps its "from", the latest its "to": 初步接洽 → 方案报价 over two moves reads as one advance.
      const seen = advanced.get(m.opportunity_id);
      advanced.set(m.opportunity_id, seen ? { ...deal, from: seen.from } : deal);
    } else if (m.to_kind === 'open') {
      // Reopened after a win or loss: no longer closed in this period.
      won.delete(m.opportunity_id);
      lost.delete(m.opportunity_id);
    }
  }

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
    dealsAdvanced: [...advanced.values()],
    dealsWon: [...won.values()],
    dealsLost: [...lost.values()],
    quotesSent: quotes.map((q) => ({ id: q.id, number: q.number, customer: q.customer, totalFen: q.total_fen, sentAt: q.sent_at ?? '' })),
    tasksDone: tasksDone.map(toActivity),
    tasksOverdue: tasksOverdue.map(toActivity),
    nextActivities: nextActivities.map(toActivity),
    nextPeriod: { start: next.start, end: next.end },
  };
}

export const sumFen = (deals: readonly { amountFen: number }[]): number => deals.reduce((s, d) => s + d.amountFen, 0);
