import { type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { DB } from '../../db/types.ts';
import type { Db } from '../../db/index.ts';
import { hasNonAscii, listSortKey, searchCondition } from '../../db/search.ts';
import { builtInViews, commonByLike, scope, viewScope, type Viewer } from '../../access/index.ts';
import type { LeadListQuery, LeadSort, LeadView } from './schemas.ts';

export const PAGE_SIZE = 50;
export const EXPORT_LIMIT = 10_000;

/** Every column: the detail page and exports. */
const ALL_COLUMNS = [
  'l.id',
  'l.source',
  'l.company',
  'l.person',
  'l.title',
  'l.mobile',
  'l.phone',
  'l.email',
  'l.wechat',
  'l.province',
  'l.city',
  'l.address',
  'l.industry',
  'l.status',
  'l.disqualify_reason',
  'l.notes',
  'l.owner_id',
  'l.converted_at',
  'l.customer_id',
  'l.contact_id',
  'l.created_at',
  'l.updated_at',
] as const;

/** Only what the list shows and its cursor needs (each column costs per row: see customers/queries.ts). */
const LIST_COLUMNS = ['l.id', 'l.source', 'l.company', 'l.person', 'l.title', 'l.mobile', 'l.phone', 'l.province', 'l.city', 'l.status', 'l.converted_at', 'l.created_at', 'l.updated_at'] as const;

/** The owner's name as a subquery, not a join (a join let SQLite start from users: see contacts/queries.ts). */
const OWNER_NAME = (eb: ExpressionBuilder<DB & { l: DB['leads'] }, 'l'>) => eb.selectFrom('users as u').select('u.display_name').whereRef('u.id', '=', 'l.owner_id').as('owner_name');

const SORT_KEYS: Record<LeadSort, { column: 'l.updated_at' | 'l.company' | 'l.created_at'; desc: boolean }> = {
  updated: { column: 'l.updated_at', desc: true },
  company: { column: 'l.company', desc: false },
  created: { column: 'l.created_at', desc: true },
};


const sortKey = (viewer: Viewer, f: { q?: string | undefined }, column: string) => listSortKey(column, f.q, viewer.role !== 'sales_rep');

/** Mobiles, phones and emails hold no Chinese: a short Chinese term is looked for only where Chinese is written. */
function searchColumns(q: string): string[] {
  return hasNonAscii(q) ? ['company', 'person'] : ['company', 'person', 'mobile', 'phone', 'email'];
}


export const viewsFor = (viewer: Viewer): LeadView[] => builtInViews(viewer);

const viewCondition = (viewer: Viewer, view: LeadView | undefined): Expression<SqlBool> => viewScope(viewer, 'leads', 'l', view);

function decodeCursor(after: string | undefined): { key: string; id: number } | null {
  if (!after) return null;
  const at = after.lastIndexOf('|');
  const id = after.slice(at + 1);
  if (at < 0 || !/^\d{1,15}$/.test(id)) return null;
  return { key: after.slice(0, at), id: Number(id) };
}

async function filteredQuery(db: Db, viewer: Viewer, f: LeadListQuery) {
  let q = db.selectFrom('leads as l').where(viewCondition(viewer, f.view));
  if (f.q) q = q.where(await searchCondition(db, 'leads', 'l', f.q, searchColumns(f.q), { commonByLike: commonByLike(viewer, f.view) }));
  if (f.owner) q = q.where('l.owner_id', '=', Number(f.owner));
  if (f.status) q = q.where('l.status', '=', f.status);
  if (f.source) q = q.where('l.source', '=', f.source);
  return q;
}

/** One page of the leads a viewer may see; keyset on (sort key, id), never OFFSET. */
export async function listLeads(db: Db, viewer: Viewer, f: LeadListQuery) {
  const sort = SORT_KEYS[f.sort ?? 'updated'];
  let q = (await filteredQuery(db, viewer, f))
    .select(LIST_COLUMNS)
    .select(OWNER_NAME)
    .orderBy(sortKey(viewer, f, sort.column), sort.desc ? 'desc' : 'asc')
    .orderBy('l.id', sort.desc ? 'desc' : 'asc')
    .limit(PAGE_SIZE + 1);
  const cursor = decodeCursor(f.after);
  if (cursor) q = q.where((eb) => eb(eb.refTuple(sort.column, 'l.id'), sort.desc ? '<' : '>', eb.tuple(cursor.key, cursor.id)));
  const rows = await q.execute();
  const hasMore = rows.length > PAGE_SIZE;
  const leads = hasMore ? rows.slice(0, PAGE_SIZE) : rows;
  const last = leads[leads.length - 1];
  const lastKey = last ? (f.sort === 'company' ? last.company : f.sort === 'created' ? last.created_at : last.updated_at) : '';
  return { leads, nextAfter: hasMore && last ? `${lastKey}|${last.id}` : null };
}
export type LeadRow = Awaited<ReturnType<typeof listLeads>>['leads'][number];
export type LeadExportRow = Awaited<ReturnType<typeof leadsForExport>>[number];

export async function leadsForExport(db: Db, viewer: Viewer, f: LeadListQuery, ids: number[]) {
  const sort = SORT_KEYS[f.sort ?? 'updated'];
  let q = (await filteredQuery(db, viewer, ids.length > 0 ? {} : f))
    .select(ALL_COLUMNS)
    .select(OWNER_NAME)
    .orderBy(sort.column, sort.desc ? 'desc' : 'asc')
    .orderBy('l.id', sort.desc ? 'desc' : 'asc')
    .limit(EXPORT_LIMIT);
  if (ids.length > 0) q = q.where('l.id', 'in', ids);
  return q.execute();
}

/** One lead through the scope rule (undefined → 404), with the names of what it was converted into. */
export async function getLead(db: Db, viewer: Viewer, id: number) {
  return db
    .selectFrom('leads as l')
    .leftJoin('customers as c', 'c.id', 'l.customer_id')
    .leftJoin('contacts as ct', 'ct.id', 'l.contact_id')
    .select(ALL_COLUMNS)
    .select(OWNER_NAME)
    .select(['c.name as customer_name', 'ct.name as contact_name'])
    .where('l.id', '=', id)
    .where(scope(viewer, 'leads', { alias: 'l' }))
    .executeTakeFirst();
}
export type Lead = NonNullable<Awaited<ReturnType<typeof getLead>>>;
