import { sql } from 'kysely';
import type { Db } from '../../db/index.ts';
import { whileUnchanged } from '../../db/cache.ts';
import { isManager, listScope, scope, seesAllRecords, type Viewer } from '../../access/index.ts';
import { anyColumnContains } from '../../db/search.ts';
import type { ListQuery, Sort } from './schemas.ts';

export const PAGE_SIZE = 50;
export const EXPORT_LIMIT = 10_000;
const PICKER_SIZE = 300;

/** Column, direction and cursor type of each sort (every sort ends with the id, so keys are unique). */
const SORT_KEYS: Record<Sort, { column: 'o.updated_at' | 'o.expected_close_date' | 'o.amount_fen' | 'o.name'; dir: 'asc' | 'desc'; numeric: boolean }> = {
  updated: { column: 'o.updated_at', dir: 'desc', numeric: false },
  close: { column: 'o.expected_close_date', dir: 'asc', numeric: false },
  amount: { column: 'o.amount_fen', dir: 'desc', numeric: true },
  name: { column: 'o.name', dir: 'asc', numeric: false },
};

export function encodeCursor(value: string | number, id: number): string {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}
function decodeCursor(raw: string | undefined): [string | number, number] | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && (typeof v[0] === 'string' || typeof v[0] === 'number') && typeof v[1] === 'number') return [v[0], v[1]];
  } catch {
    /* a damaged cursor starts from the first page */
  }
  return null;
}

function filtered(db: Db, viewer: Viewer, f: ListQuery) {
  let q = db
    .selectFrom('opportunities as o')
    .innerJoin('customers as c', 'c.id', 'o.customer_id')
    .innerJoin('pipeline_stages as s', 's.id', 'o.stage_id')
    .innerJoin('users as u', 'u.id', 'o.owner_id')
    .where(listScope(viewer, 'opportunities', 'o'));
  if (f.view === 'mine') q = q.where('o.owner_id', '=', viewer.id);
  else if (f.view === 'department' && viewer.departmentIds.length) q = q.where('u.department_id', 'in', viewer.departmentIds);
  if (f.owner) q = q.where('o.owner_id', '=', Number(f.owner));
  if (f.department) q = q.where('u.department_id', '=', Number(f.department));
  if (f.pipeline) q = q.where('o.pipeline_id', '=', Number(f.pipeline));
  if (f.stage) q = q.where('o.stage_id', '=', Number(f.stage));
  if (f.status) q = q.where('o.status', '=', f.status);
  if (f.close_from) q = q.where('o.expected_close_date', '>=', f.close_from);
  if (f.close_to) q = q.where('o.expected_close_date', '<=', f.close_to);
  if (f.q) q = q.where(anyColumnContains(['o.name', 'c.name'], f.q));
  return q;
}

const ROW = ['o.id', 'o.name', 'o.customer_id', 'o.pipeline_id', 'o.stage_id', 'o.status', 'o.amount_fen', 'o.probability', 'o.expected_close_date', 'o.source', 'o.owner_id', 'o.updated_at', 'o.created_at', 'o.next_step', 'o.close_reason'] as const;

export async function listOpportunities(db: Db, viewer: Viewer, f: ListQuery) {
  const key = SORT_KEYS[f.sort ?? 'updated'];
  let q = filtered(db, viewer, f).select([...ROW, 'c.name as customer_name', 's.name as stage_name', 's.kind as stage_kind', 'u.display_name as owner_name']);
  const cursor = decodeCursor(f.after);
  if (cursor) {
    const [value, id] = cursor;
    const op = key.dir === 'desc' ? '<' : '>';
    q = q.where((eb) => eb.or([eb(key.column, op, value as never), eb.and([eb(key.column, '=', value as never), eb('o.id', op, id)])]));
  }
  const rows = await q.orderBy(key.column, key.dir).orderBy('o.id', key.dir).limit(PAGE_SIZE + 1).execute();
  const more = rows.length > PAGE_SIZE;
  const page = rows.slice(0, PAGE_SIZE);
  const last = page.at(-1);
  const sortField = key.column.slice(2) as 'updated_at' | 'expected_close_date' | 'amount_fen' | 'name';
  return { rows: page, nextAfter: more && last ? encodeCursor(last[sortField], last.id) : null };
}
export type OpportunityRow = Awaited<ReturnType<typeof listOpportunities>>['rows'][number];

export async function opportunitiesForExport(db: Db, viewer: Viewer, f: ListQuery) {
  const key = SORT_KEYS[f.sort ?? 'updated'];
  return filtered(db, viewer, f)
    .select([...ROW, 'c.name as customer_name', 's.name as stage_name', 's.kind as stage_kind', 'u.display_name as owner_name'])
    .orderBy(key.column, key.dir)
    .orderBy('o.id', key.dir)
    .limit(EXPORT_LIMIT)
    .execute();
}

