import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../../db/index.ts';
import { idsCondition, idsWhereColumnContains, isShortChineseTerm, searchCondition, textSearch } from '../../db/search.ts';
import { remember, whileUnchanged } from '../../db/cache.ts';
import { commonByLike, isManager, scope, seesAllRecords, type Viewer } from '../../access/index.ts';
import type { CustomerInput, CustomerListQuery, CustomerSort } from './schemas.ts';
import { normaliseCreditCode } from '../../lib/credit-code.ts';

export const PAGE_SIZE = 50;
/** Exports read at most this many rows: a bigger export would hold the single database connection too long. */
export const EXPORT_LIMIT = 10_000;

/** Every column of a customer, with the owner's name: the detail page and exports. */
const ALL_COLUMNS = [
  'c.id',
  'c.name',
  'c.short_name',
  'c.type',
  'c.credit_code',
  'c.industry',
  'c.province',
  'c.city',
  'c.address',
  'c.postal_code',
  'c.phone',
  'c.website',
  'c.size',
  'c.source',
  'c.grade',
  'c.lifecycle',
  'c.notes',
  'c.owner_id',
  'c.pooled_at',
  'c.last_activity_at',
  'c.created_at',
  'c.updated_at',
  'u.display_name as owner_name',
] as const;

/**
 * Only what the list shows (and its keyset cursor needs): turning a row into a JS object costs per column, and the
 * full row costs 2.4× the list's columns (0.40 vs 0.17 ms for a page of 51, measured on the bench dataset).
 */
const LIST_COLUMNS = [
  'c.id',
  'c.name',
  'c.short_name',
  'c.industry',
  'c.province',
  'c.city',
  'c.phone',
  'c.grade',
  'c.lifecycle',
  'c.pooled_at',
  'c.created_at',
  'c.updated_at',
  'u.display_name as owner_name',
] as const;

/** Sales roles see the pool; the sort key of each sort. */
const SORT_KEYS: Record<CustomerSort, { column: 'c.updated_at' | 'c.name' | 'c.created_at'; desc: boolean }> = {
  updated: { column: 'c.updated_at', desc: true },
  name: { column: 'c.name', desc: false },
  created: { column: 'c.created_at', desc: true },
};

/**
 * A manager's scope is an OR over the team's owners: SQLite gathers every row of the team through the owner index
 * and sorts them (33k rows, ~30–130 ms for a 1,000-person region), where walking the sort index and testing each row
 * finds a page after a few hundred. For a team owning a good share of the customers, the condition is made opaque to
 * the planner so it walks the sort index; for a small team the owner index stays the better path.
 */
async function managerScope(db: Db, viewer: Viewer): Promise<{ condition: Expression<SqlBool>; opaque: boolean }> {
  const base = scope(viewer, 'customers', { alias: 'c' });
  // Directors see everything: their "my department" view is the whole sales centre, dense by nature.
  if (seesAllRecords(viewer)) return { condition: base, opaque: true };
  if (!isManager(viewer) || viewer.departmentIds.length === 0) return { condition: base, opaque: false };
  const counts = await db
    .selectFrom('users')
    .select((eb) => [eb.fn.countAll<number>().as('all'), eb.fn.sum<number>(eb.case().when('department_id', 'in', viewer.departmentIds).then(1).else(0).end()).as('team')])
    .executeTakeFirstOrThrow();
  const dense = Number(counts.team) >= 200 && Number(counts.team) * 20 >= Number(counts.all);
  return dense ? { condition: sql<SqlBool>`(case when ${base} then 1 else 0 end) = 1`, opaque: true } : { condition: base, opaque: false };
}

/** Which rows a built-in view shows, inside the viewer's scope. */
function viewCondition(viewer: Viewer, view: CustomerListQuery['view'], team: { condition: Expression<SqlBool>; opaque: boolean }): Expression<SqlBool> {
  switch (view) {
    case 'pool':
      // The pool: no owner. Every sales role sees it (scope with includePool); admins see nothing.
      return sql<SqlBool>`(c.owner_id is null and ${scope(viewer, 'customers', { alias: 'c', includePool: true })})`;
    case 'mine':
      return sql<SqlBool>`c.owner_id = ${viewer.id}`;
    case 'dept': {
      if (viewer.departmentIds.length === 0) return sql<SqlBool>`c.owner_id = ${viewer.id}`;
      const depts = sql.join(viewer.departmentIds.map((d) => sql`${d}`));
      const inTeam = sql<SqlBool>`c.owner_id in (select du.id from users du where du.department_id in (${depts}))`;
      return sql<SqlBool>`(${team.opaque ? sql<SqlBool>`(case when ${inTeam} then 1 else 0 end) = 1` : inTeam} and ${team.condition})`;
    }
    default:
      return team.condition;
  }
}

