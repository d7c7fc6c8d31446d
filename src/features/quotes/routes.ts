import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/index.ts';
import type { Language } from '../../db/types.ts';
import { canAssign, isAdmin, scope, type Viewer } from '../../access/index.ts';
import { afterWrite, auditContext, idParam, viewerOf } from '../../plugins/guards.ts';
import { formValues, parseForm, type FieldErrors } from '../../lib/validation.ts';
import { fenToYuanInput } from '../../lib/money.ts';
import { formatPercent, formatQuantity } from '../../lib/quote-math.ts';
import { formatter } from '../../lib/format.ts';
import { companyTimeZone } from '../company/queries.ts';
import { fill, messages, type Messages } from '../../i18n/index.ts';
import { renderQuotePdfInWorker } from '../../pdf/pool.ts';
import { assignableUsers } from '../users/queries.ts';
import { productOptions } from '../products/queries.ts';
import {
  addLine,
  updateLine,
  decideApproval,
  EDITABLE,
  mayDecide,
  quoteSettings,
  recordOutcome,
  removeLine,
  REVISABLE,
  reviseQuote,
  saveQuoteSettings,
  sendQuote,
  sendRefusal,
  submitForApproval,
  createQuote,
  updateQuoteHeader,
  type RefError,
} from './commands.ts';
import { dateIn } from './expiry.ts';
import { customerOptions } from '../opportunities/queries.ts';
import { contactsOfCustomer, visibleCustomer } from '../contacts/queries.ts';
import { formatQuoteNumber } from './numbering.ts';
import { companyForPdf, getQuote, listQuotes, opportunitiesOf, priceReference, quoteHistory, quoteLines, quotesOfCustomer, quotesOfOpportunity, viewsFor, type QuoteDetail, type QuoteLine } from './queries.ts';
import { decisionSchema, quoteHeaderSchema, quoteLineSchema, quoteListQuery, quoteQueryString, quoteSettingsSchema } from './schemas.ts';

