import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, smallOrg, testApp, type Client, type TestApp } from '../helpers/app.ts';
import { newProduct } from '../helpers/quotes.ts';
import { batchIdOf, csv, selectedMapping, upload } from '../imports/support.ts';

let t: TestApp;
let rep1: Client;
let director: Client;

beforeAll(async () => {
  t = await testApp();
  await smallOrg(t.db);
  await newProduct(t.db, { code: 'SRV-01', name: '机架式服务器 R750', spec: '2U / 双路', listFen: 6_800_000, floorFen: 6_000_000 });
  await newProduct(t.db, { code: 'SVC-01', name: '现场实施服务', unit: '人天', category: '服务', listFen: 300_000, taxBp: 600 });
  rep1 = await signIn(t.app, 'rep1');
  director = await signIn(t.app, 'director');
});
afterAll(async () => t.close());

const product = (code: string) => t.db.selectFrom('products').selectAll().where('code', '=', code).executeTakeFirst();

describe('the product list and price book', () => {
  it('lists products with list and floor price for every sales user, searches by 1-2 characters, filters by category', async () => {
    const res = await rep1.get('/products');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('机架式服务器 R750');
    expect(res.body).toContain('¥68,000.00');
    expect(res.body).toContain('¥60,000.00');
    expect(res.body).not.toContain('/products/new'); // reps read the price book, they do not keep it
    const q = await rep1.get('/products?q=实施', { 'hx-request': 'true', 'hx-target': 'products-list' });
    expect(q.body).toContain('现场实施服务');
    expect(q.body).not.toContain('R750');
    expect(q.body).not.toContain('<html');
    const cat = await rep1.get(`/products?category=${encodeURIComponent('服务')}`);
    expect(cat.body).toContain('现场实施服务');
    expect(cat.body).not.toContain('R750');
  });

  it('lets a director create and edit a product (tax rate 13% by default), and refuses the form to a rep', async () => {
    expect((await rep1.get('/products/new')).statusCode).toBe(404);
    expect((await rep1.post('/products', { code: 'X-1', name: 'x', unit: '台', list_price: '1' })).statusCode).toBe(404);
    const form = await director.get('/products/new');
    expect(form.body).toContain('value="13"');
    const res = await director.post('/products', { code: 'NET-01', name: '核心交换机', spec: 'S12700', unit: '台', category: '网络', list_price: '268,000', floor_price: '230000', tax_rate: '13', active: '1', description: '' });
    expect(res.statusCode).toBe(303);
    const p = await product('NET-01');
    expect(p).toMatchObject({ list_price_fen: 26_800_000, floor_price_fen: 23_000_000, tax_rate_bp: 1300, active: 1 });
    const edit = await director.post(`/products/${p!.id}`, { code: 'NET-01', name: '核心交换机', spec: 'S12700', unit: '台', category: '网络', list_price: '268000', floor_price: '', tax_rate: '13' });
    expect(edit.statusCode).toBe(303);
    expect(await product('NET-01')).toMatchObject({ floor_price_fen: 0, active: 0 });
    const audit = await t.db.selectFrom('audit_log').select('action').where('entity', '=', 'product').where('entity_id', '=', p!.id).execute();
    expect(audit.map((a) => a.action)).toEqual(['create', 'update']);
  });

  it('refuses a floor above the list price, a bad price and a code in use (422, input kept)', async () => {
    const res = await director.post('/products', { code: 'SRV-01', name: '重复', unit: '台', list_price: '100', floor_price: '200', tax_rate: '13' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('底价不能高于标准价');
    const res2 = await director.post('/products', { code: 'SRV-01', name: '重复', unit: '台', list_price: '100', floor_price: '', tax_rate: '13' });
    expect(res2.statusCode).toBe(422);
    expect(res2.body).toContain('该编码已被其他产品使用');
    const res3 = await director.post('/products', { code: 'OK-1', name: '价格', unit: '台', list_price: '12,3x', tax_rate: '13' });
    expect(res3.statusCode).toBe(422);
    expect(res3.body).toContain('value="12,3x"');
    // Every error at once: a missing name does not hide the floor above the list price.
    const res4 = await director.post('/products', { code: 'OK-2', name: '', unit: '台', list_price: '100', floor_price: '200', tax_rate: '13' });
    expect(res4.statusCode).toBe(422);
    expect(res4.body).toContain('此项为必填');
    expect(res4.body).toContain('底价不能高于标准价');
  });

  it('exports CSV (BOM, translated headers) and Excel', async () => {
    const csv = await rep1.get('/products/export.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.body).toContain('"产品编码","产品名称","规格型号"');
    expect(csv.body).toContain('"SRV-01","机架式服务器 R750","2U / 双路","台","硬件","68000.00","60000.00","13"');
    const xlsx = await rep1.get('/products/export.xlsx');
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
  });

  it('imports through the wizard like the core records: mapping, preview with per-row errors, duplicates by code skipped or updated', async () => {
    expect((await director.get('/products/import')).headers.location).toBe('/imports/products');
    const bad = await upload(director, 'products', csv([['产品编码', '产品名称', '单位', '标准价（元）', '底价', '税率'], ['NEW-1', '新产品一', '套', '1,000', '800', '13'], ['NEW-2', '新产品二', '套', 'abc', '', '6'], ['SRV-01', '机架式服务器 R750（新版）', '台', '69000', '61000', '13']], { bom: true }));
    expect(bad.statusCode).toBe(303);
    const id = batchIdOf(bad);
    const mapping = await director.get(`/imports/products/${id}/mapping`);
    expect(selectedMapping(mapping.body)).toMatchObject({ code: '0', name: '1', unit: '2', list_price: '3', floor_price: '4', tax_rate: '5' });
    expect((await director.post(`/imports/products/${id}/mapping`, { map_code: '0', map_name: '1', map_unit: '2', map_list_price: '3', map_floor_price: '4', map_tax_rate: '5' })).statusCode).toBe(303);
    const preview = await director.get(`/imports/products/${id}/preview`);
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('请输入金额'); // the bad price, on its row
    expect(preview.body).toMatch(/id="count-new">1</);
    expect(preview.body).toMatch(/id="count-duplicate">1</);
    expect(preview.body).toMatch(/id="count-invalid">1</);
    expect(preview.body).not.toContain('name="owner_id"'); // the price book has no owner
    const run = await director.post(`/imports/products/${id}/records`, { duplicates: 'update' });
    expect(run.statusCode).toBe(303);
    expect(String(run.headers.location)).toContain('created=1&updated=1&skipped=0&invalid=1');
    expect(await product('NEW-1')).toMatchObject({ name: '新产品一', list_price_fen: 100_000, floor_price_fen: 80_000, unit: '套', tax_rate_bp: 1300, active: 1 });
    expect(await product('NEW-2')).toBeUndefined();
    expect(await product('SRV-01')).toMatchObject({ name: '机架式服务器 R750（新版）', list_price_fen: 6_900_000 });
    // An export imports back unchanged: every column maps itself, every row is a duplicate, skipping changes nothing.
    const again = await upload(director, 'products', (await director.get('/products/export.csv')).rawPayload);
    const againId = batchIdOf(again);
    const m2 = selectedMapping((await director.get(`/imports/products/${againId}/mapping`)).body);
    expect(Object.keys(m2).filter((k) => m2[k] !== '').sort()).toEqual(['active', 'category', 'code', 'description', 'floor_price', 'list_price', 'name', 'spec', 'tax_rate', 'unit']);
    const p2 = await director.get(`/imports/products/${againId}/preview`);
    expect(p2.body).toMatch(/id="count-invalid">0</);
    expect(p2.body).toMatch(/id="count-new">0</);
    expect((await rep1.get('/products/import')).statusCode).toBe(404);
    expect((await rep1.get('/imports/products')).statusCode).toBe(404);
  });

  it('exports only the checked rows, and filters active / inactive / all', async () => {
    const a = (await product('SRV-01'))!;
    const b = (await product('SVC-01'))!;
    const sel = await rep1.get(`/products/export.csv?ids=${b.id}`);
    expect(sel.body).toContain('现场实施服务');
    expect(sel.body).not.toContain('R750');
    const list = await rep1.get('/products');
    expect(list.body).toContain(`name="ids" value="${a.id}"`);
    expect(list.body).toContain('formaction="/products/export.xlsx"');
    await t.db.updateTable('products').set({ active: 0 }).where('id', '=', b.id).execute();
    expect((await rep1.get('/products')).body).not.toContain('现场实施服务');
    const inactive = await rep1.get('/products?status=inactive');
    expect(inactive.body).toContain('现场实施服务');
    expect(inactive.body).not.toContain('R750');
    const all = await rep1.get('/products?status=all');
    expect(all.body).toContain('现场实施服务');
    expect(all.body).toContain('R750');
    // Bulk 启用 by a director (a rep may not), audited per product.
    expect((await rep1.post('/products/status', { ids: String(b.id), active: '1' })).statusCode).toBe(404);
    await director.get('/products');
    const on = await director.post('/products/status', { ids: String(b.id), active: '1', back: '?status=all' });
    expect(on.statusCode).toBe(303);
    expect(on.headers.location).toBe('/products?status=all');
    expect(await product('SVC-01')).toMatchObject({ active: 1 });
    const entries = await t.db.selectFrom('audit_log').select('entity_id').where('entity', '=', 'product').where('changes', 'like', '%active%').execute();
    expect(entries.map((e) => e.entity_id)).toContain(b.id);
  });
});
