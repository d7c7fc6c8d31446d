import { type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { DB } from '../../db/types.ts';
import { TZDate } from '@date-fns/tz';
import type { Db } from '../../db/index.ts';
import { hasNonAscii, listSortKey, searchCondition } from '../../db/search.ts';
import { builtInViews, commonByLike, scope, viewScope, type Viewer } from '../../access/index.ts';
import { companyTimeZone } from '../company/queries.ts';
import type { ContactListQuery, ContactSort, ContactView } from './schemas.ts';

export const PAGE_SIZE = 50;
/** Exports read at most this many rows: a bigger export would hold the single database connection too long. */
export const EXPORT_LIMIT = 10_000;
/** How many customers a picker offers (the most recently updated the viewer can see, plus the chosen one). */
export const PICKER_SIZE = 300;

/** Every column: the detail page and exports. */
const ALL_COLUMNS = [
  'ct.id',
  'ct.kind',
  'ct.customer_id',
  'ct.name',
  'ct.gender',
  'ct.title',
  'ct.department',
  'ct.organisation',
  'ct.mobile',
  'ct.phone',
  'ct.email',
  'ct.wechat',
  'ct.address',
  'ct.postal_code',
  'ct.birthday',
  'ct.notes',
  'ct.owner_id',
  'ct.created_at',
  'ct.updated_at',
] as const;

/** Only what the list shows and its cursor needs (each column costs per row: see customers/queries.ts). */
const LIST_COLUMNS = ['ct.id', 'ct.kind', 'ct.customer_id', 'ct.name', 'ct.title', 'ct.organisation', 'ct.mobile', 'ct.phone', 'ct.email', 'ct.birthday', 'ct.created_at', 'ct.updated_at'] as const;

/**
 * The owner's and the customer's names as subqueries, not joins: with a join SQLite may start from users and reach
 * contacts through the owner index (a search over 300,000 contacts then took ~850 ms instead of ~70 ms).
 */
const NAMES = (eb: ExpressionBuilder<DB & { ct: DB['contacts'] }, 'ct'>) => [
  eb.selectFrom('users as u').select('u.display_name').whereRef('u.id', '=', 'ct.owner_id').as('owner_name'),
  eb.selectFrom('customers as c').select('c.name').whereRef('c.id', '=', 'ct.customer_id').as('customer_name'),
];

const SORT_KEYS: Record<ContactSort, { column: 'ct.updated_at' | 'ct.name' | 'ct.created_at'; desc: boolean }> = {
  updated: { column: 'ct.updated_at', desc: true },
  name: { column: 'ct.name', desc: false },
  created: { column: 'ct.created_at', desc: true },
};


const sortKey = (viewer: Viewer, f: { q?: string | undefined }, column: string) => listSortKey(column, f.q, viewer.role !== 'sales_rep');

/** Mobiles, phones and emails hold no Chinese: a short Chinese term is looked for only where Chinese is written. */
function searchColumns(q: string): string[] {
  return hasNonAscii(q) ? ['name', 'organisation'] : ['name', 'mobile', 'phone', 'email', 'organisation'];
}


export const viewsFor = (viewer: Viewer): ContactView[] => builtInViews(viewer);

const viewCondition = (viewer: Viewer, view: ContactView | undefined): Expression<SqlBool> => viewScope(viewer, 'contacts', 'ct', view);

/** The month (01–12) of today in the company's time zone, for "birthday this month". */
export async function currentMonth(db: Db, now: Date = new Date()): Promise<string> {
  const zone = await companyTimeZone(db);
  return String(new TZDate(now.getTime(), zone).getMonth() + 1).padStart(2, '0');
}

function encodeCursor(key: string, id: number): string {
  return `${key}|${id}`;
}
function decodeCursor(after: string | undefined): { key: string; id: number } | null {
  if (!after) return null;
  const at = after.lastIndexOf('|');
  const id = after.slice(at + 1);
  if (at < 0 || !/^\d{1,15}$/.test(id)) return null;
  return { key: after.slice(0, at), id: Number(id) };
}

async function filteredQuery(db: Db, viewer: Viewer, f: ContactListQuery) {
  let q = db.selectFrom('contacts as ct').where(viewCondition(viewer, f.view));
  if (f.q) q = q.where(await searchCondition(db, 'contacts', 'ct', f.q, searchColumns(f.q), { commonByLike: commonByLike(viewer, f.view) }));
  if (f.owner) q = q.where('ct.owner_id', '=', Number(f.owner));
  if (f.kind) q = q.where('ct.kind', '=', f.kind);
  if (f.customer) q = q.where('ct.customer_id', '=', Number(f.customer));
  if (f.birthday === 'month') q = q.where('ct.birthday', 'like', `____-${await currentMonth(db)}-__`);
  return q;
}

/** One page of the contacts a viewer may see; keyset on (sort key, id), never OFFSET. */
export async function listContacts(db: Db, viewer: Viewer, f: ContactListQuery) {
  const sort = SORT_KEYS[f.sort ?? 'updated'];
  let q = (await filteredQuery(db, viewer, f))
    .select(LIST_COLUMNS)
    .select(NAMES)
    .orderBy(sortKey(viewer, f, sort.column), sort.desc ? 'desc' : 'asc')
    .orderBy('ct.id', sort.desc ? 'desc' : 'asc')
    .limit(PAGE_SIZE + 1);
  const cursor = decodeCursor(f.after);
  if (cursor) q = q.where((eb) => eb(eb.refTuple(sort.column, 'ct.id'), sort.desc ? '<' : '>', eb.tuple(cursor.key, cursor.id)));
  const rows = await q.execute();
  const hasMore = rows.length > PAGE_SIZE;
  const contacts = hasMore ? rows.slice(0, PAGE_SIZE) : rows;
  const last = contacts[contacts.length - 1];
  const lastKey = last ? (f.sort === 'name' ? last.name : f.sort === 'created' ? last.created_at : last.updated_at) : '';
  return { contacts, nextAfter: hasMore && last ? encodeCursor(lastKey, last.id) : null };
}
export type ContactRow = Awaited<ReturnType<typeof listContacts>>['contacts'][number];
export type ContactExportRow = Awaited<ReturnType<typeof contactsForExport>>[number];

/** Rows for an export: the list's filters (or only the checked `ids`), within scope, at most EXPORT_LIMIT. */
export async function contactsForExport(db: Db, viewer: Viewer, f: ContactListQuery, ids: number[]) {
  const sort = SORT_KEYS[f.sort ?? 'updated'];
  let q = (await filteredQuery(db, viewer, ids.length > 0 ? {} : f))
    .select(ALL_COLUMNS)
    .select(NAMES)
    .orderBy(sort.column, sort.desc ? 'desc' : 'asc')
    .orderBy('ct.id', sort.desc ? 'desc' : 'asc')
    .limit(EXPORT_LIMIT);
  if (ids.length > 0) q = q.where('ct.id', 'in', ids);
  return q.execute();
}

/** One contact through the scope rule (undefined → 404). */
export async function getContact(db: Db, viewer: Viewer, id: number) {
  return db
    .selectFrom('contacts as ct')
    .select(ALL_COLUMNS)
    .select(NAMES)
    .where('ct.id', '=', id)
    .where(scope(viewer, 'contacts', { alias: 'ct' }))
    .executeTakeFirst();
}
export type Contact = NonNullable<Awaited<ReturnType<typeof getContact>>>;

export async function keyDatesOf(db: Db, contactId: number) {
  return db.selectFrom('contact_key_dates').select(['id', 'label', 'date', 'yearly']).where('contact_id', '=', contactId).orderBy('date').orderBy('id').execute();
}

/**
 * The contacts of a customer for its 360° page (views/contacts/_customer-panel.eta, as `it.customerContacts`):
 * those the viewer may see, by name.
 */
export async function contactsOfCustomer(db: Db, viewer: Viewer, customerId: number) {
  return db
    .selectFrom('contacts as ct')
    .select(['ct.id', 'ct.name', 'ct.title', 'ct.department', 'ct.mobile', 'ct.phone', 'ct.email', 'ct.birthday'])
    .where('ct.customer_id', '=', customerId)
    .where(scope(viewer, 'contacts', { alias: 'ct' }))
    .orderBy('ct.name')
    .orderBy('ct.id')
    .limit(200)
    .execute();
}
export type CustomerContact = Awaited<ReturnType<typeof contactsOfCustomer>>[number];

/** A customer the viewer may see (their scope or the public pool), or undefined. */
export async function visibleCustomer(db: Db, viewer: Viewer, id: number) {
  return db
    .selectFrom('customers as c')
    .select(['c.id', 'c.name'])
    .where('c.id', '=', id)
    .where(scope(viewer, 'customers', { alias: 'c', includePool: true }))
    .executeTakeFirst();
}

/** Customers for a picker: the most recently updated the viewer may see, plus the chosen one. */
export async function customerOptions(db: Db, viewer: Viewer, chosen: number | null) {
  const rows = await db
    .selectFrom('customers as c')
    .select(['c.id', 'c.name'])
    .where(scope(viewer, 'customers', { alias: 'c', includePool: true }))
    .orderBy('c.updated_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(PICKER_SIZE)
    .execute();
  if (chosen && !rows.some((r) => r.id === chosen)) {
    const c = await visibleCustomer(db, viewer, chosen);
    if (c) rows.unshift(c);
  }
  return rows.sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
}

export { assignableUsers as ownerOptions, assignableUser as assignableOwner } from '../users/queries.ts';

export { canAssign } from '../../access/index.ts';

/** The viewer's saved views of a list (entity 'contacts' or 'leads'). */
export async function savedViewsOf(db: Db, viewer: Viewer, entity: 'contacts' | 'leads') {
  return db.selectFrom('saved_views').select(['id', 'name', 'query']).where('user_id', '=', viewer.id).where('entity', '=', entity).orderBy('name').execute();
}