const addDays = (date: string, days: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** The quote as a PDF, in the reader's language. */
export async function quotePdf(db: Db, q: QuoteDetail, lang: Language): Promise<Buffer> {
  const [lines, company] = await Promise.all([quoteLines(db, q.id), companyForPdf(db)]);
  return quotePdfOf(q, lines, company, lang);
}

/** The PDF from a quote, its lines and the company as already read (sending reads them for its own checks too). */
function quotePdfOf(q: QuoteDetail, lines: QuoteLine[], company: Awaited<ReturnType<typeof companyForPdf>>, lang: Language): Promise<Buffer> {
  const logo = company?.logo && (company.logo_mime === 'image/png' || company.logo_mime === 'image/jpeg') ? company.logo : null;
  return renderQuotePdfInWorker(
    {
      number: q.number,
      revision: q.revision,
      quoteDate: q.quote_date,
      validUntil: q.valid_until,
      taxMode: q.tax_mode,
      customer: { name: q.customer_name, address: q.customer_address, phone: q.customer_phone },
      contact: q.contact_name ? { name: q.contact_title ? `${q.contact_name}（${q.contact_title}）` : q.contact_name, mobile: q.contact_mobile ?? '', phone: q.contact_phone ?? '', email: q.contact_email ?? '' } : null,
      owner: { name: q.owner_name, phone: q.owner_phone, email: q.owner_email },
      company: { name: company?.name ?? '', address: [company?.address, company?.postal_code].filter(Boolean).join(' '), phone: company?.phone ?? '', taxId: company?.tax_id ?? '', logo },
      lines: lines.map((l) => ({ name: l.name, spec: l.spec, unit: l.unit, quantityMilli: l.quantity_milli, unitPriceFen: l.unit_price_fen, discountBp: l.discount_bp, taxRateBp: l.tax_rate_bp, amountFen: q.tax_mode === 'exclusive' ? l.net_fen : l.amount_fen })),
      subtotalFen: q.subtotal_fen,
      taxFen: q.tax_fen,
      totalFen: q.total_fen,
      terms: { payment: q.payment_terms, delivery: q.delivery_terms, warranty: q.warranty_terms, notes: q.notes },
    },
    messages(lang).quotes.pdf,
  );
}

/** /quotes: the list, the form, the quote page with its lines (htmx), approval, sending, outcome, revisions, the PDF. */
export default async function quotesRoutes(app: FastifyInstance, opts: { db: Db }) {
  const { db } = opts;

  // Quotes are sales data: administrators get the ordinary 404 (they keep the settings page).
  app.addHook('preHandler', async (req, reply) => {
    if (req.viewer && isAdmin(req.viewer) && req.url.startsWith('/quotes')) {
      reply.callNotFound();
      return reply;
    }
    return undefined;
  });

  // ---------- the list ----------
  app.get('/quotes', async (req, reply) => {
    const viewer = viewerOf(req);
    const f = quoteListQuery.parse(req.query ?? {});
    const [page, owners] = await Promise.all([listQuotes(db, viewer, f), assignableUsers(db, viewer)]);
    return reply.render(
      'quotes/index',
      { ...page, filters: f, owners, views: viewsFor(viewer), anyFilter: Boolean(f.q || f.status || f.owner || f.view), qs: (extra: Record<string, string> = {}) => quoteQueryString(f, extra) },
      { fragment: 'quotes/_list' },
    );
  });

  // ---------- creating and editing the header ----------
  function refErrors(t: Messages, fields: RefError[]): FieldErrors {
    return Object.fromEntries(fields.map((f) => [f.field, t.quotes.errors[f.key]]));
  }

  type VisibleCustomer = NonNullable<Awaited<ReturnType<typeof visibleCustomer>>>;
  type CustomerContacts = Awaited<ReturnType<typeof contactsOfCustomer>>;

  async function renderForm(
    req: FastifyRequest,
    reply: FastifyReply,
    quote: QuoteDetail | null,
    values: Record<string, string>,
    errors: FieldErrors,
    status = 200,
    read: { customer: VisibleCustomer; contacts: CustomerContacts } | null = null,
  ) {
    const viewer = viewerOf(req);
    const customerId = Number(values.customer_id) || 0;
    // Only a customer the viewer may see, with the contacts and deals they may see (the scope rule, as everywhere).
    // A caller that has just read them through the same rule passes them in.
    const customer = read?.customer ?? (customerId ? await visibleCustomer(db, viewer, customerId) : undefined);
    const [contacts, deals] = customer ? await Promise.all([read?.contacts ?? contactsOfCustomer(db, viewer, customer.id), opportunitiesOf(db, viewer, customer.id)]) : [[], []];
    return reply.render('quotes/form', { quote, values, errors, customer, contacts, deals }, { status, fragment: 'quotes/_form' });
  }

  app.get('/quotes/new', async (req, reply) => {
    const viewer = viewerOf(req);
    const query = (req.query ?? {}) as Record<string, string>;
    let customerId = /^\d{1,15}$/.test(query.customer_id ?? '') ? Number(query.customer_id) : 0;
    const dealId = /^\d{1,15}$/.test(query.opportunity_id ?? '') ? Number(query.opportunity_id) : 0;
    if (dealId) {
      const deal = (await opportunityOf(db, viewer, dealId)) ?? null;
      if (!deal) return reply.callNotFound();
      customerId = deal.customer_id;
    }
    // From the quote list: first choose the customer (the customers the viewer may see, most recently active first).
    if (!customerId) return reply.render('quotes/pick-customer', { customers: await customerOptions(db, viewer, null) });
    const customer = await visibleCustomer(db, viewer, customerId);
    if (!customer) return reply.callNotFound();
    const s = await quoteSettings(db);
    const today = dateIn(new Date(), s.timeZone);
    const contacts = await contactsOfCustomer(db, viewer, customer.id);
    const firstContact = contacts[0];
    return renderForm(req, reply, null, {
      customer_id: String(customerId),
      opportunity_id: dealId ? String(dealId) : '',
      contact_id: firstContact ? String(firstContact.id) : '',
      quote_date: today,
      valid_until: addDays(today, s.validityDays),
      tax_mode: 'inclusive',
      payment_terms: s.paymentTerms,
      delivery_terms: s.deliveryTerms,
      warranty_terms: s.warrantyTerms,
      notes: '',
    }, {}, 200, { customer, contacts });
  });

  app.post('/quotes', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = formValues(body);
    const parsed = parseForm(quoteHeaderSchema, body, req.t, req.t.quotes.errors);
    if (!parsed.ok) return renderForm(req, reply, null, values, parsed.errors, 422);
    const result = await createQuote(db, viewerOf(req), auditContext(req), parsed.data);
    if (!result.ok) return renderForm(req, reply, null, values, refErrors(req.t, result.fields), 422);
    reply.flash('success', fill(req.t.quotes.created, { number: result.number }));
    return afterWrite(req, reply, `/quotes/${result.id}`);
  });

  async function quoteOf(req: FastifyRequest): Promise<QuoteDetail | undefined> {
    const id = idParam(req.params);
    return id ? getQuote(db, viewerOf(req), id) : undefined;
  }

  app.get('/quotes/:id/edit', async (req, reply) => {
    const q = await quoteOf(req);
    if (!q) return reply.callNotFound();
    if (!q.latest || !EDITABLE.has(q.status)) return reply.redirect(`/quotes/${q.id}`, 303);
    return renderForm(req, reply, q, {
      customer_id: String(q.customer_id),
      opportunity_id: q.opportunity_id ? String(q.opportunity_id) : '',
      contact_id: q.contact_id ? String(q.contact_id) : '',
      quote_date: q.quote_date,
      valid_until: q.valid_until,
      tax_mode: q.tax_mode,
      payment_terms: q.payment_terms,
      delivery_terms: q.delivery_terms,
      warranty_terms: q.warranty_terms,
      notes: q.notes,
    }, {});
  });

  app.post('/quotes/:id', async (req, reply) => {
    const q = await quoteOf(req);
    if (!q) return reply.callNotFound();
    const body = { ...((req.body ?? {}) as Record<string, unknown>), customer_id: String(q.customer_id), opportunity_id: q.opportunity_id ? String(q.opportunity_id) : '' };
    const values = formValues(body);
    const parsed = parseForm(quoteHeaderSchema, body, req.t, req.t.quotes.errors);
    if (!parsed.ok) return renderForm(req, reply, q, values, parsed.errors, 422);
    const result = await updateQuoteHeader(db, viewerOf(req), auditContext(req), q.id, parsed.data);
    if (!result.ok) {
      if (result.error === 'notFound') return reply.callNotFound();
      if (result.error === 'invalid') return renderForm(req, reply, q, values, refErrors(req.t, result.fields), 422);
      reply.flash('error', req.t.quotes.errors.locked);
      return afterWrite(req, reply, `/quotes/${q.id}`);
    }
    reply.flash('success', req.t.quotes.saved);
    return afterWrite(req, reply, `/quotes/${q.id}`);
  });

  // ---------- the quote page ----------
  async function showData(
    req: FastifyRequest,
    q: QuoteDetail,
    extra: { lineValues?: Record<string, string>; lineErrors?: FieldErrors; productId?: number | null; decisionErrors?: FieldErrors; editLineId?: number | null; lines?: QuoteLine[] } = {},
  ) {
    const viewer = viewerOf(req);
    const s = await quoteSettings(db);
    const editable = Boolean(q.latest) && EDITABLE.has(q.status) && (q.owner_id === viewer.id || canAssign(viewer));
    const [lines, history, products] = await Promise.all([extra.lines ?? quoteLines(db, q.id), quoteHistory(db, q.number), editable ? productOptions(db) : Promise.resolve([])]);
    const productId = extra.productId ?? null;
    const reference = productId ? await priceReference(db, viewer, productId, q.customer_id, addDays(dateIn(new Date(), s.timeZone), -365)) : null;
    const editLine = extra.editLineId ? (lines.find((l) => l.id === extra.editLineId) ?? null) : null;
    const lineValues = extra.lineValues ?? (editLine && (productId === null || productId === editLine.product_id) ? lineFormValues(editLine) : defaultLineValues(reference?.product ?? null, q.tax_mode));
    return {
      quote: q,
      lines,
      editLine,
      history,
      products,
      editable,
      reference,
      lineValues,
      lineErrors: extra.lineErrors ?? {},
      decisionErrors: extra.decisionErrors ?? {},
      settings: s,
      pct: formatPercent,
      canDecide: q.status === 'pending_approval' && mayDecide(viewer, q),
      isOwner: q.owner_id === viewer.id || canAssign(viewer),
      canSend: sendRefusal(q, lines.length) === null,
      canSubmit: Boolean(q.latest) && lines.length > 0 && q.status === 'draft' && q.approval_level !== '',
      canRevise: Boolean(q.latest) && REVISABLE.has(q.status),
    };
  }

  function lineFormValues(l: { product_id: number | null; name: string; spec: string; unit: string; quantity_milli: number; unit_price_fen: number; discount_bp: number; tax_rate_bp: number }): Record<string, string> {
    return {
      product_id: l.product_id ? String(l.product_id) : '',
      name: l.name,
      spec: l.spec,
      unit: l.unit,
      quantity: formatQuantity(l.quantity_milli),
      unit_price: fenToYuanInput(l.unit_price_fen),
      discount: l.discount_bp ? formatPercent(l.discount_bp) : '',
      tax_rate: formatPercent(l.tax_rate_bp),
    };
  }

  function defaultLineValues(p: { id: number; name: string; spec: string; unit: string; list_price_fen: number; tax_rate_bp: number } | null, mode: string): Record<string, string> {
    if (!p) return { product_id: '', quantity: '1', discount: '', tax_rate: '13' };
    // The price book holds prices with VAT; an exclusive quote starts from the price without it.
    const price = mode === 'exclusive' ? Math.round((p.list_price_fen * 10_000) / (10_000 + p.tax_rate_bp)) : p.list_price_fen;
    return { product_id: String(p.id), name: p.name, spec: p.spec, unit: p.unit, quantity: '1', unit_price: fenToYuanInput(price), discount: '', tax_rate: formatPercent(p.tax_rate_bp) };
  }

  app.get('/quotes/:id', async (req, reply) => {
    const q = await quoteOf(req);
    if (!q) return reply.callNotFound();
    return reply.render('quotes/show', await showData(req, q));
  });

  // The add-line form for a product: prefilled from the price book, with its price reference (htmx swaps it in).
  app.get('/quotes/:id/line-form', async (req, reply) => {
    const q = await quoteOf(req);
    if (!q) return reply.callNotFound();
    const query = (req.query ?? {}) as Record<string, string>;
    const num = (v: string | undefined) => (/^\d{1,15}$/.test(v ?? '') ? Number(v) : null);
    const editLineId = num(query.line_id);
    let productId = num(query.product_id);
    const lines = await quoteLines(db, q.id);
    // Opening a line for editing shows its own product's reference.
    if (editLineId && query.product_id === undefined) productId = lines.find((l) => l.id === editLineId)?.product_id ?? null;
    return reply.render('quotes/show', await showData(req, q, { productId, editLineId, lines }), { fragment: 'quotes/_line-form' });
  });

  async function linesReply(req: FastifyRequest, reply: FastifyReply, id: number, extra: Parameters<typeof showData>[2] = {}, status = 200) {
    const fragment = req.headers['hx-request'] === 'true' && Boolean(req.headers['hx-target']);
    // A plain form's successful write redirects: the command has just found the quote in the scope, nothing to render.
    if (!fragment && status === 200) return afterWrite(req, reply, `/quotes/${id}`);
    const q = await getQuote(db, viewerOf(req), id);
    if (!q) return reply.callNotFound();
    if (fragment) return reply.render('quotes/show', await showData(req, q, extra), { fragment: 'quotes/_lines', status });
    return reply.render('quotes/show', await showData(req, q, extra), { status });
  }

  app.post('/quotes/:id/lines', async (req, reply) => {
    const id = idParam(req.params);
    if (!id) return reply.callNotFound();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = formValues(body);
    const productId = /^\d{1,15}$/.test(values.product_id ?? '') ? Number(values.product_id) : null;
    const parsed = parseForm(quoteLineSchema, body, req.t, req.t.quotes.errors);
    if (!parsed.ok) return linesReply(req, reply, id, { lineValues: values, lineErrors: parsed.errors, productId }, 422);
    const result = await addLine(db, viewerOf(req), auditContext(req), id, parsed.data);
    if (!result.ok) {
      if (result.error === 'notFound') return reply.callNotFound();
      const e: FieldErrors = result.error === 'product' ? { name: req.t.quotes.errors.product } : { _form: req.t.quotes.errors.locked };
      return linesReply(req, reply, id, { lineValues: values, lineErrors: e, productId }, 422);
    }
    return linesReply(req, reply, id);
  });

  app.post('/quotes/:id/lines/:lineId', async (req, reply) => {
    const id = idParam(req.params);
    const lineId = idParam(req.params, 'lineId');
    if (!id || !lineId) return reply.callNotFound();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = formValues(body);
    const productId = /^\d{1,15}$/.test(values.product_id ?? '') ? Number(values.product_id) : null;
    const parsed = parseForm(quoteLineSchema, body, req.t, req.t.quotes.errors);
    if (!parsed.ok) return linesReply(req, reply, id, { lineValues: values, lineErrors: parsed.errors, productId, editLineId: lineId }, 422);
    const result = await updateLine(db, viewerOf(req), auditContext(req), id, lineId, parsed.data);
    if (!result.ok) {
      if (result.error === 'notFound') return reply.callNotFound();
      const e: FieldErrors = result.error === 'product' ? { name: req.t.quotes.errors.product } : { _form: req.t.quotes.errors.locked };
      return linesReply(req, reply, id, { lineValues: values, lineErrors: e, productId, editLineId: lineId }, 422);
    }
    return linesReply(req, reply, id);
  });

  app.post('/quotes/:id/lines/:lineId/delete', async (req, reply) => {
    const id = idParam(req.params);
    const lineId = idParam(req.params, 'lineId');
    if (!id || !lineId) return reply.callNotFound();
    const result = await removeLine(db, viewerOf(req), auditContext(req), id, lineId);
    if (!result.ok && result.error === 'notFound') return reply.callNotFound();
    if (!result.ok) reply.flash('error', req.t.quotes.errors.locked);
    return linesReply(req, reply, id);
  });

  // ---------- approval, sending, outcome, revisions ----------
  const flowMessage = (t: Messages, error: string): string => (t.quotes.errors as Record<string, string>)[error] ?? t.quotes.errors.status;

  app.post('/quotes/:id/approval-request', async (req, reply) => {
    const id = idParam(req.params);
    if (!id) return reply.callNotFound();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const result = await submitForApproval(db, viewerOf(req), auditContext(req), id, typeof body.comment === 'string' ? body.comment : '');
    if (!result.ok && result.error === 'notFound') return reply.callNotFound();
    reply.flash(result.ok ? 'success' : 'error', result.ok ? req.t.quotes.approval.submitted : flowMessage(req.t, result.error));
    return afterWrite(req, reply, `/quotes/${id}`);
  });

  // The approver's decision, a noun resource: POST creates the quote's approval (approve or reject, with a comment).
  app.post('/quotes/:id/approval', async (req, reply) => {
    const id = idParam(req.params);
    if (!id) return reply.callNotFound();
    const parsed = parseForm(decisionSchema, req.body ?? {}, req.t, req.t.quotes.errors);
    if (!parsed.ok) {
      const q = await quoteOf(req);
      if (!q) return reply.callNotFound();
      return reply.render('quotes/show', await showData(req, q, { decisionErrors: parsed.errors }), { status: 422 });
    }
    const result = await decideApproval(db, viewerOf(req), auditContext(req), id, parsed.data.decision, parsed.data.comment);
    if (!result.ok && result.error === 'notFound') return reply.callNotFound();
    reply.flash(result.ok ? 'success' : 'error', result.ok ? (parsed.data.decision === 'approve' ? req.t.quotes.approval.approved : req.t.quotes.approval.rejected) : flowMessage(req.t, result.error));
    return afterWrite(req, reply, `/quotes/${id}`);
  });

  app.post('/quotes/:id/sending', async (req, reply) => {
    const viewer = viewerOf(req);
    const id = idParam(req.params);
    // Sending is the owner's side: the quote through the scope rule alone, as the command reads it (not as its approver).
    const q = id ? await getQuote(db, viewer, id, { asApprover: false }) : undefined;
    if (!q) return reply.callNotFound();
    // Checked before the PDF is rendered (a refused sending renders nothing); the command checks again under the lock.
    const lines = await quoteLines(db, q.id);
    const refusal = sendRefusal(q, lines.length);
    if (refusal) {
      reply.flash('error', flowMessage(req.t, refusal));
      return afterWrite(req, reply, `/quotes/${q.id}`);
    }
    // The mail is in the contact's language as far as we know it: the sender's.
    const t = req.t.quotes;
    const company = await companyForPdf(db);
    const fmt = formatter(req.lang, await companyTimeZone(db));
    const numberText = q.revision > 1 ? `${q.number} v${q.revision}` : q.number;
    const mail = q.contact_email
      ? {
          pdf: await quotePdfOf(q, lines, company, req.lang),
          filename: `${numberText.replace(/\s+/g, '-')}.pdf`,
          subject: fill(t.mailSubject, { number: numberText, company: company?.name ?? '' }),
          text: fill(t.mailText, { contact: q.contact_name ?? '', number: numberText, validUntil: q.valid_until, total: fmt.money(q.total_fen), owner: q.owner_name, company: company?.name ?? '' }),
          quoteUpdatedAt: q.updated_at,
        }
      : null;
    const result = await sendQuote(db, viewer, auditContext(req), q.id, mail);
    if (!result.ok) {
      if (result.error === 'notFound') return reply.callNotFound();
      reply.flash('error', flowMessage(req.t, result.error));
      return afterWrite(req, reply, `/quotes/${q.id}`);
    }
    reply.flash('success', result.mailed ? fill(t.actions.sentMailed, { email: q.contact_email ?? '' }) : t.actions.sentNoEmail);
    return afterWrite(req, reply, `/quotes/${q.id}`);
  });

  app.post('/quotes/:id/outcome', async (req, reply) => {
    const viewer = viewerOf(req);
    const id = idParam(req.params);
    if (!id) return reply.callNotFound();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const outcome = body.outcome === 'accepted' ? 'accepted' : body.outcome === 'rejected' ? 'rejected' : null;
    if (!outcome) return reply.code(400).send();
    const t = req.t.quotes.actions;
    const result = await recordOutcome(db, viewer, auditContext(req), id, outcome, { closeWon: body.close_won === '1', closeReasonLabel: t.accepted });
    if (!result.ok) {
      if (result.error === 'notFound') return reply.callNotFound();
      reply.flash('error', req.t.quotes.errors.status);
      return afterWrite(req, reply, `/quotes/${id}`);
    }
    const closing = result.closeDeal;
    if (!closing) reply.flash('success', outcome === 'accepted' ? t.accepted : t.rejectedByCustomer);
    else if (closing.ok) reply.flash('success', t.acceptedWon);
    else {
      // The answer is recorded; the deal stayed as it was, and the page says why.
      const o = req.t.opportunities.errors as Record<string, string>;
      const reason = closing.error === 'criteriaUnmet' ? fill(o.criteriaUnmet ?? '', { labels: closing.unmet.join('、') }) : (o[closing.error] ?? closing.error);
      reply.flash('error', fill(t.acceptedNotClosed, { reason }));
    }
    return afterWrite(req, reply, `/quotes/${id}`);
  });

  app.post('/quotes/:id/revisions', async (req, reply) => {
    const id = idParam(req.params);
    if (!id) return reply.callNotFound();
    const result = await reviseQuote(db, viewerOf(req), auditContext(req), id);
    if (!result.ok) {
      if (result.error === 'notFound') return reply.callNotFound();
      reply.flash('error', req.t.quotes.errors.status);
      return afterWrite(req, reply, `/quotes/${id}`);
    }
    reply.flash('success', fill(req.t.quotes.actions.revised, { n: result.revision }));
    return afterWrite(req, reply, `/quotes/${result.id}`);
  });

  // ---------- panels other pages load after themselves (客户报价记录 on the customer, quotes on the deal) ----------
  app.get('/quotes/panels/customer/:id', async (req, reply) => {
    const viewer = viewerOf(req);
    const id = idParam(req.params);
    const customer = id ? await visibleCustomer(db, viewer, id) : undefined;
    if (!customer) return reply.callNotFound();
    const quotes = await quotesOfCustomer(db, viewer, customer.id);
    return reply.render('quotes/_panel', { quotes, panelId: 'customer-quotes', panelTitle: req.t.quotes.customerPanel, newHref: `/quotes/new?customer_id=${customer.id}` });
  });

  app.get('/quotes/panels/opportunity/:id', async (req, reply) => {
    const viewer = viewerOf(req);
    const id = idParam(req.params);
    const deal = id ? await opportunityOf(db, viewer, id) : undefined;
    if (!deal) return reply.callNotFound();
    const quotes = await quotesOfOpportunity(db, viewer, deal.id);
    return reply.render('quotes/_panel', { quotes, panelId: 'opportunity-quotes', panelTitle: req.t.quotes.dealPanel, newHref: `/quotes/new?opportunity_id=${deal.id}` });
  });

  // ---------- the PDF ----------
  app.get('/quotes/:id.pdf', async (req, reply) => {
    const q = await quoteOf(req);
    if (!q) return reply.callNotFound();
    const pdf = await quotePdf(db, q, req.lang);
    const name = `${q.number}${q.revision > 1 ? `-v${q.revision}` : ''}.pdf`;
    return reply
      .type('application/pdf')
      .header('Content-Disposition', `inline; filename="${name.replace(/[^\w.-]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`)
      .header('Cache-Control', 'no-store')
      .send(pdf);
  });
}

