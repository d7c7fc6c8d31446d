import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../../db/index.ts';
import { isManager, listScope, scope, seesAllRecords, type Viewer } from '../../access/index.ts';
import { anyColumnContains } from '../../db/search.ts';
import type { QuoteListQuery } from './schemas.ts';

export const PAGE_SIZE = 50;

function encodeCursor(value: string, id: number): string {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}
function decodeCursor(raw: string | undefined): [string, number] | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'number') return [v[0], v[1]];
  } catch {
    /* a damaged cursor starts from the first page */
  }
  return null;
}

/** The newest revision of each quote the viewer may see, newest change first. */
export async function listQuotes(db: Db, viewer: Viewer, f: QuoteListQuery) {
  let q = db
    .selectFrom('quotes as q')
    .innerJoin('customers as c', 'c.id', 'q.customer_id')
    .innerJoin('users as u', 'u.id', 'q.owner_id')
    .select(['q.id', 'q.number', 'q.revision', 'q.status', 'q.quote_date', 'q.valid_until', 'q.total_fen', 'q.discount_bp', 'q.updated_at', 'q.customer_id', 'c.name as customer_name', 'u.display_name as owner_name'])
    .where('q.latest', '=', 1)
    .where(listScope(viewer, 'quotes', 'q'));
  if (f.view === 'mine') q = q.where('q.owner_id', '=', viewer.id);
  else if (f.view === 'department' && viewer.departmentIds.length) q = q.where('u.department_id', 'in', viewer.departmentIds);
  if (f.owner) q = q.where('q.owner_id', '=', Number(f.owner));
  if (f.status) q = q.where('q.status', '=', f.status);
  if (f.q) q = q.where(anyColumnContains(['q.number', 'c.name'], f.q));
  const cursor = decodeCursor(f.after);
  if (cursor) q = q.where((eb) => eb.or([eb('q.updated_at', '<', cursor[0]), eb.and([eb('q.updated_at', '=', cursor[0]), eb('q.id', '<', cursor[1])])]));
  const rows = await q.orderBy('q.updated_at', 'desc').orderBy('q.id', 'desc').limit(PAGE_SIZE + 1).execute();
  const more = rows.length > PAGE_SIZE;
  const page = rows.slice(0, PAGE_SIZE);
  const last = page.at(-1);
  return { rows: page, nextAfter: more && last ? encodeCursor(last.updated_at, last.id) : null };
}

export function viewsFor(viewer: Viewer): ('mine' | 'department' | 'all')[] {
  if (seesAllRecords(viewer)) return ['all', 'mine'];
  if (isManager(viewer)) return ['all', 'mine', 'department'];
  return ['all', 'mine'];
}

/** Who sees a quote: the scope rule, and the user asked to approve it (who may sit outside the owner's scope). */
export function visibleQuote(viewer: Viewer, alias: string): Expression<SqlBool> {
  return sql<SqlBool>`(${scope(viewer, 'quotes', { alias })} or ${sql.ref(`${alias}.approver_id`)} = ${viewer.id})`;
}

/**
 * One quote revision with what its page shows; undefined → 404. Visible through the scope rule, and to the user
 * asked to approve it (`asApprover: false`: through the scope rule alone, as the owner's actions read it).
 */
export async function getQuote(db: Db, viewer: Viewer, id: number, opts: { asApprover?: boolean } = {}) {
  const q = await db
    .selectFrom('quotes as q')
    .innerJoin('customers as c', 'c.id', 'q.customer_id')
    .innerJoin('users as u', 'u.id', 'q.owner_id')
    .leftJoin('contacts as k', 'k.id', 'q.contact_id')
    .leftJoin('opportunities as o', 'o.id', 'q.opportunity_id')
    .leftJoin('users as a', 'a.id', 'q.approver_id')
    .selectAll('q')
    .select([
      'c.name as customer_name',
      'c.address as customer_address',
      'c.phone as customer_phone',
      'u.display_name as owner_name',
      'u.phone as owner_phone',
      'u.email as owner_email',
      'k.name as contact_name',
      'k.mobile as contact_mobile',
      'k.phone as contact_phone',
      'k.email as contact_email',
      'k.title as contact_title',
      'o.name as opportunity_name',
      'o.status as opportunity_status',
      'a.display_name as approver_name',
    ])
    .where('q.id', '=', id)
    .where(opts.asApprover === false ? scope(viewer, 'quotes', { alias: 'q' }) : visibleQuote(viewer, 'q'))
    .executeTakeFirst();
  return q;
}
export type QuoteDetail = NonNullable<Awaited<ReturnType<typeof getQuote>>>;

export async function quoteLines(db: Db, quoteId: number) {
  return db.selectFrom('quote_lines').selectAll().where('quote_id', '=', quoteId).orderBy('position').execute();
}
export type QuoteLine = Awaited<ReturnType<typeof quoteLines>>[number];

/** The history of a quote number: every revision's events, oldest first. */
export async function quoteHistory(db: Db, number: string) {
  const [revisions, events] = await Promise.all([
    db.selectFrom('quotes').select(['id', 'revision', 'status', 'total_fen', 'quote_date', 'sent_at', 'latest']).where('number', '=', number).orderBy('revision').execute(),
    db
      .selectFrom('quote_events as e')
      .innerJoin('quotes as q', 'q.id', 'e.quote_id')
      .leftJoin('users as u', 'u.id', 'e.user_id')
      .select(['e.id', 'e.at', 'e.kind', 'e.comment', 'q.revision', 'u.display_name as user_name'])
      .where('q.number', '=', number)
      .orderBy('e.id')
      .execute(),
  ]);
  return { revisions, events };
}