/** One deal the viewer may see, with everything the detail page shows; undefined → 404. */
export async function getOpportunity(db: Db, viewer: Viewer, id: number) {
  const deal = await db
    .selectFrom('opportunities as o')
    .innerJoin('customers as c', 'c.id', 'o.customer_id')
    .innerJoin('pipelines as p', 'p.id', 'o.pipeline_id')
    .innerJoin('users as u', 'u.id', 'o.owner_id')
    .select([...ROW, 'o.description', 'o.closed_at', 'o.stage_entered_at', 'o.lead_id', 'c.name as customer_name', 'p.name as pipeline_name', 'u.display_name as owner_name'])
    .where('o.id', '=', id)
    .where(scope(viewer, 'opportunities', { alias: 'o' }))
    .executeTakeFirst();
  if (!deal) return undefined;
  const [history, members, competitors, checks] = await Promise.all([
    db
      .selectFrom('opportunity_stage_history as h')
      .leftJoin('pipeline_stages as f', 'f.id', 'h.from_stage_id')
      .innerJoin('pipeline_stages as t', 't.id', 'h.to_stage_id')
      .leftJoin('users as b', 'b.id', 'h.changed_by')
      .select(['h.id', 'h.changed_at', 'h.amount_fen', 'h.expected_close_date', 'h.days_in_from_stage', 'f.name as from_name', 't.name as to_name', 'b.display_name as by_name'])
      .where('h.opportunity_id', '=', id)
      .orderBy('h.id', 'desc')
      .execute(),
    db
      .selectFrom('record_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['u.id', 'u.display_name'])
      .where('m.entity', '=', 'opportunities')
      .where('m.record_id', '=', id)
      .orderBy('u.display_name')
      .execute(),
    db
      .selectFrom('opportunity_competitors as oc')
      .innerJoin('competitors as k', 'k.id', 'oc.competitor_id')
      .select(['k.id', 'k.name'])
      .where('oc.opportunity_id', '=', id)
      .orderBy('k.name')
      .execute(),
    db.selectFrom('opportunity_criteria_checks').select(['criterion_id', 'checked_at', 'checked_by']).where('opportunity_id', '=', id).execute(),
  ]);
  return { ...deal, history, members, competitors, checkedIds: new Set(checks.map((c) => c.criterion_id)) };
}
export type OpportunityDetail = NonNullable<Awaited<ReturnType<typeof getOpportunity>>>;

/** The deals of one customer that the viewer may see (for the customer 360° page), newest first. */
export async function opportunitiesOfCustomer(db: Db, viewer: Viewer, customerId: number) {
  return db
    .selectFrom('opportunities as o')
    .innerJoin('pipeline_stages as s', 's.id', 'o.stage_id')
    .innerJoin('users as u', 'u.id', 'o.owner_id')
    .select(['o.id', 'o.name', 'o.status', 'o.amount_fen', 'o.probability', 'o.expected_close_date', 's.name as stage_name', 's.kind as stage_kind', 'u.display_name as owner_name'])
    .where('o.customer_id', '=', customerId)
    .where(scope(viewer, 'opportunities', { alias: 'o' }))
    .orderBy('o.status', 'desc')
    .orderBy('o.updated_at', 'desc')
    .limit(100)
    .execute();
}

/** Customers a deal may be opened on: the viewer's (not the public pool), most recently updated first, plus the chosen one. */
export async function customerOptions(db: Db, viewer: Viewer, chosen: number | null) {
  const rows = await db
    .selectFrom('customers as c')
    .select(['c.id', 'c.name'])
    .where(scope(viewer, 'customers', { alias: 'c' }))
    .orderBy('c.updated_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(PICKER_SIZE)
    .execute();
  if (chosen && !rows.some((r) => r.id === chosen)) {
    const c = await db.selectFrom('customers as c').select(['c.id', 'c.name']).where('c.id', '=', chosen).where(scope(viewer, 'customers', { alias: 'c' })).executeTakeFirst();
    if (c) rows.unshift(c);
  }
  return rows.sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
}

/** Which built-in views the viewer has: department only for managers, all for those who see beyond themselves. */
export function viewsFor(viewer: Viewer): ('mine' | 'department' | 'all')[] {
  if (seesAllRecords(viewer)) return ['all', 'mine'];
  if (isManager(viewer)) return ['all', 'mine', 'department'];
  return ['all', 'mine'];
}

/** All stages of all pipelines, for the filter select. */
export async function allStages(db: Db) {
  return whileUnchanged(db, 'all-stages', () =>
    db
      .selectFrom('pipeline_stages as s')
      .innerJoin('pipelines as p', 'p.id', 's.pipeline_id')
      .select(['s.id', 's.name', 's.kind', 's.pipeline_id', 'p.name as pipeline_name', 's.probability', 's.sort_order'])
      .orderBy('p.sort_order')
      .orderBy('p.id')
      .orderBy(sql`case s.kind when 'open' then 0 when 'won' then 1 else 2 end`)
      .orderBy('s.sort_order')
      .execute(),
  );
}