/** The built-in views a viewer is offered: "my department" only for managers and above. */
export function viewsFor(viewer: Viewer): CustomerListQuery['view'][] {
  return isManager(viewer) || seesAllRecords(viewer) ? ['all', 'mine', 'dept', 'pool'] : ['all', 'mine', 'pool'];
}

/** A keyset cursor: the sort key and the id of the last row shown, "key|id" (the key may itself contain "|"). */
export function encodeCursor(key: string, id: number): string {
  return `${key}|${id}`;
}
function decodeCursor(after: string | undefined): { key: string; id: number } | null {
  if (!after) return null;
  const at = after.lastIndexOf('|');
  const id = after.slice(at + 1);
  if (at < 0 || !/^\d{1,15}$/.test(id)) return null;
  return { key: after.slice(0, at), id: Number(id) };
}

const SEARCH_COLUMNS = ['name', 'short_name', 'phone', 'credit_code'] as const;
/** Up to this many matches of a short Latin or digit term are collected first and the page drawn from them (see customerSearch). */
const SHORT_TERM_CAP = 2000;

/**
 * The search condition. Terms of 3+ characters go to the trigram index (textSearch); 1–2 character Chinese terms to
 * the gram index (src/db/search.ts searchCondition). Other 1–2 character terms (digits, Latin letters) can only be
 * matched with LIKE. For a rep the scope already narrows the rows to a few hundred, so the plain condition is best.
 * For managers and directors, walking the sort index and testing every row is slow when matches are rare (~250 ms
 * over 100k rows), so the matching ids are collected first: one LIKE pass per column over that column's own index
 * (~8 ms for 100k names). Up to SHORT_TERM_CAP of them, the page is drawn from those ids by primary key; beyond it,
 * matches are dense and walking the sort index finds a page at once.
 */
async function customerSearch(db: Db, viewer: Viewer, q: string, view: CustomerListQuery['view']): Promise<Expression<SqlBool>> {
  const term = q.trim();
  // A Chinese term through the gram index, in the columns that hold Chinese.
  if (isShortChineseTerm(term)) return searchCondition(db, 'customers', 'c', term, ['name', 'short_name'], { commonByLike: commonByLike(viewer, view) });
  const full = textSearch('customers', 'c', q, [...SEARCH_COLUMNS]);
  if ([...term].length >= 3) return full;
  const narrow = view === 'mine' || !(isManager(viewer) || seesAllRecords(viewer));
  if (narrow) return full;
  // One query per column (a UNION would be merged in rowid order, over the table instead of the indexes).
  const ids = new Set<number>();
  for (const col of SEARCH_COLUMNS) {
    for (const id of await idsWhereColumnContains(db, 'customers', col, `customers_${col}_idx`, term, SHORT_TERM_CAP + 1)) ids.add(id);
    if (ids.size > SHORT_TERM_CAP) return full;
  }
  return idsCondition('c', [...ids]);
}

async function filteredQuery(db: Db, viewer: Viewer, f: CustomerListQuery) {
  let q = db
    .selectFrom('customers as c')
    .leftJoin('users as u', 'u.id', 'c.owner_id')
    .where(viewCondition(viewer, f.view, f.view === 'pool' || f.view === 'mine' ? { condition: sql<SqlBool>`1 = 1`, opaque: false } : await managerScope(db, viewer)));
  if (f.q) q = q.where(await customerSearch(db, viewer, f.q, f.view));
  if (f.owner) q = q.where('c.owner_id', '=', Number(f.owner));
  if (f.grade) q = q.where('c.grade', '=', f.grade);
  if (f.lifecycle) q = q.where('c.lifecycle', '=', f.lifecycle);
  if (f.industry) q = q.where('c.industry', '=', f.industry);
  if (f.province) q = q.where('c.province', '=', f.province);
  if (f.type) q = q.where('c.type', '=', f.type);
  if (f.source) q = q.where('c.source', '=', f.source);
  if (f.tag) {
    const tag = f.tag;
    q = q.where('c.id', 'in', (eb) => eb.selectFrom('customer_tags').select('customer_id').where('tag', '=', tag));
  }
  return q;
}

