import type { TargetField } from '../imports/fields.ts';
import type { ExistingMatch, ImportAdapter } from '../imports/plan.ts';
import { parseForm } from '../../lib/validation.ts';
import { saveProductIn } from './commands.ts';
import { productSchema, type ProductInput, productFormValues } from './schemas.ts';

/**
 * The columns a product sheet can be mapped to in the import wizard (/imports/products), with the header texts
 * (Chinese and English) that map themselves. Our own export's headers are among them, so an exported price book
 * re-imports without touching the mapping.
 */
export const PRODUCT_IMPORT_FIELDS: readonly TargetField[] = [
  { key: 'code', required: true, synonyms: ['产品编码', '物料编码', '产品编号', '编码', '编号', '货号', 'code', 'product code', 'sku', 'item code'] },
  { key: 'name', required: true, synonyms: ['产品名称', '品名', '名称', '产品', 'name', 'product', 'product name'] },
  { key: 'spec', synonyms: ['规格型号', '规格', '型号', 'spec', 'specification', 'model'] },
  { key: 'unit', synonyms: ['单位', '计量单位', 'unit', 'uom'] },
  { key: 'category', synonyms: ['类别', '产品类别', '分类', '产品分类', 'category'] },
  { key: 'list_price', required: true, synonyms: ['标准价', '目录价', '标价', '单价', '价格', '销售价', 'list price', 'price', 'unit price'] },
  { key: 'floor_price', synonyms: ['最低价', '底价', '最低限价', 'floor price', 'minimum price', 'min price'] },
  { key: 'tax_rate', synonyms: ['税率', '增值税率', '税率%', 'tax rate', 'vat', 'vat rate'] },
  {
    key: 'active',
    synonyms: ['状态', '是否启用', '启用', 'status', 'active'],
    values: { 启用: '1', 停用: '0', 是: '1', 否: '0', active: '1', inactive: '0', yes: '1', no: '0', y: '1', n: '0', true: '1', false: '0', '1': '1', '0': '0' },
  },
  { key: 'description', synonyms: ['说明', '描述', '备注', 'description', 'notes', 'remarks'] },
];

/** Bulk lookups in chunks, under SQLite's bound-parameter limit (local: imports/ imports this file, no cycle). */
function chunks<V>(list: V[], size = 500): V[][] {
  const out: V[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}


/**
 * Products in the import wizard: one duplicate key, the product code (unique in the price book). A duplicate is
 * skipped or updated (the file's non-empty cells over the product); the price book is company-wide, so there is
 * no owner and nothing is locked.
 */
export const productAdapter: ImportAdapter<ProductInput> = {
  entity: 'products',
  defaults: { unit: '台', tax_rate: '13', active: '1' },
  parse: (values, t) => parseForm(productSchema, values, t, t.products.errors),
  keys: (data) => [{ kind: 'code', value: data.code }],
  async findExisting(db, _viewer, keys) {
    const out = new Map<string, ExistingMatch[]>();
    for (const part of chunks(keys.map((k) => k.value))) {
      const rows = await db.selectFrom('products').select(['id', 'code', 'name']).where('code', 'in', part).execute();
      for (const r of rows) out.set(`code:${r.code}`, [{ id: r.id, label: `${r.code} ${r.name}`, kind: 'code', locked: false }]);
    }
    return out;
  },
  async currentValues(db, ids) {
    const out = new Map<number, Record<string, string>>();
    for (const part of chunks(ids)) {
      const rows = await db
        .selectFrom('products')
        .select(['id', 'code', 'name', 'spec', 'unit', 'category', 'list_price_fen', 'floor_price_fen', 'tax_rate_bp', 'active', 'description'])
        .where('id', 'in', part)
        .execute();
      for (const r of rows) out.set(r.id, productFormValues(r));
    }
    return out;
  },
  async insert(trx, ctx, _viewer, data) {
    const r = await saveProductIn(trx, ctx, null, data);
    if (!r.ok) throw new Error(`product ${data.code}: ${r.error}`);
    return r.id;
  },
  async update(trx, ctx, _viewer, id, data) {
    const r = await saveProductIn(trx, ctx, id, data);
    if (!r.ok) throw new Error(`product ${data.code}: ${r.error}`);
  },
};
