import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/index.ts';
import { CONTACT_KINDS } from '../../db/types.ts';
import { VIEWS_DIR } from '../../paths.ts';
import { afterWrite, auditContext, idParam, viewerOf } from '../../plugins/guards.ts';
import { formValues, type FieldErrors } from '../../lib/validation.ts';
import { toCsv, toXlsx, type ExportColumn } from '../../lib/spreadsheet.ts';
import { fill, type Messages } from '../../i18n/index.ts';
import { activityPanel } from '../activities/queries.ts';
import {
  canAssign,
  contactsForExport,
  customerOptions,
  getContact,
  keyDatesOf,
  listContacts,
  ownerOptions,
  savedViewsOf,
  viewsFor,
  type ContactExportRow,
} from './queries.ts';
import { addKeyDate, assignContacts, createContact, deleteView, removeKeyDate, saveView, updateContact } from './commands.ts';
import { GENDERS, assignmentSchema, contactListQuery, contactSchema, filterQueryString, idList, keyDateSchema, parseWith, savedViewSchema, SORTS } from './schemas.ts';

/** The activity panel is another feature's partial: include it only once it exists. */
const hasActivityPanel = (): boolean => fs.existsSync(path.join(VIEWS_DIR, 'activities', '_panel.eta'));

export function contactColumns(t: Messages): ExportColumn<ContactExportRow>[] {
  const c = t.contacts;
  return [
    { header: c.name, value: (r) => r.name },
    { header: c.kind, value: (r) => c.kinds[r.kind as keyof typeof c.kinds] ?? r.kind },
    { header: c.customer, value: (r) => r.customer_name ?? '' },
    { header: c.organisation, value: (r) => r.organisation },
    { header: c.gender, value: (r) => c.genders[r.gender as keyof typeof c.genders] ?? '' },
    { header: c.jobTitle, value: (r) => r.title },
    { header: c.department, value: (r) => r.department },
    { header: c.mobile, value: (r) => r.mobile },
    { header: c.phone, value: (r) => r.phone },
    { header: c.email, value: (r) => r.email },
    { header: c.wechat, value: (r) => r.wechat },
    { header: c.address, value: (r) => r.address },
    { header: c.postalCode, value: (r) => r.postal_code },
    { header: c.birthday, value: (r) => r.birthday ?? '' },
    { header: c.owner, value: (r) => r.owner_name },
    { header: c.notes, value: (r) => r.notes },
  ];
}