/** A deal the viewer may see (for "create quote" from the deal page). */
async function opportunityOf(db: Db, viewer: Viewer, id: number) {
  return db.selectFrom('opportunities as o').select(['o.id', 'o.customer_id']).where('o.id', '=', id).where(scope(viewer, 'opportunities', { alias: 'o' })).executeTakeFirst();
}

/** /settings/quotes: number pattern, approval thresholds, validity and default terms (directors and administrators). */
export async function quoteSettingsRoutes(app: FastifyInstance, opts: { db: Db }) {
  const { db } = opts;
  const allowed = (req: FastifyRequest) => {
    const v = viewerOf(req);
    return v.role === 'admin' || v.role === 'sales_director';
  };
  async function render(req: FastifyRequest, reply: FastifyReply, values: Record<string, string>, errors: FieldErrors, status = 200) {
    const pattern = values.quote_number_pattern ?? '';
    const example = /\{#{1,8}\}/.test(pattern) ? formatQuoteNumber(pattern, dateIn(new Date(), await companyTimeZone(db)), 1) : '';
    return reply.render('quotes/settings', { values, errors, example }, { status, fragment: 'quotes/_settings-form' });
  }
  app.get('/settings/quotes', async (req, reply) => {
    if (!allowed(req)) return reply.callNotFound();
    const s = await quoteSettings(db);
    return render(req, reply, {
      quote_number_pattern: s.pattern,
      manager_threshold: formatPercent(s.managerBp),
      director_threshold: formatPercent(s.directorBp),
      quote_validity_days: String(s.validityDays),
      quote_payment_terms: s.paymentTerms,
      quote_delivery_terms: s.deliveryTerms,
      quote_warranty_terms: s.warrantyTerms,
    }, {});
  });
  app.post('/settings/quotes', async (req, reply) => {
    if (!allowed(req)) return reply.callNotFound();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = formValues(body);
    const parsed = parseForm(quoteSettingsSchema, body, req.t, req.t.quotes.errors);
    if (!parsed.ok) return render(req, reply, values, parsed.errors, 422);
    await saveQuoteSettings(db, auditContext(req), parsed.data);
    reply.flash('success', req.t.quotes.settings.saved);
    return afterWrite(req, reply, '/settings/quotes');
  });
}