/** One page of the customers a viewer may see, filtered and sorted; keyset on (sort key, id), never OFFSET. */
export async function listCustomers(db: Db, viewer: Viewer, f: CustomerListQuery) {
  const sort = SORT_KEYS[f.sort ?? 'updated'];
  let q = (await filteredQuery(db, viewer, f))
    .select(LIST_COLUMNS)
    .orderBy(sort.column, sort.desc ? 'desc' : 'asc')
    .orderBy('c.id', sort.desc ? 'desc' : 'asc')
    .limit(PAGE_SIZE + 1);
  const cursor = decodeCursor(f.after);
  if (cursor) q = q.where((eb) => eb(eb.refTuple(sort.column, 'c.id'), sort.desc ? '<' : '>', eb.tuple(cursor.key, cursor.id)));
  const rows = await q.execute();
  const hasMore = rows.length > PAGE_SIZE;
  const page = hasMore ? rows.slice(0, PAGE_SIZE) : rows;
  const tags = await tagsOf(db, page.map((r) => r.id));
  const customers = page.map((r) => ({ ...r, tags: tags.get(r.id) ?? [] }));
  const last = customers[customers.length - 1];
  const lastKey = last ? (f.sort === 'name' ? last.name : f.sort === 'created' ? last.created_at : last.updated_at) : '';
  return { customers, nextAfter: hasMore && last ? encodeCursor(lastKey, last.id) : null };
}
export type CustomerRow = Awaited<ReturnType<typeof listCustomers>>['customers'][number];
export type CustomerExportRow = Awaited<ReturnType<typeof customersForExport>>[number];

/** Rows for an export: the list's filters, or just the checked `ids` (any the viewer may see, pool included), at most EXPORT_LIMIT. */
export async function customersForExport(db: Db, viewer: Viewer, f: CustomerListQuery, ids: number[]) {
  const sort = SORT_KEYS[f.sort ?? 'updated'];
  const base =
    ids.length > 0
      ? db
          .selectFrom('customers as c')
          .leftJoin('users as u', 'u.id', 'c.owner_id')
          .where('c.id', 'in', ids)
          .where(scope(viewer, 'customers', { alias: 'c', includePool: true }))
      : await filteredQuery(db, viewer, f);
  const rows = await base
    .select(ALL_COLUMNS)
    .orderBy(sort.column, sort.desc ? 'desc' : 'asc')
    .orderBy('c.id', sort.desc ? 'desc' : 'asc')
    .limit(EXPORT_LIMIT)
    .execute();
  const tags = await tagsOf(db, rows.map((r) => r.id));
  return rows.map((r) => ({ ...r, tags: tags.get(r.id) ?? [] }));
}

/** Tags of many customers at once. */
export async function tagsOf(db: Db, ids: number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    if (chunk.length === 0) break;
    const rows = await db.selectFrom('customer_tags').select(['customer_id', 'tag']).where('customer_id', 'in', chunk).orderBy('tag').execute();
    for (const r of rows) out.set(r.customer_id, [...(out.get(r.customer_id) ?? []), r.tag]);
  }
  return out;
}

/**
 * One customer through the scope. `includePool` lets every sales role read a pool customer (the 360° page);
 * editing passes false, so a pool customer is not found until claimed.
 */
export async function getCustomer(db: Db, viewer: Viewer, id: number, opts: { includePool?: boolean } = {}) {
  const row = await db
    .selectFrom('customers as c')
    .leftJoin('users as u', 'u.id', 'c.owner_id')
    .select([...ALL_COLUMNS, 'c.created_by'])
    .where('c.id', '=', id)
    .where(scope(viewer, 'customers', { alias: 'c', includePool: opts.includePool ?? false }))
    .executeTakeFirst();
  if (!row) return undefined;
  const tags = await tagsOf(db, [id]);
  return { ...row, tags: tags.get(id) ?? [] };
}
export type Customer = NonNullable<Awaited<ReturnType<typeof getCustomer>>>;

/** Legal-form words and region prefixes that do not tell two companies apart. */
const LEGAL_FORMS = ['股份有限公司', '有限责任公司', '有限公司', '分公司', '集团', '股份', '公司', '控股', '（中国）', '(中国)'];
const REGION_PREFIX = /^(北京|天津|上海|重庆|河北|山西|内蒙古|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|广西|海南|四川|贵州|云南|西藏|陕西|甘肃|青海|宁夏|新疆|香港|澳门)(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)?/;
const CITY_PREFIX = /^[\u4e00-\u9fa5]{2,3}市/;

/** The distinctive part of a company name: "深圳市华为技术有限公司" → "华为技术". */
export function nameCore(name: string): string {
  let s = name.replace(/\s+/g, '');
  for (let i = 0; i < 2; i++) {
    s = s.replace(REGION_PREFIX, '');
    s = s.replace(CITY_PREFIX, '');
  }
  let changed = true;
  while (changed) {
    changed = false;
    for (const form of LEGAL_FORMS) {
      if (s.endsWith(form) && s.length > form.length) {
        s = s.slice(0, -form.length);
        changed = true;
      }
    }
  }
  for (const form of ['（中国）', '(中国)']) s = s.replace(form, '');
  return s || name.trim();
}

