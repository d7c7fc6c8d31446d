import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/index.ts';
import { CUSTOMER_GRADES, CUSTOMER_SIZES, CUSTOMER_SOURCES, CUSTOMER_TYPES, LIFECYCLE_STAGES } from '../../db/types.ts';
import { isAdmin } from '../../access/index.ts';
import { afterWrite, auditContext, idParam, viewerOf } from '../../plugins/guards.ts';
import { formValues, optionalId, parseForm, type FieldErrors } from '../../lib/validation.ts';
import { toCsv, toXlsx, type ExportColumn } from '../../lib/spreadsheet.ts';
import { fill, type Messages } from '../../i18n/index.ts';
import { historyOf } from '../audit/queries.ts';
import {
  customersForExport,
  EXPORT_LIMIT,
  findDuplicates,
  getCustomer,
  knownTags,
  listCustomers,
  ownerOptions,
  poolSettings,
  savedViewsOf,
  viewsFor,
  type Customer,
  type CustomerExportRow,
  type DuplicateMatch,
} from './queries.ts';
import { addTagToCustomers, assignCustomers, canAssign, claimCustomer, createCustomer, deleteView, releaseCustomer, saveView, updateCustomer } from './commands.ts';
import {
  customerListQuery,
  filterQueryString,
  idList,
  INDUSTRIES,
  parseCustomer,
  parseTags,
  PROVINCES,
  savedViewSchema,
  SORTS,
  type CustomerListQuery,
} from './schemas.ts';
import { contactsOfCustomer } from '../contacts/queries.ts';
import { activityPanel } from '../activities/queries.ts';
import { opportunitiesOfCustomer } from '../opportunities/queries.ts';

/** Everything the form's selects offer. */
const CHOICES = { types: CUSTOMER_TYPES, sources: CUSTOMER_SOURCES, grades: CUSTOMER_GRADES, lifecycles: LIFECYCLE_STAGES, sizes: CUSTOMER_SIZES, industries: INDUSTRIES, provinces: PROVINCES };

/** What the duplicate warning was shown for: saving anyway only skips the check for the same name, phone and code. */
const fingerprint = (v: { name?: unknown; phone?: unknown; credit_code?: unknown }) =>
  [v.name, v.phone, v.credit_code].map((x) => String(x ?? '').trim().toUpperCase()).join('|');

/** The list's own location, for redirects after bulk actions: only our list pages. */
function backTo(raw: unknown): string {
  const s = typeof raw === 'string' ? raw : '';
  return /^\/customers(\/pool)?(\?[^\s]*)?$/.test(s) ? s : '/customers';
}

