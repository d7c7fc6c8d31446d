import type { Db } from '../../db/index.ts';
import type { Viewer } from '../../access/index.ts';
import { anyColumnContains } from '../../db/search.ts';
import type { ProductListQuery } from './schemas.ts';

export const PAGE_SIZE = 50;
export const EXPORT_LIMIT = 10_000;

/** The price book is company-wide: directors and administrators keep it; everyone signed in reads it. */
export const canEditProducts = (viewer: Viewer): boolean => viewer.role === 'sales_director' || viewer.role === 'admin';

const COLUMNS = ['p.id', 'p.code', 'p.name', 'p.spec', 'p.unit', 'p.category', 'p.list_price_fen', 'p.floor_price_fen', 'p.tax_rate_bp', 'p.active', 'p.description', 'p.updated_at'] as const;

function filtered(db: Db, f: ProductListQuery) {
  let q = db.selectFrom('products as p');
  if (f.status !== 'all') q = q.where('p.active', '=', f.status === 'inactive' ? 0 : 1);
  if (f.category) q = q.where('p.category', '=', f.category);
  if (f.q) q = q.where(anyColumnContains(['p.code', 'p.name', 'p.spec'], f.q));
  return q;
}

/** One page of products by code (keyset on the unique code). */
export async function listProducts(db: Db, f: ProductListQuery) {
  let q = filtered(db, f).select(COLUMNS);
  if (f.after) q = q.where('p.code', '>', f.after);
  const rows = await q.orderBy('p.code').limit(PAGE_SIZE + 1).execute();
  const more = rows.length > PAGE_SIZE;
  const page = rows.slice(0, PAGE_SIZE);
  return { rows: page, nextAfter: more ? (page.at(-1)?.code ?? null) : null };
}
export type ProductRow = Awaited<ReturnType<typeof listProducts>>['rows'][number];

/** Rows for an export: the list's filters, or only the checked `ids` (whatever the filters), at most EXPORT_LIMIT. */
export async function productsForExport(db: Db, f: ProductListQuery, ids: number[] = []) {
  const q = ids.length > 0 ? db.selectFrom('products as p').where('p.id', 'in', ids) : filtered(db, f);
  return q.select(COLUMNS).orderBy('p.code').limit(EXPORT_LIMIT).execute();
}

export async function getProduct(db: Db, id: number) {
  return db.selectFrom('products as p').select(COLUMNS).where('p.id', '=', id).executeTakeFirst();
}

export async function productCategories(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('products').select('category').distinct().where('category', '!=', '').orderBy('category').execute();
  return rows.map((r) => r.category);
}

/** Active products for the quote line picker, by category and code. */
export async function productOptions(db: Db) {
  return db
    .selectFrom('products as p')
    .select(['p.id', 'p.code', 'p.name', 'p.spec', 'p.unit', 'p.category', 'p.list_price_fen', 'p.floor_price_fen', 'p.tax_rate_bp'])
    .where('p.active', '=', 1)
    .orderBy('p.category')
    .orderBy('p.code')
    .execute();
}
