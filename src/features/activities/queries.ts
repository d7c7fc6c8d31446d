import { sql } from 'kysely';
import type { Db } from '../../db/index.ts';
import { scope, userScope, isManager, seesAllRecords, type Viewer } from '../../access/index.ts';
import { anyColumnContains } from '../../db/search.ts';
import type { ActivityListQuery } from './schemas.ts';

/** The record an activity is about, as the record pages pass it. */
export type ActivitySubject = { customerId: number } | { contactId: number } | { leadId: number };
export type SubjectParams = { customer_id?: number; contact_id?: number; lead_id?: number };

export function subjectFromParams(p: SubjectParams): ActivitySubject | null {
  if (p.customer_id) return { customerId: p.customer_id };
  if (p.contact_id) return { contactId: p.contact_id };
  if (p.lead_id) return { leadId: p.lead_id };
  return null;
}

/** ?customer_id=… query string and the record page's path for a subject. */
export function subjectParams(s: ActivitySubject): { key: 'customer_id' | 'contact_id' | 'lead_id'; id: number; query: string; page: string } {
  if ('customerId' in s) return { key: 'customer_id', id: s.customerId, query: `customer_id=${s.customerId}`, page: `/customers/${s.customerId}` };
  if ('contactId' in s) return { key: 'contact_id', id: s.contactId, query: `contact_id=${s.contactId}`, page: `/contacts/${s.contactId}` };
  return { key: 'lead_id', id: s.leadId, query: `lead_id=${s.leadId}`, page: `/leads/${s.leadId}` };
}

export type LinkTable = 'customers' | 'contacts' | 'leads';

/** Whether the viewer may see (and so link an activity to) a customer, contact or lead. Pool customers are not linkable. */
export async function isVisibleRecord(db: Db, viewer: Viewer, table: LinkTable, id: number): Promise<boolean> {
  const subject: ActivitySubject = table === 'customers' ? { customerId: id } : table === 'contacts' ? { contactId: id } : { leadId: id };
  return Boolean(await visibleSubject(db, viewer, subject));
}

/** A subject the viewer can see, with its display name; undefined when hidden or missing (→ 404). */
export async function visibleSubject(db: Db, viewer: Viewer, s: ActivitySubject): Promise<{ name: string } | undefined> {
  if ('customerId' in s) {
    return db.selectFrom('customers as r').select('r.name').where('r.id', '=', s.customerId).where(scope(viewer, 'customers', { alias: 'r', includePool: false })).executeTakeFirst();
  }
  if ('contactId' in s) {
    return db.selectFrom('contacts as r').select('r.name').where('r.id', '=', s.contactId).where(scope(viewer, 'contacts', { alias: 'r' })).executeTakeFirst();
  }
  return db
    .selectFrom('leads as r')
    .select((eb) => sql<string>`case when ${eb.ref('r.company')} = '' then ${eb.ref('r.person')} else ${eb.ref('r.company')} || ' · ' || ${eb.ref('r.person')} end`.as('name'))
    .where('r.id', '=', s.leadId)
    .where(scope(viewer, 'leads', { alias: 'r' }))
    .executeTakeFirst();
}

function activityBase(db: Db, viewer: Viewer) {
  return db
    .selectFrom('activities as a')
    .innerJoin('users as o', 'o.id', 'a.owner_id')
    .where(scope(viewer, 'activities', { alias: 'a' }));
}

const ROW_COLUMNS = [
  'a.id',
  'a.type',
  'a.subject',
  'a.starts_at',
  'a.duration_minutes',
  'a.status',
  'a.outcome',
  'a.next_step',
  'a.location',
  'a.owner_id',
  'o.display_name as owner_name',
] as const;