/** The approver's to-do list (home page): quotes waiting for this user's decision. One lookup on a partial index. */
export async function approvalsWaiting(db: Db, viewer: Viewer, limit = 10) {
  return db
    .selectFrom('quotes as q')
    .innerJoin('customers as c', 'c.id', 'q.customer_id')
    .innerJoin('users as u', 'u.id', 'q.owner_id')
    .select(['q.id', 'q.number', 'q.revision', 'q.total_fen', 'q.discount_bp', 'q.below_floor', 'q.submitted_at', 'c.name as customer_name', 'u.display_name as owner_name'])
    .where('q.approver_id', '=', viewer.id)
    // A literal, not a parameter, so the partial index's own condition is matched whatever the driver does with bindings.
    .where(sql<boolean>`q.status = 'pending_approval'`)
    .orderBy('q.submitted_at')
    .limit(limit)
    .execute();
}

/** A customer's quotes (客户报价记录): the newest revision of each, newest first, within the viewer's scope. */
export async function quotesOfCustomer(db: Db, viewer: Viewer, customerId: number, limit = 20) {
  return db
    .selectFrom('quotes as q')
    .innerJoin('users as u', 'u.id', 'q.owner_id')
    .select(['q.id', 'q.number', 'q.revision', 'q.status', 'q.quote_date', 'q.valid_until', 'q.total_fen', 'u.display_name as owner_name'])
    .where('q.customer_id', '=', customerId)
    .where('q.latest', '=', 1)
    .where(scope(viewer, 'quotes', { alias: 'q' }))
    .orderBy('q.quote_date', 'desc')
    .orderBy('q.id', 'desc')
    .limit(limit)
    .execute();
}

export async function quotesOfOpportunity(db: Db, viewer: Viewer, opportunityId: number) {
  return db
    .selectFrom('quotes as q')
    .innerJoin('users as u', 'u.id', 'q.owner_id')
    .select(['q.id', 'q.number', 'q.revision', 'q.status', 'q.quote_date', 'q.total_fen', 'u.display_name as owner_name'])
    .where('q.opportunity_id', '=', opportunityId)
    .where('q.latest', '=', 1)
    .where(scope(viewer, 'quotes', { alias: 'q' }))
    .orderBy('q.id', 'desc')
    .limit(20)
    .execute();
}

/** Statuses in which a quote has actually been put in front of a customer. */
const QUOTED = ['sent', 'accepted', 'rejected', 'expired'] as const;

/**
 * 报价参考 for one product on one customer's quote: the price book (list, floor), the last prices quoted to this
 * customer (unit price after discount, with VAT), and the lowest and highest quoted to other customers in the last
 * 12 months. The range is an aggregate over all quotes — it names no customer and no rep, so it is not scoped.
 */
export async function priceReference(db: Db, viewer: Viewer, productId: number, customerId: number, since: string) {
  const product = await db.selectFrom('products').select(['id', 'code', 'name', 'spec', 'unit', 'list_price_fen', 'floor_price_fen', 'tax_rate_bp']).where('id', '=', productId).executeTakeFirst();
  if (!product) return null;
  const [recent, others] = await Promise.all([
    db
      .selectFrom('quote_lines as l')
      .innerJoin('quotes as q', 'q.id', 'l.quote_id')
      .select(['q.id', 'q.number', 'q.revision', 'q.quote_date', 'q.status', 'l.effective_unit_fen', 'l.quantity_milli', 'l.discount_bp'])
      .where('l.product_id', '=', productId)
      .where('q.customer_id', '=', customerId)
      .where('q.status', 'in', QUOTED)
      .where(scope(viewer, 'quotes', { alias: 'q' }))
      .orderBy('q.quote_date', 'desc')
      .orderBy('q.id', 'desc')
      .limit(5)
      .execute(),
    db
      .selectFrom('quote_lines as l')
      .innerJoin('quotes as q', 'q.id', 'l.quote_id')
      .select([sql<number | null>`min(l.effective_unit_fen)`.as('min_fen'), sql<number | null>`max(l.effective_unit_fen)`.as('max_fen'), sql<number>`count(*)`.as('n'), sql<number>`count(distinct q.customer_id)`.as('customers')])
      .where('l.product_id', '=', productId)
      .where('q.customer_id', '!=', customerId)
      .where('q.status', 'in', QUOTED)
      .where('q.quote_date', '>=', since)
      .executeTakeFirst(),
  ]);
  return {
    product,
    recent,
    others: { min: others?.min_fen === null || others?.min_fen === undefined ? null : Number(others.min_fen), max: others?.max_fen == null ? null : Number(others.max_fen), n: Number(others?.n ?? 0), customers: Number(others?.customers ?? 0) },
  };
}
export type PriceReference = NonNullable<Awaited<ReturnType<typeof priceReference>>>;

/** Opportunities of a customer the viewer may see, open first (for the form). */
export async function opportunitiesOf(db: Db, viewer: Viewer, customerId: number) {
  return db
    .selectFrom('opportunities as o')
    .select(['o.id', 'o.name', 'o.status'])
    .where('o.customer_id', '=', customerId)
    .where(scope(viewer, 'opportunities', { alias: 'o' }))
    .orderBy('o.status', 'desc')
    .orderBy('o.id', 'desc')
    .limit(100)
    .execute();
}

/** The company as the PDF's header shows it (with the logo bytes). */
export async function companyForPdf(db: Db) {
  return db.selectFrom('company').select(['name', 'address', 'postal_code', 'phone', 'tax_id', 'bank_name', 'bank_account', 'logo', 'logo_mime', 'updated_at']).where('id', '=', 1).executeTakeFirst();
}