/** /customers: the list (views, filters, search, bulk actions, export), the 360° page, the form and the public pool. */
export default async function customersRoutes(app: FastifyInstance, opts: { db: Db }) {
  const { db } = opts;

  // Customers are sales data: administrators run settings and users, and get the ordinary 404 here.
  app.addHook('preHandler', async (req, reply) => {
    if (req.viewer && isAdmin(req.viewer) && req.url.startsWith('/customers')) {
      reply.callNotFound();
      return reply;
    }
    return undefined;
  });

  async function renderList(req: FastifyRequest, reply: FastifyReply, f: CustomerListQuery, pool: boolean) {
    const viewer = viewerOf(req);
    const [page, owners, views, tags, settings] = await Promise.all([listCustomers(db, viewer, f), ownerOptions(db, viewer), savedViewsOf(db, viewer), knownTags(db), poolSettings(db)]);
    const anyFilter = Boolean(f.q || f.owner || f.grade || f.lifecycle || f.industry || f.province || f.tag || f.type || f.source);
    const basePath = pool ? '/customers/pool' : '/customers';
    return reply.render(
      'customers/index',
      {
        ...page,
        filters: f,
        anyFilter,
        pool,
        basePath,
        owners,
        savedViews: views,
        builtInViews: viewsFor(viewer),
        knownTags: tags,
        settings,
        canAssign: canAssign(viewer),
        choices: CHOICES,
        sorts: SORTS,
        qs: (extra: Record<string, string> = {}) => filterQueryString(f, extra),
        selfQuery: filterQueryString(f).slice(1),
        listUrl: basePath + filterQueryString(f),
      },
      { fragment: 'customers/_list' },
    );
  }

  app.get('/customers', async (req, reply) => {
    const f = customerListQuery.parse(req.query ?? {});
    if (f.view === 'pool') return reply.redirect('/customers/pool' + filterQueryString({ ...f, view: undefined }), 303);
    return renderList(req, reply, f, false);
  });

  app.get('/customers/pool', async (req, reply) => {
    const f = customerListQuery.parse(req.query ?? {});
    return renderList(req, reply, { ...f, view: 'pool', owner: undefined }, true);
  });

  // ---------- export: the list's filters (or the checked rows), within scope ----------
  function exportColumns(t: Messages): ExportColumn<CustomerExportRow>[] {
    const c = t.customers;
    const label = (table: Record<string, string>, v: string) => table[v] ?? v;
    return [
      { header: c.name, value: (r) => r.name },
      { header: c.shortName, value: (r) => r.short_name },
      { header: c.type, value: (r) => label(c.types, r.type) },
      { header: c.creditCode, value: (r) => r.credit_code },
      { header: c.industry, value: (r) => label(c.industries, r.industry) },
      { header: c.province, value: (r) => r.province },
      { header: c.city, value: (r) => r.city },
      { header: c.address, value: (r) => r.address },
      { header: c.postalCode, value: (r) => r.postal_code },
      { header: c.phone, value: (r) => r.phone },
      { header: c.website, value: (r) => r.website },
      { header: c.size, value: (r) => label(c.sizes, r.size) },
      { header: c.source, value: (r) => label(c.sources, r.source) },
      { header: c.grade, value: (r) => r.grade },
      { header: c.lifecycle, value: (r) => label(c.lifecycles, r.lifecycle) },
      { header: c.tags, value: (r) => r.tags.join(', ') },
      { header: c.owner, value: (r) => r.owner_name ?? c.noOwner },
      { header: c.notes, value: (r) => r.notes },
      { header: c.createdAt, value: (r) => r.created_at },
      { header: c.updatedAt, value: (r) => r.updated_at },
    ];
  }

  /** The rows to export, or null when a checked id is not the viewer's to see (404, like opening it). */
  async function exportRows(req: FastifyRequest) {
    const query = (req.query ?? {}) as Record<string, unknown>;
    const f = customerListQuery.parse(query);
    const ids = idList(query.ids);
    const rows = await customersForExport(db, viewerOf(req), f, ids);
    return ids.length > 0 && rows.length < Math.min(ids.length, EXPORT_LIMIT) ? null : rows;
  }
  const stamp = () => new Date().toISOString().slice(0, 10).replace(/-/g, '');

  app.get('/customers/export.xlsx', async (req, reply) => {
    const rows = await exportRows(req);
    if (!rows) return reply.callNotFound();
    const buf = await toXlsx(rows, exportColumns(req.t), req.t.customers.title);
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('Content-Disposition', `attachment; filename="customers-${stamp()}.xlsx"`)
      .header('Cache-Control', 'no-store')
      .send(buf);
  });

  app.get('/customers/export.csv', async (req, reply) => {
    const rows = await exportRows(req);
    if (!rows) return reply.callNotFound();
    return reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="customers-${stamp()}.csv"`)
      .header('Cache-Control', 'no-store')
      .send(toCsv(rows, exportColumns(req.t)));
  });

  // ---------- bulk actions on checked rows ----------
  app.post('/customers/bulk', async (req, reply) => {
    const viewer = viewerOf(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const back = backTo(body.return);
    const ids = idList(body.ids);
    const t = req.t.customers;
    if (ids.length === 0) {
      reply.flash('error', t.bulk.noneSelected);
      return afterWrite(req, reply, back);
    }
    if (body.action === 'assign') {
      if (!canAssign(viewer)) return reply.callNotFound();
      const owner = optionalId.safeParse(body.owner_id);
      if (!owner.success || owner.data === null) {
        reply.flash('error', t.chooseOwner);
        return afterWrite(req, reply, back);
      }
      const result = await assignCustomers(db, viewer, auditContext(req), ids, owner.data);
      if (!result.ok && result.error === 'notFound') return reply.callNotFound();
      if (!result.ok) reply.flash('error', t.chooseOwner);
      else reply.flash('success', fill(t.bulk.assignedN, { n: result.count }));
      return afterWrite(req, reply, back);
    }
    if (body.action === 'tag') {
      const tags = parseTags(typeof body.tag === 'string' ? body.tag : '');
      const tag = tags[0];
      if (!tag || tags.length > 1 || [...tag].length > 20) {
        reply.flash('error', t.tagTooLong);
        return afterWrite(req, reply, back);
      }
      const n = await addTagToCustomers(db, viewer, auditContext(req), ids, tag);
      reply.flash('success', fill(t.bulk.taggedN, { n }));
      return afterWrite(req, reply, back);
    }
    return reply.callNotFound();
  });

  // ---------- saved views ----------
  app.post('/customers/views', async (req, reply) => {
    const parsed = parseForm(savedViewSchema, req.body, req.t);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const query = customerListQuery.parse(Object.fromEntries(new URLSearchParams(typeof body.query === 'string' ? body.query : '')));
    const back = '/customers' + filterQueryString(query);
    if (!parsed.ok) {
      reply.flash('error', `${req.t.customers.viewName}: ${Object.values(parsed.errors)[0] ?? req.t.validation.invalid}`);
      return afterWrite(req, reply, back);
    }
    await saveView(db, viewerOf(req), auditContext(req), parsed.data.name, filterQueryString(query).slice(1));
    reply.flash('success', req.t.customers.viewSaved);
    return afterWrite(req, reply, back);
  });

  app.post('/customers/views/:id/delete', async (req, reply) => {
    const id = idParam(req.params);
    if (!id || !(await deleteView(db, viewerOf(req), auditContext(req), id))) return reply.callNotFound();
    reply.flash('success', req.t.customers.viewDeleted);
    return afterWrite(req, reply, '/customers');
  });

  // ---------- create, with the duplicate warning ----------
  async function renderForm(
    req: FastifyRequest,
    reply: FastifyReply,
    customer: Customer | null,
    values: Record<string, unknown>,
    errors: FieldErrors,
    status = 200,
    duplicates: DuplicateMatch[] = [],
  ) {
    const viewer = viewerOf(req);
    const owners = !customer && canAssign(viewer) ? await ownerOptions(db, viewer) : [];
    return reply.render(
      'customers/form',
      { customer, values, errors, duplicates, confirmToken: duplicates.length > 0 ? fingerprint(values) : '', owners, choices: CHOICES },
      { status, fragment: 'customers/_form' },
    );
  }

  app.get('/customers/new', async (req, reply) =>
    renderForm(req, reply, null, { type: 'enterprise', source: 'other', grade: 'C', lifecycle: 'prospect', owner_id: String(viewerOf(req).id) }, {}),
  );

  app.post('/customers', async (req, reply) => {
    const viewer = viewerOf(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = formValues(body);
    const parsed = parseCustomer(body, req.t);
    const errors: FieldErrors = parsed.ok ? {} : { ...parsed.errors };
    // Managers and above may give the new customer to someone in their team; a rep's customers are their own.
    let ownerId = viewer.id;
    if (canAssign(viewer) && typeof body.owner_id === 'string' && body.owner_id !== '') {
      const owners = await ownerOptions(db, viewer);
      const chosen = owners.find((o) => String(o.id) === body.owner_id);
      if (chosen) ownerId = chosen.id;
      else errors.owner_id = req.t.validation.invalid;
    }
    if (!parsed.ok || Object.keys(errors).length > 0) return renderForm(req, reply, null, values, errors, 422);
    const input = parsed.data;
    if (body.confirm !== fingerprint({ ...values, credit_code: input.credit_code ?? '' })) {
      const duplicates = await findDuplicates(db, viewer, input);
      if (duplicates.length > 0) return renderForm(req, reply, null, { ...values, credit_code: input.credit_code ?? '' }, {}, 422, duplicates);
    }
    const id = await createCustomer(db, auditContext(req), input, ownerId);
    reply.flash('success', req.t.customers.created);
    return afterWrite(req, reply, `/customers/${id}`);
  });

  // ---------- the 360° page ----------
  app.get('/customers/:id', async (req, reply) => {
    const viewer = viewerOf(req);
    const id = idParam(req.params);
    const customer = id ? await getCustomer(db, viewer, id, { includePool: true }) : undefined;
    if (!customer) return reply.callNotFound();
    // The contacts panel and the activity timeline come from their features' exported queries.
    const [history, customerContacts, panel, settings, owners, customerDeals] = await Promise.all([
      historyRows(db, req.t, customer.id),
      contactsOfCustomer(db, viewer, customer.id),
      activityPanel(db, viewer, { customerId: customer.id }),
      poolSettings(db),
      canAssign(viewer) ? ownerOptions(db, viewer) : Promise.resolve([]),
      opportunitiesOfCustomer(db, viewer, customer.id),
    ]);
    const editable = customer.owner_id !== null;
    return reply.render('customers/show', { customer, history, customerContacts, activityPanel: panel, settings, owners, canAssign: canAssign(viewer), editable, customerDeals });
  });

  app.get('/customers/:id/edit', async (req, reply) => {
    const id = idParam(req.params);
    const customer = id ? await getCustomer(db, viewerOf(req), id) : undefined;
    if (!customer) return reply.callNotFound();
    return renderForm(req, reply, customer, { ...customer, credit_code: customer.credit_code ?? '', tags: customer.tags.join(', ') }, {});
  });

  app.post('/customers/:id', async (req, reply) => {
    const viewer = viewerOf(req);
    const id = idParam(req.params);
    const customer = id ? await getCustomer(db, viewer, id) : undefined;
    if (!id || !customer) return reply.callNotFound();
    const parsed = parseCustomer(req.body, req.t);
    if (!parsed.ok) return renderForm(req, reply, customer, formValues(req.body), parsed.errors, 422);
    if (!(await updateCustomer(db, viewer, auditContext(req), id, parsed.data))) return reply.callNotFound();
    reply.flash('success', req.t.customers.saved);
    return afterWrite(req, reply, `/customers/${id}`);
  });

  // ---------- public pool moves (nouns: claim, assignment, release) ----------
  app.post('/customers/:id/claim', async (req, reply) => {
    const viewer = viewerOf(req);
    const id = idParam(req.params);
    if (!id) return reply.callNotFound();
    const result = await claimCustomer(db, viewer, auditContext(req), id);
    const back = backTo((req.body as Record<string, unknown> | undefined)?.return);
    if (!result.ok && result.error === 'notFound') return reply.callNotFound();
    if (result.ok) {
      reply.flash('success', req.t.customers.claimed);
      return afterWrite(req, reply, `/customers/${id}`);
    }
    if (result.error === 'limit') reply.flash('error', fill(req.t.customers.claimLimit, { held: result.held, limit: result.limit }));
    else reply.flash('error', req.t.customers.alreadyOwned);
    return afterWrite(req, reply, back);
  });

  app.post('/customers/:id/assignment', async (req, reply) => {
    const viewer = viewerOf(req);
    const id = idParam(req.params);
    if (!id || !canAssign(viewer)) return reply.callNotFound();
    const owner = optionalId.safeParse((req.body as Record<string, unknown> | undefined)?.owner_id);
    if (!owner.success || owner.data === null) {
      if (!(await getCustomer(db, viewer, id, { includePool: true }))) return reply.callNotFound();
      reply.flash('error', req.t.customers.chooseOwner);
      return afterWrite(req, reply, `/customers/${id}`);
    }
    const result = await assignCustomers(db, viewer, auditContext(req), [id], owner.data);
    if (!result.ok && result.error === 'notFound') return reply.callNotFound();
    if (!result.ok) reply.flash('error', req.t.customers.chooseOwner);
    else reply.flash('success', fill(req.t.customers.assigned, { name: result.ownerName }));
    return afterWrite(req, reply, `/customers/${id}`);
  });

  app.post('/customers/:id/release', async (req, reply) => {
    const viewer = viewerOf(req);
    const id = idParam(req.params);
    if (!id || !(await releaseCustomer(db, viewer, auditContext(req), id))) return reply.callNotFound();
    reply.flash('success', req.t.customers.released);
    return afterWrite(req, reply, `/customers/${id}`);
  });
}

/** The customer's history from the audit log, with field names and values as people read them. */
async function historyRows(db: Db, t: Messages, customerId: number) {
  const entries = await historyOf(db, 'customer', customerId);
  const ownerIds = new Set<number>();
  for (const e of entries) for (const v of e.changes.owner_id ?? []) if (typeof v === 'number') ownerIds.add(v);
  const names = new Map<number, string>();
  if (ownerIds.size > 0) {
    const rows = await db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', [...ownerIds]).execute();
    for (const r of rows) names.set(r.id, r.display_name);
  }
  const c = t.customers;
  const labels: Record<string, Record<string, string>> = { type: c.types, source: c.sources, grade: c.grades, lifecycle: c.lifecycles, industry: c.industries, size: c.sizes };
  const show = (field: string, v: unknown): string => {
    if (v === null || v === undefined || v === '') return field === 'owner_id' ? c.noOwner : '—';
    if (field === 'owner_id') return names.get(Number(v)) ?? `#${String(v)}`;
    const table = labels[field];
    return table?.[String(v)] ?? String(v);
  };
  const fieldNames = c.fieldNames as Record<string, string>;
  return entries.map((e) => ({
    id: e.id,
    at: e.at,
    action: e.action,
    summary: e.summary,
    actor: e.actor_name ?? c.system,
    changes: Object.entries(e.changes).map(([field, [before, after]]) => ({ field: fieldNames[field] ?? field, before: show(field, before), after: show(field, after) })),
  }));
}