/** True when two names are probably the same company: same core, or one core contains the other. */
export function similarNames(a: string, b: string): boolean {
  const x = nameCore(a);
  const y = nameCore(b);
  if ([...x].length < 2 || [...y].length < 2) return x === y;
  return x === y || x.includes(y) || y.includes(x);
}

export type DuplicateReason = 'credit_code' | 'phone' | 'name';
export interface DuplicateMatch {
  id: number;
  name: string;
  owner_name: string | null;
  visible: boolean;
  reasons: DuplicateReason[];
}

/**
 * Likely duplicates of a new customer across the whole company (a duplicate is a duplicate whoever owns it):
 * same credit code, same phone, or a similar name. `visible` says whether the viewer may open it (the page
 * shows others' matches without a link).
 */
export async function findDuplicates(db: Db, viewer: Viewer, input: Pick<CustomerInput, 'name' | 'credit_code' | 'phone'>): Promise<DuplicateMatch[]> {
  const core = nameCore(input.name);
  const coreLong = [...core].length >= 2;
  const name = input.name.trim();
  const visible = scope(viewer, 'customers', { alias: 'c', includePool: true });
  const rows = await db
    .selectFrom('customers as c')
    .leftJoin('users as u', 'u.id', 'c.owner_id')
    .select(['c.id', 'c.name', 'c.short_name', 'c.credit_code', 'c.phone', 'u.display_name as owner_name', sql<number>`case when ${visible} then 1 else 0 end`.as('visible')])
    .where((eb) => {
      const any: Expression<SqlBool>[] = [];
      if (input.credit_code) any.push(eb('c.credit_code', '=', normaliseCreditCode(input.credit_code)));
      if (input.phone) any.push(eb('c.phone', '=', input.phone));
      if (coreLong) {
        // The new name's core inside an existing name, or an existing (short) name inside the new name.
        any.push(textSearch('customers', 'c', core, ['name', 'short_name']));
        any.push(sql<SqlBool>`${name} like '%' || c.name || '%'`);
        any.push(sql<SqlBool>`(c.short_name <> '' and ${name} like '%' || c.short_name || '%')`);
      } else {
        any.push(eb('c.name', '=', name));
      }
      return eb.or(any);
    })
    .orderBy('c.id')
    .limit(50)
    .execute();
  const out: DuplicateMatch[] = [];
  for (const r of rows) {
    const reasons: DuplicateReason[] = [];
    if (input.credit_code && r.credit_code === normaliseCreditCode(input.credit_code)) reasons.push('credit_code');
    if (input.phone && r.phone === input.phone) reasons.push('phone');
    if (similarNames(name, r.name) || (r.short_name && similarNames(name, r.short_name))) reasons.push('name');
    if (reasons.length > 0) out.push({ id: r.id, name: r.name, owner_name: r.owner_name, visible: Boolean(r.visible), reasons });
  }
  return out.slice(0, 10);
}

export { assignableUsers as ownerOptions, assignableUser as assignableOwner } from '../users/queries.ts';

/** The viewer's saved views of the customer list. */
export async function savedViewsOf(db: Db, viewer: Viewer) {
  return db.selectFrom('saved_views').select(['id', 'name', 'query']).where('user_id', '=', viewer.id).where('entity', '=', 'customers').orderBy('name').execute();
}

/** The tag vocabulary for the filter: a DISTINCT over every customer's tags (~3 ms on 100k customers), remembered a minute. */
export async function knownTags(db: Db) {
  return remember(db, 'customer-tags', 60_000, async () => {
    const rows = await db.selectFrom('customer_tags').select('tag').distinct().orderBy('tag').limit(100).execute();
    return rows.map((r) => r.tag);
  });
}

/** The company's public-pool settings (migration 0003 adds the columns). */
export interface PoolSettings {
  poolDays: number;
  claimLimit: number;
}
export async function poolSettings(db: Db): Promise<PoolSettings> {
  return whileUnchanged(db, 'pool-settings', async () => {
    const r = await sql<{ pool_days: number; pool_claim_limit: number }>`select pool_days, pool_claim_limit from company where id = 1`.execute(db);
    const row = r.rows[0];
    return { poolDays: row?.pool_days ?? 30, claimLimit: row?.pool_claim_limit ?? 100 };
  });
}

/** How many customers a user holds (for the claim limit). */
export async function heldCount(db: Db, userId: number): Promise<number> {
  const r = await db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).where('owner_id', '=', userId).executeTakeFirstOrThrow();
  return Number(r.n);
}