/** One activity through the scope rule (owner, manager's team, participant), with names of what it links to. */
export async function getActivity(db: Db, viewer: Viewer, id: number) {
  const row = await activityBase(db, viewer)
    .leftJoin('customers as c', 'c.id', 'a.customer_id')
    .leftJoin('contacts as ct', 'ct.id', 'a.contact_id')
    .leftJoin('leads as l', 'l.id', 'a.lead_id')
    .select([
      ...ROW_COLUMNS,
      'a.remind_at',
      'a.completed_at',
      'a.customer_id',
      'a.contact_id',
      'a.lead_id',
      'a.created_at',
      'a.updated_at',
      'c.name as customer_name',
      'ct.name as contact_name',
      'l.company as lead_company',
      'l.person as lead_person',
    ])
    .where('a.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const participants = await db
    .selectFrom('record_members as rm')
    .innerJoin('users as u', 'u.id', 'rm.user_id')
    .select(['u.id', 'u.display_name'])
    .where('rm.entity', '=', 'activities')
    .where('rm.record_id', '=', id)
    .orderBy('u.display_name')
    .execute();
  return { ...row, participants };
}
export type ActivityDetail = NonNullable<Awaited<ReturnType<typeof getActivity>>>;

export const PANEL_SIZE = 20;

/**
 * The activity timeline of a customer, contact or lead for its record page (newest first), through the scope rule.
 * Record pages pass the result as `it.activityPanel` to views/activities/_panel.eta.
 */
export async function activityPanel(db: Db, viewer: Viewer, subject: ActivitySubject) {
  const p = subjectParams(subject);
  const column = `a.${p.key}` as const;
  const rows = await activityBase(db, viewer)
    .select(ROW_COLUMNS)
    .where(column, '=', p.id)
    .orderBy('a.starts_at', 'desc')
    .orderBy('a.id', 'desc')
    .limit(PANEL_SIZE + 1)
    .execute();
  const hasMore = rows.length > PANEL_SIZE;
  const items = hasMore ? rows.slice(0, PANEL_SIZE) : rows;
  let total = items.length;
  if (hasMore) {
    const c = await activityBase(db, viewer).select((eb) => eb.fn.countAll<number>().as('n')).where(column, '=', p.id).executeTakeFirstOrThrow();
    total = Number(c.n);
  }
  return { subject: { [p.key]: p.id } as SubjectParams, query: p.query, page: p.page, items, hasMore, total };
}
export type ActivityPanel = Awaited<ReturnType<typeof activityPanel>>;

export const LIST_SIZE = 50;

function parseCursor(c: string): { at: string; id: number } | null {
  const i = c.lastIndexOf('|');
  if (i < 0) return null;
  const at = c.slice(0, i);
  const id = Number(c.slice(i + 1));
  return /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(at) && Number.isInteger(id) ? { at, id } : null;
}

/**
 * Activities the viewer can see, newest first, filtered; keyset pagination on (starts_at, id). Without a record
 * filter the list is one person's (`owners` = [id]: their own and those they take part in) or a team's
 * (owner_id IN …), so it always reads the (owner_id, starts_at) or (customer_id, starts_at)… indexes.
 */
export async function listActivities(db: Db, viewer: Viewer, f: ActivityListQuery, owners: number[]) {
  let q = activityBase(db, viewer).select(ROW_COLUMNS).orderBy('a.starts_at', 'desc').orderBy('a.id', 'desc').limit(LIST_SIZE + 1);
  if (f.customer_id) q = q.where('a.customer_id', '=', f.customer_id);
  if (f.contact_id) q = q.where('a.contact_id', '=', f.contact_id);
  if (f.lead_id) q = q.where('a.lead_id', '=', f.lead_id);
  if (!f.customer_id && !f.contact_id && !f.lead_id) {
    const one = owners.length === 1 ? owners[0]! : null;
    q = q.where((eb) =>
      one !== null
        ? eb.or([eb('a.owner_id', '=', one), eb('a.id', 'in', eb.selectFrom('record_members as rm').select('rm.record_id').where('rm.user_id', '=', one).where('rm.entity', '=', 'activities'))])
        : eb('a.owner_id', 'in', owners.length > 0 ? owners : [-1]),
    );
  }
  if (f.type) q = q.where('a.type', '=', f.type);
  if (f.status) q = q.where('a.status', '=', f.status);
  if (f.q) q = q.where(anyColumnContains(['a.subject', 'a.outcome'], f.q));
  const cursor = parseCursor(f.before);
  if (cursor) q = q.where((eb) => eb.or([eb('a.starts_at', '<', cursor.at), eb.and([eb('a.starts_at', '=', cursor.at), eb('a.id', '<', cursor.id)])]));
  const rows = await q.execute();
  const hasMore = rows.length > LIST_SIZE;
  const items = hasMore ? rows.slice(0, LIST_SIZE) : rows;
  const last = items[items.length - 1];
  return { items, nextBefore: hasMore && last ? `${last.starts_at}|${last.id}` : null };
}

export const PICKER_SIZE = 200;

/**
 * Options for the customer/contact/lead pickers: the most recent records the viewer can see (bounded), plus the
 * ones already chosen (if visible), so a long list never loads whole.
 */
export async function linkOptions(db: Db, viewer: Viewer, chosen: { customer_id?: number | null; contact_id?: number | null; lead_id?: number | null }) {
  const customersQ = db.selectFrom('customers as r').select(['r.id', 'r.name']).where(scope(viewer, 'customers', { alias: 'r', includePool: false }));
  const contactsQ = db
    .selectFrom('contacts as r')
    .leftJoin('customers as c', 'c.id', 'r.customer_id')
    .select(['r.id', 'r.name', 'c.name as customer_name'])
    .where(scope(viewer, 'contacts', { alias: 'r' }));
  const leadsQ = db.selectFrom('leads as r').select(['r.id', 'r.company', 'r.person']).where(scope(viewer, 'leads', { alias: 'r' })).where('r.converted_at', 'is', null);
  const [customers, contacts, leads] = await Promise.all([
    customersQ.orderBy('r.id', 'desc').limit(PICKER_SIZE).execute(),
    contactsQ.orderBy('r.id', 'desc').limit(PICKER_SIZE).execute(),
    leadsQ.orderBy('r.id', 'desc').limit(PICKER_SIZE).execute(),
  ]);
  if (chosen.customer_id && !customers.some((r) => r.id === chosen.customer_id)) customers.unshift(...(await customersQ.where('r.id', '=', chosen.customer_id).execute()));
  if (chosen.contact_id && !contacts.some((r) => r.id === chosen.contact_id)) contacts.unshift(...(await contactsQ.where('r.id', '=', chosen.contact_id).execute()));
  if (chosen.lead_id && !leads.some((r) => r.id === chosen.lead_id)) {
    leads.unshift(...(await db.selectFrom('leads as r').select(['r.id', 'r.company', 'r.person']).where(scope(viewer, 'leads', { alias: 'r' })).where('r.id', '=', chosen.lead_id).execute()));
  }
  return { customers, contacts, leads };
}

/** Colleagues who may be invited as participants: active sales users other than the viewer. */
export async function participantOptions(db: Db, viewer: Viewer) {
  return db
    .selectFrom('users as u')
    .leftJoin('departments as d', 'd.id', 'u.department_id')
    .select(['u.id', 'u.display_name', 'd.name as department_name'])
    .where('u.active', '=', 1)
    .where('u.role', '!=', 'admin')
    .where('u.id', '!=', viewer.id)
    .orderBy('d.path')
    .orderBy('u.display_name')
    .limit(1000)
    .execute();
}

/** The people whose schedule the viewer may open (themselves first): for the owner filter of calendar and tasks. */
export async function scheduleOwners(db: Db, viewer: Viewer) {
  return db
    .selectFrom('users as u')
    .select(['u.id', 'u.display_name'])
    .where('u.active', '=', 1)
    .where('u.role', '!=', 'admin')
    .where(userScope(viewer, 'u'))
    .orderBy(sql`u.id = ${viewer.id}`, 'desc')
    .orderBy('u.display_name')
    .execute();
}

/** Whether the viewer can look at someone else's schedule at all (managers, director, GM). */
export const canSeeTeam = (viewer: Viewer): boolean => isManager(viewer) || seesAllRecords(viewer);

export const CALENDAR_LIMIT = 2000;

/**
 * Calendar items in [start, end) UTC. `owners` = the people whose schedule is shown; for the viewer's own schedule,
 * activities they take part in are included. Each branch reads the (owner_id, starts_at) index over the range.
 */
export async function calendarItems(db: Db, viewer: Viewer, range: { start: string; end: string }, owners: number[]) {
  const own = owners.length === 1 && owners[0] === viewer.id;
  const base = () =>
    activityBase(db, viewer)
      .select(['a.id', 'a.type', 'a.subject', 'a.starts_at', 'a.duration_minutes', 'a.status', 'a.owner_id', 'o.display_name as owner_name'])
      .where('a.starts_at', '>=', range.start)
      .where('a.starts_at', '<', range.end)
      .orderBy('a.starts_at')
      .orderBy('a.id')
      .limit(CALENDAR_LIMIT + 1);
  let rows;
  if (own) {
    // One's own schedule: what one owns plus what one takes part in. As one OR the planner scans every activity of
    // the owner (~20 ms for 10k); as two queries each uses its index — (owner_id, starts_at) and the member list.
    const owned = await base().where('a.owner_id', '=', viewer.id).execute();
    const joined = viewer.memberOf.has('activities')
      ? await base()
          .where('a.owner_id', '!=', viewer.id)
          .where('a.id', 'in', (eb) => eb.selectFrom('record_members as rm').select('rm.record_id').where('rm.user_id', '=', viewer.id).where('rm.entity', '=', 'activities'))
          .execute()
      : [];
    rows = [...owned, ...joined].sort((x, y) => (x.starts_at < y.starts_at ? -1 : x.starts_at > y.starts_at ? 1 : x.id - y.id)).slice(0, CALENDAR_LIMIT + 1);
  } else {
    rows = await base()
      .where((eb) => (owners.length === 1 ? eb('a.owner_id', '=', owners[0]!) : eb('a.owner_id', 'in', owners.length > 0 ? owners : [-1])))
      .execute();
  }
  const truncated = rows.length > CALENDAR_LIMIT;
  return { items: truncated ? rows.slice(0, CALENDAR_LIMIT) : rows, truncated };
}
export type CalendarItem = Awaited<ReturnType<typeof calendarItems>>['items'][number];

export const TASK_PAGE = 50;

/** Open tasks (type task, status planned) of `owners`, soonest due first; keyset on (starts_at, id). */
export async function openTasks(db: Db, viewer: Viewer, owners: number[], after: string) {
  let q = activityBase(db, viewer)
    .leftJoin('customers as c', 'c.id', 'a.customer_id')
    .select([...ROW_COLUMNS, 'a.customer_id', 'c.name as customer_name'])
    // One owner: equality, so the (owner_id, status, type, starts_at) index also gives the order.
    .where((eb) => (owners.length === 1 ? eb('a.owner_id', '=', owners[0]!) : eb('a.owner_id', 'in', owners.length > 0 ? owners : [-1])))
    .where('a.status', '=', 'planned')
    .where('a.type', '=', 'task')
    .orderBy('a.starts_at')
    .orderBy('a.id')
    .limit(TASK_PAGE + 1);
  const cursor = parseCursor(after);
  if (cursor) q = q.where((eb) => eb.or([eb('a.starts_at', '>', cursor.at), eb.and([eb('a.starts_at', '=', cursor.at), eb('a.id', '>', cursor.id)])]));
  const rows = await q.execute();
  const hasMore = rows.length > TASK_PAGE;
  const items = hasMore ? rows.slice(0, TASK_PAGE) : rows;
  const last = items[items.length - 1];
  return { items, nextAfter: hasMore && last ? `${last.starts_at}|${last.id}` : null };
}
export type TaskRow = Awaited<ReturnType<typeof openTasks>>['items'][number];

/** One task row (after an inline change), through the scope rule. */
export async function taskRow(db: Db, viewer: Viewer, id: number) {
  return activityBase(db, viewer)
    .leftJoin('customers as c', 'c.id', 'a.customer_id')
    .select([...ROW_COLUMNS, 'a.customer_id', 'c.name as customer_name'])
    .where('a.id', '=', id)
    .executeTakeFirst();
}
