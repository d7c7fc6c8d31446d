import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/index.ts';
import { CUSTOMER_GRADES, CUSTOMER_SOURCES, CUSTOMER_TYPES, LEAD_STATUSES } from '../../db/types.ts';
import { VIEWS_DIR } from '../../paths.ts';
import { afterWrite, auditContext, idParam, viewerOf } from '../../plugins/guards.ts';
import { formValues, type FieldErrors } from '../../lib/validation.ts';
import { toCsv, toXlsx, type ExportColumn } from '../../lib/spreadsheet.ts';
import { fill, type Messages } from '../../i18n/index.ts';
import { activityPanel } from '../activities/queries.ts';
import { parseCustomer } from '../customers/schemas.ts';
import { contactSchema, idList, parseWith as parseContact, savedViewSchema, assignmentSchema } from '../contacts/schemas.ts';
import { canAssign, customerOptions, ownerOptions, savedViewsOf } from '../contacts/queries.ts';
import { deleteView, saveView } from '../contacts/commands.ts';
import { getLead, leadsForExport, listLeads, viewsFor, type Lead, type LeadExportRow } from './queries.ts';
import { assignLeads, convertLead, createLead, updateLead } from './commands.ts';
import { parseYuanToFen } from '../../lib/money.ts';
import { isIsoDate } from '../../lib/dates.ts';
import { CONVERSION_MODES, conversionSchema, filterQueryString, INDUSTRIES, leadListQuery, leadSchema, parseWith, PROVINCES, SORTS } from './schemas.ts';

const hasActivityPanel = (): boolean => fs.existsSync(path.join(VIEWS_DIR, 'activities', '_panel.eta'));

export function leadColumns(t: Messages): ExportColumn<LeadExportRow>[] {
  const l = t.leads;
  const industries = t.customers.industries as Record<string, string>;
  return [
    { header: l.company, value: (r) => r.company },
    { header: l.person, value: (r) => r.person },
    { header: l.jobTitle, value: (r) => r.title },
    { header: l.mobile, value: (r) => r.mobile },
    { header: l.phone, value: (r) => r.phone },
    { header: l.email, value: (r) => r.email },
    { header: l.wechat, value: (r) => r.wechat },
    { header: l.province, value: (r) => r.province },
    { header: l.city, value: (r) => r.city },
    { header: l.address, value: (r) => r.address },
    { header: l.industry, value: (r) => (r.industry ? (industries[r.industry] ?? r.industry) : '') },
    { header: l.source, value: (r) => l.sources[r.source as keyof typeof l.sources] ?? r.source },
    { header: l.status, value: (r) => l.statuses[r.status as keyof typeof l.statuses] ?? r.status },
    { header: l.disqualifyReason, value: (r) => r.disqualify_reason },
    { header: l.owner, value: (r) => r.owner_name },
    { header: l.convertedAt, value: (r) => r.converted_at ?? '' },
    { header: l.notes, value: (r) => r.notes },
  ];
}

const CONTACT_FIELDS = ['name', 'title', 'mobile', 'phone', 'email', 'wechat'] as const;