/** /contacts: customer and public-relations contacts, their key dates, bulk assignment, export, saved views. */
export default async function contactsRoutes(app: FastifyInstance, opts: { db: Db }) {
  const { db } = opts;

  async function renderForm(req: FastifyRequest, reply: FastifyReply, contact: { id: number; name: string } | null, values: Record<string, unknown>, errors: FieldErrors, status = 200) {
    const viewer = viewerOf(req);
    const chosen = values.customer_id ? Number(values.customer_id) : null;
    const customers = await customerOptions(db, viewer, Number.isFinite(chosen) ? chosen : null);
    return reply.render('contacts/form', { contact, values, errors, customers, kinds: CONTACT_KINDS, genders: GENDERS }, { status, fragment: 'contacts/_form' });
  }

  app.get('/contacts', async (req, reply) => {
    const viewer = viewerOf(req);
    const filters = contactListQuery.parse(req.query ?? {});
    const [page, owners, savedViews] = await Promise.all([listContacts(db, viewer, filters), ownerOptions(db, viewer), savedViewsOf(db, viewer, 'contacts')]);
    const anyFilter = Boolean(filters.q || filters.owner || filters.kind || filters.customer || filters.birthday);
    return reply.render(
      'contacts/index',
      { ...page, filters, anyFilter, owners, savedViews, views: viewsFor(viewer), sorts: SORTS, kinds: CONTACT_KINDS, canAssign: canAssign(viewer), filterQuery: filterQueryString(filters) },
      { fragment: 'contacts/_list' },
    );
  });

  async function exportRows(req: FastifyRequest) {
    const q = (req.query ?? {}) as Record<string, unknown>;
    return contactsForExport(db, viewerOf(req), contactListQuery.parse(q), idList(q.ids));
  }
  app.get('/contacts/export.xlsx', async (req, reply) => {
    const buf = await toXlsx(await exportRows(req), contactColumns(req.t), req.t.contacts.sheetName);
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('Content-Disposition', `attachment; filename="contacts.xlsx"; filename*=UTF-8''${encodeURIComponent(req.t.contacts.sheetName)}.xlsx`)
      .send(buf);
  });
  app.get('/contacts/export.csv', async (req, reply) => {
    const buf = toCsv(await exportRows(req), contactColumns(req.t));
    return reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="contacts.csv"; filename*=UTF-8''${encodeURIComponent(req.t.contacts.sheetName)}.csv`)
      .send(buf);
  });

  app.get('/contacts/new', async (req, reply) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const customerId = typeof q.customer_id === 'string' && /^\d{1,15}$/.test(q.customer_id) ? q.customer_id : '';
    return renderForm(req, reply, null, { kind: customerId ? 'customer' : (q.kind === 'public_relations' ? 'public_relations' : 'customer'), customer_id: customerId }, {});
  });

  app.post('/contacts', async (req, reply) => {
    const parsed = parseWith(contactSchema, req.body, req.t);
    if (!parsed.ok) return renderForm(req, reply, null, formValues(req.body), parsed.errors, 422);
    const result = await createContact(db, viewerOf(req), auditContext(req), parsed.data);
    if (!result.ok) return renderForm(req, reply, null, formValues(req.body), { customer_id: req.t.contacts.customerNotVisible }, 422);
    reply.flash('success', req.t.contacts.created);
    return afterWrite(req, reply, `/contacts/${result.id}`);
  });

  app.post('/contacts/assignment', async (req, reply) => {
    const viewer = viewerOf(req);
    if (!canAssign(viewer)) return reply.callNotFound();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const ids = idList(body.ids);
    const back = `/contacts${typeof body.back === 'string' && body.back.startsWith('?') ? body.back : ''}`;
    const parsed = parseWith(assignmentSchema, body, req.t);
    if (ids.length === 0 || !parsed.ok || parsed.data.owner_id === null) {
      reply.flash('error', ids.length === 0 ? req.t.contacts.noSelection : req.t.contacts.ownerNotAllowed);
      return afterWrite(req, reply, back);
    }
    const result = await assignContacts(db, viewer, auditContext(req), ids, parsed.data.owner_id);
    if (!result.ok && result.error === 'notFound') return reply.callNotFound();
    if (!result.ok) reply.flash('error', req.t.contacts.ownerNotAllowed);
    else reply.flash('success', fill(req.t.contacts.assigned, { n: result.count, name: result.ownerName }));
    return afterWrite(req, reply, back);
  });

  app.post('/contacts/views', async (req, reply) => {
    const parsed = parseWith(savedViewSchema, req.body, req.t);
    const query = parsed.ok ? parsed.data.query : '';
    if (!parsed.ok) {
      reply.flash('error', `${req.t.contacts.viewName}: ${parsed.errors.name ?? parsed.errors.query ?? ''}`);
      return afterWrite(req, reply, '/contacts');
    }
    // Only the list's own filters are kept, whatever was posted.
    const clean = filterQueryString(contactListQuery.parse(Object.fromEntries(new URLSearchParams(query.replace(/^\?/, '')))));
    await saveView(db, viewerOf(req), auditContext(req), 'contacts', parsed.data.name, clean);
    reply.flash('success', req.t.contacts.viewSaved);
    return afterWrite(req, reply, `/contacts${clean}`);
  });

  app.post('/contacts/views/:id/deletion', async (req, reply) => {
    const id = idParam(req.params);
    if (!id || !(await deleteView(db, viewerOf(req), auditContext(req), 'contacts', id))) return reply.callNotFound();
    reply.flash('success', req.t.contacts.viewDeleted);
    return afterWrite(req, reply, '/contacts');
  });

  async function renderContact(req: FastifyRequest, reply: FastifyReply, id: number, keyDate: { values: Record<string, unknown>; errors: FieldErrors; status: number } | null = null) {
    const viewer = viewerOf(req);
    const contact = await getContact(db, viewer, id);
    if (!contact) return reply.callNotFound();
    const keyDates = await keyDatesOf(db, id);
    const data: Record<string, unknown> = { contact, keyDates, keyDateValues: keyDate?.values ?? { yearly: '1' }, keyDateErrors: keyDate?.errors ?? {} };
    if (hasActivityPanel()) data.activityPanel = await activityPanel(db, viewer, { contactId: id });
    return reply.render('contacts/show', data, { status: keyDate?.status ?? 200, fragment: keyDate ? 'contacts/_key-dates' : undefined });
  }

  app.get('/contacts/:id', async (req, reply) => {
    const id = idParam(req.params);
    if (!id) return reply.callNotFound();
    return renderContact(req, reply, id);
  });

  app.get('/contacts/:id/edit', async (req, reply) => {
    const id = idParam(req.params);
    const contact = id ? await getContact(db, viewerOf(req), id) : undefined;
    if (!contact) return reply.callNotFound();
    return renderForm(req, reply, contact, { ...contact, customer_id: contact.customer_id ?? '', birthday: contact.birthday ?? '' }, {});
  });

  app.post('/contacts/:id', async (req, reply) => {
    const id = idParam(req.params);
    const contact = id ? await getContact(db, viewerOf(req), id) : undefined;
    if (!id || !contact) return reply.callNotFound();
    const parsed = parseWith(contactSchema, req.body, req.t);
    if (!parsed.ok) return renderForm(req, reply, contact, formValues(req.body), parsed.errors, 422);
    const result = await updateContact(db, viewerOf(req), auditContext(req), id, parsed.data);
    if (!result.ok && result.error === 'notFound') return reply.callNotFound();
    if (!result.ok) return renderForm(req, reply, contact, formValues(req.body), { customer_id: req.t.contacts.customerNotVisible }, 422);
    reply.flash('success', req.t.contacts.saved);
    return afterWrite(req, reply, `/contacts/${id}`);
  });

  app.post('/contacts/:id/key-dates', async (req, reply) => {
    const id = idParam(req.params);
    if (!id || !(await getContact(db, viewerOf(req), id))) return reply.callNotFound();
    const parsed = parseWith(keyDateSchema, req.body, req.t);
    if (!parsed.ok) return renderContact(req, reply, id, { values: formValues(req.body), errors: parsed.errors, status: 422 });
    if (!(await addKeyDate(db, viewerOf(req), auditContext(req), id, parsed.data))) return reply.callNotFound();
    reply.flash('success', req.t.contacts.keyDateAdded);
    if (req.headers['hx-request'] === 'true' && req.headers['hx-target']) return renderContact(req, reply, id, { values: { yearly: '1' }, errors: {}, status: 200 });
    return afterWrite(req, reply, `/contacts/${id}`);
  });

  app.post('/contacts/:id/key-dates/:dateId/deletion', async (req, reply) => {
    const id = idParam(req.params);
    const dateId = idParam(req.params, 'dateId');
    if (!id || !dateId || !(await removeKeyDate(db, viewerOf(req), auditContext(req), id, dateId))) return reply.callNotFound();
    reply.flash('success', req.t.contacts.keyDateRemoved);
    if (req.headers['hx-request'] === 'true' && req.headers['hx-target']) return renderContact(req, reply, id, { values: { yearly: '1' }, errors: {}, status: 200 });
    return afterWrite(req, reply, `/contacts/${id}`);
  });
}
