import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/index.ts';
import { afterWrite, auditContext, idParam, viewerOf, wantsFragment } from '../../plugins/guards.ts';
import { fenToYuanInput } from '../../lib/money.ts';
import { formatPercent } from '../../lib/quote-math.ts';
import { formValues, parseForm, type FieldErrors } from '../../lib/validation.ts';
import { toCsv, toXlsx, type ExportColumn } from '../../lib/spreadsheet.ts';
import { fill, type Messages } from '../../i18n/index.ts';
import { saveProduct, setProductsActive } from './commands.ts';
import { idList } from '../contacts/schemas.ts';
import { canEditProducts, getProduct, listProducts, productCategories, productsForExport, type ProductRow } from './queries.ts';
import { productFormValues, productListQuery, productQueryString, productSchema, UNITS, type ProductListQuery } from './schemas.ts';

function exportColumns(t: Messages): ExportColumn<ProductRow>[] {
  const p = t.products;
  return [
    { header: p.code, value: (r) => r.code },
    { header: p.name, value: (r) => r.name },
    { header: p.spec, value: (r) => r.spec },
    { header: p.unit, value: (r) => r.unit },
    { header: p.category, value: (r) => r.category },
    { header: p.listPrice, value: (r) => fenToYuanInput(r.list_price_fen) },
    { header: p.floorPrice, value: (r) => (r.floor_price_fen ? fenToYuanInput(r.floor_price_fen) : '') },
    { header: p.taxRate, value: (r) => formatPercent(r.tax_rate_bp) },
    { header: p.status, value: (r) => (r.active ? p.active : p.inactive) },
    { header: p.description, value: (r) => r.description },
  ];
}

/** /products: the product list and price book (list and floor prices), the form, export and import. */
export default async function productsRoutes(app: FastifyInstance, opts: { db: Db }) {
  const { db } = opts;

  async function listData(req: FastifyRequest, f: ProductListQuery) {
    // The category filter is outside the list fragment: an htmx search keystroke needs only the rows.
    const [page, categories] = await Promise.all([listProducts(db, f), wantsFragment(req) ? [] : productCategories(db)]);
    return { ...page, filters: f, categories, anyFilter: Boolean(f.q || f.category || f.status), canEdit: canEditProducts(viewerOf(req)), back: productQueryString(f), qs: (extra: Record<string, string> = {}) => productQueryString(f, extra) };
  }

  app.get('/products', async (req, reply) => {
    const f = productListQuery.parse(req.query ?? {});
    return reply.render('products/index', await listData(req, f), { fragment: 'products/_list' });
  });

  const stamp = () => new Date().toISOString().slice(0, 10).replace(/-/g, '');
  // The list's filters, or only the rows checked in the list (ids=…).
  const exportRows = (req: FastifyRequest) => productsForExport(db, productListQuery.parse(req.query ?? {}), idList((req.query as Record<string, unknown> | undefined)?.ids));
  app.get('/products/export.xlsx', async (req, reply) => {
    const rows = await exportRows(req);
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('Content-Disposition', `attachment; filename="products-${stamp()}.xlsx"`)
      .header('Cache-Control', 'no-store')
      .send(await toXlsx(rows, exportColumns(req.t), req.t.products.title));
  });
  app.get('/products/export.csv', async (req, reply) => {
    const rows = await exportRows(req);
    return reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="products-${stamp()}.csv"`)
      .header('Cache-Control', 'no-store')
      .send(toCsv(rows, exportColumns(req.t)));
  });

  // ---------- the form (directors and administrators) ----------
  const editGuard = (req: FastifyRequest, reply: FastifyReply): boolean => {
    if (canEditProducts(viewerOf(req))) return true;
    reply.callNotFound();
    return false;
  };

  async function renderForm(req: FastifyRequest, reply: FastifyReply, id: number | null, values: Record<string, unknown>, errors: FieldErrors, status = 200) {
    const categories = await productCategories(db);
    return reply.render('products/form', { productId: id, values, errors, units: UNITS, categories }, { status, fragment: 'products/_form' });
  }

  app.get('/products/new', async (req, reply) => {
    if (!editGuard(req, reply)) return reply;
    return renderForm(req, reply, null, { unit: '台', tax_rate: '13', active: '1' }, {});
  });

  async function save(req: FastifyRequest, reply: FastifyReply, id: number | null) {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = { ...formValues(body), active: body.active === '1' ? '1' : '0' };
    const parsed = parseForm(productSchema, values, req.t, req.t.products.errors);
    if (!parsed.ok) return renderForm(req, reply, id, values, parsed.errors, 422);
    const result = await saveProduct(db, auditContext(req), id, parsed.data);
    if (!result.ok) {
      if (result.error === 'notFound') return reply.callNotFound();
      return renderForm(req, reply, id, values, { code: req.t.products.errors.codeTaken }, 422);
    }
    reply.flash('success', req.t.products.saved);
    return afterWrite(req, reply, '/products');
  }

  app.post('/products', async (req, reply) => {
    if (!editGuard(req, reply)) return reply;
    return save(req, reply, null);
  });

  app.get('/products/:id/edit', async (req, reply) => {
    if (!editGuard(req, reply)) return reply;
    const id = idParam(req.params);
    const p = id ? await getProduct(db, id) : undefined;
    if (!id || !p) return reply.callNotFound();
    return renderForm(req, reply, id, productFormValues(p), {});
  });

  app.post('/products/:id', async (req, reply) => {
    if (!editGuard(req, reply)) return reply;
    const id = idParam(req.params);
    if (!id || !(await getProduct(db, id))) return reply.callNotFound();
    return save(req, reply, id);
  });

  // ---------- bulk 启用 / 停用 of the checked rows ----------
  app.post('/products/status', async (req, reply) => {
    if (!editGuard(req, reply)) return reply;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const ids = idList(body.ids);
    const back = typeof body.back === 'string' && body.back.startsWith('?') ? body.back : '';
    if (ids.length === 0 || (body.active !== '0' && body.active !== '1')) {
      reply.flash('error', req.t.products.noSelection);
      return afterWrite(req, reply, `/products${back}`);
    }
    const n = await setProductsActive(db, auditContext(req), ids, body.active === '1' ? 1 : 0);
    reply.flash('success', fill(body.active === '1' ? req.t.products.activated : req.t.products.deactivated, { n }));
    return afterWrite(req, reply, `/products${back}`);
  });

  // ---------- import: the wizard the core records use (/imports/products: upload → map → preview → import) ----------
  app.get('/products/import', async (req, reply) => {
    if (!editGuard(req, reply)) return reply;
    return reply.redirect('/imports/products', 303);
  });
}