/** /leads: list, create, edit, assignment by a manager, conversion into a customer and a contact. */
export default async function leadsRoutes(app: FastifyInstance, opts: { db: Db }) {
  const { db } = opts;
  const choices = { sources: CUSTOMER_SOURCES, statuses: LEAD_STATUSES, industries: INDUSTRIES, provinces: PROVINCES };

  async function renderForm(req: FastifyRequest, reply: FastifyReply, lead: Lead | null, values: Record<string, unknown>, errors: FieldErrors, status = 200) {
    return reply.render('leads/form', { lead, values, errors, ...choices }, { status, fragment: 'leads/_form' });
  }

  app.get('/leads', async (req, reply) => {
    const viewer = viewerOf(req);
    const filters = leadListQuery.parse(req.query ?? {});
    const [page, owners, savedViews] = await Promise.all([listLeads(db, viewer, filters), ownerOptions(db, viewer), savedViewsOf(db, viewer, 'leads')]);
    const anyFilter = Boolean(filters.q || filters.owner || filters.status || filters.source);
    return reply.render(
      'leads/index',
      { ...page, filters, anyFilter, owners, savedViews, views: viewsFor(viewer), sorts: SORTS, ...choices, canAssign: canAssign(viewer), filterQuery: filterQueryString(filters) },
      { fragment: 'leads/_list' },
    );
  });

  async function exportRows(req: FastifyRequest) {
    const q = (req.query ?? {}) as Record<string, unknown>;
    return leadsForExport(db, viewerOf(req), leadListQuery.parse(q), idList(q.ids));
  }
  app.get('/leads/export.xlsx', async (req, reply) => {
    const buf = await toXlsx(await exportRows(req), leadColumns(req.t), req.t.leads.sheetName);
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('Content-Disposition', `attachment; filename="leads.xlsx"; filename*=UTF-8''${encodeURIComponent(req.t.leads.sheetName)}.xlsx`)
      .send(buf);
  });
  app.get('/leads/export.csv', async (req, reply) => {
    const buf = toCsv(await exportRows(req), leadColumns(req.t));
    return reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="leads.csv"; filename*=UTF-8''${encodeURIComponent(req.t.leads.sheetName)}.csv`)
      .send(buf);
  });

  app.get('/leads/new', async (req, reply) => renderForm(req, reply, null, { source: 'other', status: 'new' }, {}));

  app.post('/leads', async (req, reply) => {
    const parsed = parseWith(leadSchema, req.body, req.t);
    if (!parsed.ok) return renderForm(req, reply, null, formValues(req.body), parsed.errors, 422);
    const id = await createLead(db, viewerOf(req), auditContext(req), parsed.data);
    reply.flash('success', req.t.leads.created);
    return afterWrite(req, reply, `/leads/${id}`);
  });

  app.post('/leads/assignment', async (req, reply) => {
    const viewer = viewerOf(req);
    if (!canAssign(viewer)) return reply.callNotFound();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const ids = idList(body.ids);
    const back = `/leads${typeof body.back === 'string' && body.back.startsWith('?') ? body.back : ''}`;
    const parsed = parseContact(assignmentSchema, body, req.t);
    if (ids.length === 0 || !parsed.ok || parsed.data.owner_id === null) {
      reply.flash('error', ids.length === 0 ? req.t.leads.noSelection : req.t.leads.ownerNotAllowed);
      return afterWrite(req, reply, back);
    }
    const result = await assignLeads(db, viewer, auditContext(req), ids, parsed.data.owner_id);
    if (!result.ok && result.error === 'notFound') return reply.callNotFound();
    if (!result.ok) reply.flash('error', req.t.leads.ownerNotAllowed);
    else reply.flash('success', fill(req.t.leads.assigned, { n: result.count, name: result.ownerName }));
    return afterWrite(req, reply, back);
  });

  app.post('/leads/views', async (req, reply) => {
    const parsed = parseContact(savedViewSchema, req.body, req.t);
    if (!parsed.ok) {
      reply.flash('error', `${req.t.leads.viewName}: ${parsed.errors.name ?? parsed.errors.query ?? ''}`);
      return afterWrite(req, reply, '/leads');
    }
    const clean = filterQueryString(leadListQuery.parse(Object.fromEntries(new URLSearchParams(parsed.data.query.replace(/^\?/, '')))));
    await saveView(db, viewerOf(req), auditContext(req), 'leads', parsed.data.name, clean);
    reply.flash('success', req.t.leads.viewSaved);
    return afterWrite(req, reply, `/leads${clean}`);
  });

  app.post('/leads/views/:id/deletion', async (req, reply) => {
    const id = idParam(req.params);
    if (!id || !(await deleteView(db, viewerOf(req), auditContext(req), 'leads', id))) return reply.callNotFound();
    reply.flash('success', req.t.leads.viewDeleted);
    return afterWrite(req, reply, '/leads');
  });

  app.get('/leads/:id', async (req, reply) => {
    const viewer = viewerOf(req);
    const id = idParam(req.params);
    const lead = id ? await getLead(db, viewer, id) : undefined;
    if (!id || !lead) return reply.callNotFound();
    const owners = canAssign(viewer) ? await ownerOptions(db, viewer) : [];
    const data: Record<string, unknown> = { lead, owners, canAssign: canAssign(viewer) };
    if (hasActivityPanel()) data.activityPanel = await activityPanel(db, viewer, { leadId: id });
    return reply.render('leads/show', data);
  });

  app.get('/leads/:id/edit', async (req, reply) => {
    const id = idParam(req.params);
    const lead = id ? await getLead(db, viewerOf(req), id) : undefined;
    if (!lead) return reply.callNotFound();
    return renderForm(req, reply, lead, lead, {});
  });

  app.post('/leads/:id', async (req, reply) => {
    const id = idParam(req.params);
    const lead = id ? await getLead(db, viewerOf(req), id) : undefined;
    if (!id || !lead) return reply.callNotFound();
    const parsed = parseWith(leadSchema, req.body, req.t);
    if (!parsed.ok) return renderForm(req, reply, lead, formValues(req.body), parsed.errors, 422);
    if (!(await updateLead(db, viewerOf(req), auditContext(req), id, parsed.data))) return reply.callNotFound();
    reply.flash('success', req.t.leads.saved);
    return afterWrite(req, reply, `/leads/${id}`);
  });

  app.post('/leads/:id/assignment', async (req, reply) => {
    const viewer = viewerOf(req);
    const id = idParam(req.params);
    if (!id || !canAssign(viewer)) return reply.callNotFound();
    const parsed = parseContact(assignmentSchema, req.body, req.t);
    if (!parsed.ok || parsed.data.owner_id === null) {
      if (!(await getLead(db, viewer, id))) return reply.callNotFound();
      reply.flash('error', req.t.leads.ownerNotAllowed);
      return afterWrite(req, reply, `/leads/${id}`);
    }
    const result = await assignLeads(db, viewer, auditContext(req), [id], parsed.data.owner_id);
    if (!result.ok && result.error === 'notFound') return reply.callNotFound();
    if (!result.ok) reply.flash('error', req.t.leads.ownerNotAllowed);
    else reply.flash('success', fill(req.t.leads.assignedOne, { name: result.ownerName }));
    return afterWrite(req, reply, `/leads/${id}`);
  });

  async function renderConversion(req: FastifyRequest, reply: FastifyReply, lead: Lead, values: Record<string, unknown>, errors: FieldErrors, status = 200) {
    const chosen = values.customer_id ? Number(values.customer_id) : null;
    const customers = await customerOptions(db, viewerOf(req), Number.isFinite(chosen) ? chosen : null);
    return reply.render(
      'leads/conversion',
      { lead, values, errors, customers, modes: CONVERSION_MODES, types: CUSTOMER_TYPES, grades: CUSTOMER_GRADES },
      { status, fragment: 'leads/_conversion-form' },
    );
  }

  app.get('/leads/:id/conversion', async (req, reply) => {
    const id = idParam(req.params);
    const lead = id ? await getLead(db, viewerOf(req), id) : undefined;
    if (!lead) return reply.callNotFound();
    if (lead.converted_at) {
      reply.flash('info', req.t.leads.alreadyConverted);
      return afterWrite(req, reply, `/leads/${lead.id}`);
    }
    const values: Record<string, unknown> = {
      mode: 'new',
      customer_name: lead.company || lead.person,
      customer_type: lead.company ? 'enterprise' : 'individual',
      customer_grade: 'C',
    };
    for (const f of CONTACT_FIELDS) values[`contact_${f}`] = f === 'name' ? lead.person : lead[f];
    return renderConversion(req, reply, lead, values, {});
  });

  app.post('/leads/:id/conversion', async (req, reply) => {
    const viewer = viewerOf(req);
    const id = idParam(req.params);
    const lead = id ? await getLead(db, viewer, id) : undefined;
    if (!id || !lead) return reply.callNotFound();
    if (lead.converted_at) {
      reply.flash('error', req.t.leads.alreadyConverted);
      return afterWrite(req, reply, `/leads/${id}`);
    }
    const body = formValues(req.body);
    const errors: FieldErrors = {};
    const conv = parseWith(conversionSchema, body, req.t);
    if (!conv.ok) Object.assign(errors, conv.errors);

    // The contact: validated by the contacts' own schema (as a stand-alone contact; it is tied to the customer below).
    const contactBody: Record<string, string> = { kind: 'public_relations', gender: '' };
    for (const f of CONTACT_FIELDS) contactBody[f] = body[`contact_${f}`] ?? '';
    const contact = parseContact(contactSchema, contactBody, req.t);
    if (!contact.ok) for (const [k, v] of Object.entries(contact.errors)) errors[`contact_${k}`] = v;

    // A new customer: the customers' own schema, with what the lead already knows.
    let customer: ReturnType<typeof parseCustomer> | null = null;
    if (conv.ok && conv.data.mode === 'new') {
      customer = parseCustomer(
        {
          name: conv.data.customer_name,
          type: conv.data.customer_type,
          grade: conv.data.customer_grade,
          industry: lead.industry,
          province: lead.province,
          city: lead.city,
          address: lead.address,
          phone: lead.phone,
          source: lead.source,
          lifecycle: 'prospect',
        },
        req.t,
      );
      if (!customer.ok) for (const [k, v] of Object.entries(customer.errors)) errors[k === 'name' ? 'customer_name' : k === 'type' ? 'customer_type' : k === 'grade' ? 'customer_grade' : '_form'] ??= v;
    }
    // Optionally the deal, opened in the same transaction.
    let opportunity: { name: string; amountFen: number; expectedCloseDate: string } | null = null;
    if (body.create_opportunity === '1') {
      const name = (body.opportunity_name ?? '').trim();
      const amountFen = parseYuanToFen(body.opportunity_amount ?? '');
      const close = (body.opportunity_close_date ?? '').trim();
      if (!name) errors.opportunity_name = req.t.validation.required;
      else if (name.length > 100) errors.opportunity_name = fill(req.t.validation.tooLong, { max: 100 });
      if (amountFen === null) errors.opportunity_amount = req.t.leads.badAmount;
      if (!isIsoDate(close)) errors.opportunity_close_date = req.t.leads.badDate;
      if (name && amountFen !== null && isIsoDate(close)) opportunity = { name, amountFen, expectedCloseDate: close };
    }
    if (!conv.ok || !contact.ok || (customer && !customer.ok) || Object.keys(errors).length > 0) return renderConversion(req, reply, lead, body, errors, 422);

    const target = customer && customer.ok ? { customer: customer.data } : { existingCustomerId: conv.data.customer_id ?? 0 };
    const { kind: _kind, customer_id: _customerId, ...contactInput } = contact.data;
    const result = await convertLead(db, viewer, auditContext(req), id, target, contactInput, opportunity);
    if (!result.ok && result.error === 'noPipeline') return renderConversion(req, reply, lead, body, { create_opportunity: req.t.leads.noPipeline }, 422);
    if (!result.ok && result.error === 'notFound') return reply.callNotFound();
    if (!result.ok && result.error === 'customerNotVisible') return renderConversion(req, reply, lead, body, { customer_id: req.t.leads.customerNotVisible }, 422);
    if (!result.ok) {
      reply.flash('error', req.t.leads.alreadyConverted);
      return afterWrite(req, reply, `/leads/${id}`);
    }
    reply.flash('success', req.t.leads.converted);
    return afterWrite(req, reply, result.opportunityId ? `/opportunities/${result.opportunityId}` : `/customers/${result.customerId}`);
  });
}
