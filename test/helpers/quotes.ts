import { nowIso, type Db } from '../../src/db/index.ts';
import type { Client } from './app.ts';

let seq = 0;

/** A product straight into the price book. Prices in fen with VAT. */
export async function newProduct(db: Db, opts: { code?: string; name?: string; spec?: string; unit?: string; category?: string; listFen?: number; floorFen?: number; taxBp?: number } = {}) {
  seq += 1;
  const now = nowIso();
  const { id } = await db
    .insertInto('products')
    .values({
      code: opts.code ?? `P-${String(seq).padStart(4, '0')}`,
      name: opts.name ?? `测试产品${seq}`,
      spec: opts.spec ?? '',
      unit: opts.unit ?? '台',
      category: opts.category ?? '硬件',
      list_price_fen: opts.listFen ?? 100_000,
      floor_price_fen: opts.floorFen ?? 0,
      tax_rate_bp: opts.taxBp ?? 1300,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id };
}

/** Creates a quote through the form as `client` and returns its id. */
export async function createQuoteAs(client: Client, form: Record<string, string>): Promise<number> {
  const res = await client.post('/quotes', { quote_date: '2026-11-27', valid_until: '2026-12-27', tax_mode: 'inclusive', contact_id: '', opportunity_id: '', payment_terms: '', delivery_terms: '', warranty_terms: '', notes: '', ...form });
  if (res.statusCode !== 303) throw new Error(`create quote: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return Number(/\/quotes\/(\d+)/.exec(String(res.headers.location))?.[1]);
}

/** Adds a line through the form (as htmx would post it, without the htmx headers). */
export async function addLineAs(client: Client, quoteId: number, line: Record<string, string>) {
  const res = await client.post(`/quotes/${quoteId}/lines`, { product_id: '', name: '', spec: '', unit: '', quantity: '1', unit_price: '', discount: '', tax_rate: '13', ...line });
  if (res.statusCode !== 303) throw new Error(`add line: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return res;
}

export const quoteRow = (db: Db, id: number) => db.selectFrom('quotes').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
