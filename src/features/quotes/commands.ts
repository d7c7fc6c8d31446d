import type { Db } from '../../db/index.ts';
import { nowIso, writeTransaction } from '../../db/index.ts';
import type { Language, QuoteStatus } from '../../db/types.ts';
import { audit, diff, type AuditContext } from '../../audit/index.ts';
import { scope, seesAllRecords, type Viewer } from '../../access/index.ts';
import { fill, messages } from '../../i18n/index.ts';
import { lineAmounts, quoteTotals, type TaxMode } from '../../lib/quote-math.ts';
import { enqueueMail } from '../../mail/index.ts';
import { notify } from '../../notifications/index.ts';
import { approvalLevel, findApprover } from './approval.ts';
import { nextQuoteNumber } from './numbering.ts';
import type { QuoteHeaderInput, QuoteLineInput, QuoteSettingsInput } from './schemas.ts';
import { localDate } from '../../lib/dates.ts';
import { winOpportunityIn, type AdvanceResult } from '../opportunities/commands.ts';
import { visibleQuote } from './queries.ts';
import { DEFAULT_TIME_ZONE } from '../company/queries.ts';

/** Statuses in which the quote itself may still change (an approved quote goes back to draft when edited). */
export const EDITABLE: ReadonlySet<QuoteStatus> = new Set(['draft', 'approved']);
/** Statuses from which a change makes a new revision instead. */
export const REVISABLE: ReadonlySet<QuoteStatus> = new Set(['sent', 'rejected', 'expired']);

export type QuoteEventKind = 'created' | 'edited' | 'submitted' | 'approved' | 'approval_rejected' | 'sent' | 'accepted' | 'rejected' | 'expired' | 'revised';

export async function addEvent(trx: Db, quoteId: number, userId: number | null, kind: QuoteEventKind, comment = ''): Promise<void> {
  await trx.insertInto('quote_events').values({ quote_id: quoteId, at: nowIso(), user_id: userId, kind, comment: comment.slice(0, 500) }).execute();
}

/** The newest revision of a quote the viewer may see, as commands need it. */
async function quoteInScope(trx: Db, viewer: Viewer, id: number) {
  return trx
    .selectFrom('quotes as q')
    .selectAll('q')
    .where('q.id', '=', id)
    .where(scope(viewer, 'quotes', { alias: 'q' }))
    .executeTakeFirst();
}

export async function quoteSettings(db: Db) {
  const c = await db
    .selectFrom('company')
    .select(['quote_number_pattern', 'quote_manager_threshold_bp', 'quote_director_threshold_bp', 'quote_validity_days', 'quote_payment_terms', 'quote_delivery_terms', 'quote_warranty_terms', 'time_zone'])
    .where('id', '=', 1)
    .executeTakeFirst();
  return {
    pattern: c?.quote_number_pattern ?? 'BJ-{YYYY}-{####}',
    managerBp: c?.quote_manager_threshold_bp ?? 1000,
    directorBp: c?.quote_director_threshold_bp ?? 2000,
    validityDays: c?.quote_validity_days ?? 30,
    paymentTerms: c?.quote_payment_terms ?? '',
    deliveryTerms: c?.quote_delivery_terms ?? '',
    warrantyTerms: c?.quote_warranty_terms ?? '',
    timeZone: c?.time_zone ?? DEFAULT_TIME_ZONE,
  };
}

/**
 * Recomputes every line (the tax mode may have changed) and the quote's totals, floor-price flags and the approval
 * it needs, from the lines as stored. The one place sums are written.
 */
export async function recompute(trx: Db, quoteId: number): Promise<void> {
  const q = await trx.selectFrom('quotes').select(['tax_mode']).where('id', '=', quoteId).executeTakeFirstOrThrow();
  const lines = await trx.selectFrom('quote_lines').selectAll().where('quote_id', '=', quoteId).orderBy('position').execute();
  const amounts = [];
  for (const l of lines) {
    const a = lineAmounts({ quantityMilli: l.quantity_milli, unitPriceFen: l.unit_price_fen, discountBp: l.discount_bp, taxRateBp: l.tax_rate_bp, listPriceFen: l.list_price_fen, floorPriceFen: l.floor_price_fen }, q.tax_mode as TaxMode);
    amounts.push(a);
    if (a.netFen !== l.net_fen || a.taxFen !== l.tax_fen || a.amountFen !== l.amount_fen || a.effectiveUnitFen !== l.effective_unit_fen || Number(a.belowFloor) !== l.below_floor) {
      await trx
        .updateTable('quote_lines')
        .set({ net_fen: a.netFen, tax_fen: a.taxFen, amount_fen: a.amountFen, effective_unit_fen: a.effectiveUnitFen, below_floor: a.belowFloor ? 1 : 0 })
        .where('id', '=', l.id)
        .execute();
    }
  }
  const t = quoteTotals(amounts);
  const s = await quoteSettings(trx);
  const level = approvalLevel(t, s);
  await trx
    .updateTable('quotes')
    .set({ subtotal_fen: t.subtotalFen, tax_fen: t.taxFen, total_fen: t.totalFen, list_total_fen: t.listTotalFen, discount_bp: t.discountBp, below_floor: t.belowFloor, approval_level: level, updated_at: nowIso() })
    .where('id', '=', quoteId)
    .execute();
}

export type RefError = { field: string; key: 'customer' | 'contact' | 'opportunity' };
export type CreateResult = { ok: true; id: number; number: string } | { ok: false; fields: RefError[] };

/** The customer, contact and deal of a quote must be visible to the viewer and belong together. */
async function checkRefs(trx: Db, viewer: Viewer, input: Pick<QuoteHeaderInput, 'customer_id' | 'contact_id' | 'opportunity_id'>): Promise<RefError[]> {
  const errors: RefError[] = [];
  const customer = await trx.selectFrom('customers as c').select('c.id').where('c.id', '=', input.customer_id).where(scope(viewer, 'customers', { alias: 'c' })).executeTakeFirst();
  if (!customer) errors.push({ field: 'customer_id', key: 'customer' });
  if (input.contact_id !== null) {
    const contact = await trx.selectFrom('contacts').select('id').where('id', '=', input.contact_id).where('customer_id', '=', input.customer_id).executeTakeFirst();
    if (!contact) errors.push({ field: 'contact_id', key: 'contact' });
  }
  if (input.opportunity_id !== null) {
    const deal = await trx
      .selectFrom('opportunities as o')
      .select('o.id')
      .where('o.id', '=', input.opportunity_id)
      .where('o.customer_id', '=', input.customer_id)
      .where(scope(viewer, 'opportunities', { alias: 'o' }))
      .executeTakeFirst();
    if (!deal) errors.push({ field: 'opportunity_id', key: 'opportunity' });
  }
  return errors;
}

const headerValues = (h: QuoteHeaderInput) => ({
  contact_id: h.contact_id,
  quote_date: h.quote_date,
  valid_until: h.valid_until,
  tax_mode: h.tax_mode,
  payment_terms: h.payment_terms,
  delivery_terms: h.delivery_terms,
  warranty_terms: h.warranty_terms,
  notes: h.notes,
});

/** Creates a draft quote (v1) with the next number of its year; the owner is the viewer. */
export async function createQuote(db: Db, viewer: Viewer, ctx: AuditContext, input: QuoteHeaderInput): Promise<CreateResult> {
  return writeTransaction(db, async (trx) => {
    const fields = await checkRefs(trx, viewer, input);
    if (fields.length) return { ok: false, fields };
    const s = await quoteSettings(trx);
    const number = await nextQuoteNumber(trx, s.pattern, input.quote_date);
    const now = nowIso();
    const values = { number, revision: 1, latest: 1, customer_id: input.customer_id, opportunity_id: input.opportunity_id, owner_id: viewer.id, status: 'draft' as const, ...headerValues(input) };
    const { id } = await trx.insertInto('quotes').values({ ...values, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
    await addEvent(trx, id, viewer.id, 'created');
    await audit(trx, ctx, { action: 'create', entity: 'quote', entityId: id, summary: number, changes: diff(null, values) });
    return { ok: true, id, number };
  });
}

export type EditResult = { ok: true } | { ok: false; error: 'notFound' | 'locked' | 'product' } | { ok: false; error: 'invalid'; fields: RefError[] };

/** An edit to a draft (or approved: it returns to draft, its approval void). Sent quotes are revised instead. */
async function editable(trx: Db, viewer: Viewer, id: number) {
  const q = await quoteInScope(trx, viewer, id);
  if (!q) return { error: 'notFound' as const };
  if (!q.latest || !EDITABLE.has(q.status)) return { error: 'locked' as const };
  return { q };
}

async function afterEdit(trx: Db, viewer: Viewer, q: { id: number; status: QuoteStatus }, comment: string): Promise<void> {
  if (q.status === 'approved') {
    await trx.updateTable('quotes').set({ status: 'draft', approved_by: null, approved_at: null }).where('id', '=', q.id).execute();
    await addEvent(trx, q.id, viewer.id, 'edited', comment);
  }
  await recompute(trx, q.id);
}

export async function updateQuoteHeader(db: Db, viewer: Viewer, ctx: AuditContext, id: number, input: QuoteHeaderInput): Promise<EditResult> {
  return writeTransaction(db, async (trx) => {
    const e = await editable(trx, viewer, id);
    if (!e.q) return { ok: false, error: e.error };
    const fields = await checkRefs(trx, viewer, { customer_id: e.q.customer_id, contact_id: input.contact_id, opportunity_id: e.q.opportunity_id });
    if (fields.length) return { ok: false, error: 'invalid', fields };
    const values = headerValues(input);
    const changes = diff(Object.fromEntries(Object.keys(values).map((k) => [k, e.q[k as keyof typeof e.q]])), values);
    if (Object.keys(changes).length === 0) return { ok: true };
    await trx.updateTable('quotes').set({ ...values, updated_at: nowIso() }).where('id', '=', id).execute();
    await afterEdit(trx, viewer, e.q, '');
    await audit(trx, ctx, { action: 'update', entity: 'quote', entityId: id, summary: `${e.q.number} v${e.q.revision}`, changes });
    return { ok: true };
  });
}

/** Adds a line; a product's list and floor price are copied onto it, as they are today. */
export async function addLine(db: Db, viewer: Viewer, ctx: AuditContext, id: number, input: QuoteLineInput): Promise<EditResult> {
  return writeTransaction(db, async (trx) => {
    const e = await editable(trx, viewer, id);
    if (!e.q) return { ok: false, error: e.error };
    let product = null;
    if (input.product_id !== null) {
      product = await trx.selectFrom('products').selectAll().where('id', '=', input.product_id).executeTakeFirst();
      if (!product) return { ok: false, error: 'product' };
    }
    const name = input.name || product?.name || '';
    if (!name) return { ok: false, error: 'product' };
    const last = await trx.selectFrom('quote_lines').select((eb) => eb.fn.max('position').as('p')).where('quote_id', '=', id).executeTakeFirst();
    const values = {
      quote_id: id,
      position: Number(last?.p ?? 0) + 1,
      product_id: product?.id ?? null,
      name,
      spec: input.spec || product?.spec || '',
      unit: input.unit || product?.unit || '',
      quantity_milli: input.quantity,
      unit_price_fen: input.unit_price,
      discount_bp: input.discount,
      tax_rate_bp: input.tax_rate,
      list_price_fen: product?.list_price_fen ?? 0,
      floor_price_fen: product?.floor_price_fen ?? 0,
    };
    await trx.insertInto('quote_lines').values(values).execute();
    await afterEdit(trx, viewer, e.q, name);
    await audit(trx, ctx, { action: 'update', entity: 'quote', entityId: id, summary: `${e.q.number} v${e.q.revision} + ${name}`.slice(0, 200), changes: { line: [null, values] } });
    return { ok: true };
  });
}

/** Changes a line in place (quantity, price, discount, product…); a changed product brings its price book snapshot. */
export async function updateLine(db: Db, viewer: Viewer, ctx: AuditContext, id: number, lineId: number, input: QuoteLineInput): Promise<EditResult> {
  return writeTransaction(db, async (trx) => {
    const e = await editable(trx, viewer, id);
    if (!e.q) return { ok: false, error: e.error };
    const before = await trx.selectFrom('quote_lines').selectAll().where('id', '=', lineId).where('quote_id', '=', id).executeTakeFirst();
    if (!before) return { ok: false, error: 'notFound' };
    let product = null;
    if (input.product_id !== null) {
      product = await trx.selectFrom('products').selectAll().where('id', '=', input.product_id).executeTakeFirst();
      if (!product) return { ok: false, error: 'product' };
    }
    const name = input.name || product?.name || '';
    if (!name) return { ok: false, error: 'product' };
    const sameProduct = (product?.id ?? null) === before.product_id;
    const values = {
      product_id: product?.id ?? null,
      name,
      spec: input.spec || (sameProduct ? '' : product?.spec) || '',
      unit: input.unit || product?.unit || '',
      quantity_milli: input.quantity,
      unit_price_fen: input.unit_price,
      discount_bp: input.discount,
      tax_rate_bp: input.tax_rate,
      list_price_fen: sameProduct ? before.list_price_fen : (product?.list_price_fen ?? 0),
      floor_price_fen: sameProduct ? before.floor_price_fen : (product?.floor_price_fen ?? 0),
    };
    const changes = diff(Object.fromEntries(Object.keys(values).map((k) => [k, before[k as keyof typeof before]])), values);
    if (Object.keys(changes).length === 0) return { ok: true };
    await trx.updateTable('quote_lines').set(values).where('id', '=', lineId).execute();
    await afterEdit(trx, viewer, e.q, name);
    await audit(trx, ctx, { action: 'update', entity: 'quote', entityId: id, summary: `${e.q.number} v${e.q.revision} · ${name}`.slice(0, 200), changes });
    return { ok: true };
  });
}

export async function removeLine(db: Db, viewer: Viewer, ctx: AuditContext, id: number, lineId: number): Promise<EditResult> {
  return writeTransaction(db, async (trx) => {
    const e = await editable(trx, viewer, id);
    if (!e.q) return { ok: false, error: e.error };
    const line = await trx.selectFrom('quote_lines').selectAll().where('id', '=', lineId).where('quote_id', '=', id).executeTakeFirst();
    if (!line) return { ok: false, error: 'notFound' };
    await trx.deleteFrom('quote_lines').where('id', '=', lineId).execute();
    await afterEdit(trx, viewer, e.q, line.name);
    await audit(trx, ctx, { action: 'update', entity: 'quote', entityId: id, summary: `${e.q.number} v${e.q.revision} − ${line.name}`.slice(0, 200), changes: { line: [line, null] } });
    return { ok: true };
  });
}

export type FlowResult = { ok: true } | { ok: false; error: 'notFound' | 'status' | 'noLines' | 'notNeeded' | 'noApprover' | 'notApprover' | 'needsApproval' };

const titleFor = async (trx: Db, userId: number) => {
  const u = await trx.selectFrom('users').select('language').where('id', '=', userId).executeTakeFirst();
  return messages((u?.language ?? 'zh-CN') as Language).quotes;
};

/** Asks for approval: the approver is chosen now (department manager or director) and notified. */
export async function submitForApproval(db: Db, viewer: Viewer, ctx: AuditContext, id: number, comment = ''): Promise<FlowResult> {
  return writeTransaction(db, async (trx) => {
    const q = await quoteInScope(trx, viewer, id);
    if (!q) return { ok: false, error: 'notFound' };
    if (!q.latest || q.status !== 'draft') return { ok: false, error: 'status' };
    const lines = await trx.selectFrom('quote_lines').select('id').where('quote_id', '=', id).limit(1).execute();
    if (!lines.length) return { ok: false, error: 'noLines' };
    if (q.approval_level === '') return { ok: false, error: 'notNeeded' };
    const approver = await findApprover(trx, q.owner_id, q.approval_level as 'manager' | 'director');
    if (!approver) return { ok: false, error: 'noApprover' };
    const now = nowIso();
    await trx.updateTable('quotes').set({ status: 'pending_approval', approver_id: approver.id, approval_level: approver.level, submitted_at: now, updated_at: now }).where('id', '=', id).execute();
    await addEvent(trx, id, viewer.id, 'submitted', comment);
    const t = await titleFor(trx, approver.id);
    await notify(trx, { userId: approver.id, kind: 'approval', title: fill(t.notifySubmitted, { number: `${q.number} v${q.revision}` }), body: comment || null, link: `/quotes/${id}` });
    await audit(trx, ctx, { action: 'update', entity: 'quote', entityId: id, summary: `${q.number} v${q.revision}`, changes: { status: [q.status, 'pending_approval'], approver_id: [q.approver_id, approver.id] } });
    return { ok: true };
  });
}

/** Whether a viewer may decide a pending quote: its approver, or a director / the general manager. */
export const mayDecide = (viewer: Viewer, q: { approver_id: number | null; owner_id: number }): boolean =>
  q.owner_id !== viewer.id && (q.approver_id === viewer.id || seesAllRecords(viewer));

/** Approves or rejects a pending quote, with a comment; rejected goes back to draft. The owner is notified. */
export async function decideApproval(db: Db, viewer: Viewer, ctx: AuditContext, id: number, decision: 'approve' | 'reject', comment: string): Promise<FlowResult> {
  return writeTransaction(db, async (trx) => {
    // One read under the write lock: the quote as its page shows it (the scope rule, or the viewer is its approver).
    const q = await trx.selectFrom('quotes as q').selectAll('q').where('q.id', '=', id).where(visibleQuote(viewer, 'q')).executeTakeFirst();
    if (!q) return { ok: false, error: 'notFound' };
    if (q.status !== 'pending_approval') return { ok: false, error: 'status' };
    if (!mayDecide(viewer, q)) return { ok: false, error: 'notApprover' };
    const now = nowIso();
    const status = decision === 'approve' ? 'approved' : 'draft';
    await trx
      .updateTable('quotes')
      .set(decision === 'approve' ? { status, approved_by: viewer.id, approved_at: now, updated_at: now } : { status, updated_at: now })
      .where('id', '=', id)
      .execute();
    await addEvent(trx, id, viewer.id, decision === 'approve' ? 'approved' : 'approval_rejected', comment);
    const t = await titleFor(trx, q.owner_id);
    await notify(trx, { userId: q.owner_id, kind: 'approval', title: fill(decision === 'approve' ? t.notifyApproved : t.notifyRejected, { number: `${q.number} v${q.revision}`, name: viewer.displayName }), body: comment || null, link: `/quotes/${id}` });
    await audit(trx, ctx, { action: 'update', entity: 'quote', entityId: id, summary: `${q.number} v${q.revision}: ${decision}`, changes: { status: [q.status, status] } });
    return { ok: true };
  });
}

export type SendError = 'status' | 'noLines' | 'needsApproval';
export type SendResult = { ok: true; mailed: boolean } | { ok: false; error: 'notFound' | 'changed' | SendError };

/**
 * Why a quote may not be sent now, or null when it may: the newest revision, with lines, approved or a draft that needs
 * no approval. The one rule: the route checks it before rendering the PDF, the sending transaction again under the
 * write lock, and the quote page shows the send button by it.
 */
export function sendRefusal(q: { latest: number; status: QuoteStatus; approval_level: string }, lineCount: number): SendError | null {
  if (!q.latest) return 'status';
  if (lineCount === 0) return 'noLines';
  if (q.status === 'draft' && q.approval_level !== '') return 'needsApproval';
  if (q.status === 'pending_approval') return 'needsApproval';
  if (q.status !== 'approved' && q.status !== 'draft') return 'status';
  return null;
}

/**
 * Sends an approved quote (or a draft that needs no approval): marks it sent and, when the contact has an e-mail
 * address, queues a mail with the PDF attached in the same transaction. A quote that needs approval and has not
 * got it cannot be sent. The PDF is rendered before this transaction (not while holding the write lock) from the quote
 * as it was at `mail.quoteUpdatedAt`; a quote changed since then is not sent with a PDF that no longer shows it.
 */
export async function sendQuote(
  db: Db,
  viewer: Viewer,
  ctx: AuditContext,
  id: number,
  mail: { pdf: Buffer; filename: string; subject: string; text: string; quoteUpdatedAt: string } | null,
): Promise<SendResult> {
  return writeTransaction(db, async (trx) => {
    const q = await quoteInScope(trx, viewer, id);
    if (!q) return { ok: false, error: 'notFound' };
    const lines = await trx.selectFrom('quote_lines').select('id').where('quote_id', '=', id).limit(1).execute();
    const refusal = sendRefusal(q, lines.length);
    if (refusal) return { ok: false, error: refusal };
    if (mail && mail.quoteUpdatedAt !== q.updated_at) return { ok: false, error: 'changed' };
    const contact = q.contact_id ? await trx.selectFrom('contacts').select(['name', 'email']).where('id', '=', q.contact_id).executeTakeFirst() : undefined;
    let mailed = false;
    if (mail && contact?.email) {
      await enqueueMail(trx, { to: contact.email, toName: contact.name, subject: mail.subject, text: mail.text, attachments: [{ filename: mail.filename, contentType: 'application/pdf', content: mail.pdf }], userId: null });
      mailed = true;
    }
    const now = nowIso();
    await trx.updateTable('quotes').set({ status: 'sent', sent_at: now, updated_at: now }).where('id', '=', id).execute();
    await addEvent(trx, id, viewer.id, 'sent', mailed && contact ? contact.email : '');
    await audit(trx, ctx, { action: 'update', entity: 'quote', entityId: id, summary: `${q.number} v${q.revision}`, changes: { status: [q.status, 'sent'] } });
    return { ok: true, mailed };
  });
}

/** The deal's side of an accepted quote with "close the deal as won": closed, or what advancement refused. */
export type DealClosing = { ok: true } | Exclude<AdvanceResult, { ok: true }>;
export type OutcomeResult = { ok: true; closeDeal: DealClosing | null } | { ok: false; error: 'notFound' | 'status' };

/**
 * Records the customer's answer to a sent quote. Accepted with `closeWon`, in the same transaction: the open deal is
 * closed as won at the quote's total through the opportunities feature's own command (the amount as an edit writes
 * it, then advancement with its stage history, tasks, rollup, totals, audit entries and risk fields).
 * The customer's answer is a fact of its own: when advancement refuses the win (an unmet exit criterion…), the answer
 * is still recorded, the deal is left exactly as it was (its amount too), and `closeDeal` says why, for the page to
 * show. Any failure while writing rolls back everything, the answer included. `closeDeal` is null when no win was
 * asked, or there is no open deal the viewer sees to close (as before: the answer alone is recorded).
 */
export async function recordOutcome(
  db: Db,
  viewer: Viewer,
  ctx: AuditContext,
  id: number,
  outcome: 'accepted' | 'rejected',
  opts: { closeWon: boolean; closeReasonLabel?: string; comment?: string },
): Promise<OutcomeResult> {
  return writeTransaction(db, async (trx) => {
    const q = await quoteInScope(trx, viewer, id);
    if (!q) return { ok: false, error: 'notFound' };
    if (!q.latest || q.status !== 'sent') return { ok: false, error: 'status' };
    const now = nowIso();
    await trx.updateTable('quotes').set({ status: outcome, closed_at: now, updated_at: now }).where('id', '=', id).execute();
    await addEvent(trx, id, viewer.id, outcome, opts.comment ?? '');
    await audit(trx, ctx, { action: 'update', entity: 'quote', entityId: id, summary: `${q.number} v${q.revision}`, changes: { status: [q.status, outcome] } });
    if (!(outcome === 'accepted' && opts.closeWon && q.opportunity_id)) return { ok: true, closeDeal: null };
    const reason = `${opts.closeReasonLabel ?? ''} ${q.number}`.trim();
    const won = await winOpportunityIn(trx, viewer, ctx, q.opportunity_id, { amountFen: q.total_fen, source: q.number, reason });
    // Not found (outside the scope, no won stage) or already closed: there was no open deal to close.
    if (!won.ok && (won.error === 'notFound' || won.error === 'closed')) return { ok: true, closeDeal: null };
    return { ok: true, closeDeal: won };
  });
}

export type ReviseResult = { ok: true; id: number; revision: number } | { ok: false; error: 'notFound' | 'status' };

/**
 * A change to a quote that was sent: a new revision (v2, v3…) with the same number, as a draft with the same lines.
 * The previous revision stays exactly as sent, read-only, in the history.
 */
export async function reviseQuote(db: Db, viewer: Viewer, ctx: AuditContext, id: number): Promise<ReviseResult> {
  return writeTransaction(db, async (trx) => {
    const q = await quoteInScope(trx, viewer, id);
    if (!q) return { ok: false, error: 'notFound' };
    if (!q.latest || !REVISABLE.has(q.status)) return { ok: false, error: 'status' };
    const now = nowIso();
    const { id: _id, created_at: _c, updated_at: _u, ...rest } = q;
    const revision = q.revision + 1;
    // The new revision is dated today (company time zone) and valid for as long as the one it replaces.
    const { timeZone } = await quoteSettings(trx);
    const today = localDate(new Date(), timeZone);
    const DAY = 86_400_000;
    const span = Math.max(0, Math.round((Date.parse(`${q.valid_until}T00:00:00Z`) - Date.parse(`${q.quote_date}T00:00:00Z`)) / DAY));
    const quoteDate = today > q.quote_date ? today : q.quote_date;
    const validUntil = new Date(Date.parse(`${quoteDate}T00:00:00Z`) + span * DAY).toISOString().slice(0, 10);
    const { id: newId } = await trx
      .insertInto('quotes')
      .values({
        ...rest,
        revision,
        latest: 1,
        status: 'draft',
        quote_date: quoteDate,
        valid_until: validUntil,
        approver_id: null,
        approved_by: null,
        approved_at: null,
        submitted_at: null,
        sent_at: null,
        closed_at: null,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx.updateTable('quotes').set({ latest: 0 }).where('id', '=', id).execute();
    const lines = await trx.selectFrom('quote_lines').selectAll().where('quote_id', '=', id).orderBy('position').execute();
    for (const { id: _lineId, ...line } of lines) await trx.insertInto('quote_lines').values({ ...line, quote_id: newId }).execute();
    await addEvent(trx, newId, viewer.id, 'revised', `v${q.revision} → v${revision}`);
    await addEvent(trx, id, viewer.id, 'revised', `v${q.revision} → v${revision}`);
    await recompute(trx, newId);
    await audit(trx, ctx, { action: 'create', entity: 'quote', entityId: newId, summary: `${q.number} v${revision}`, changes: { revision: [q.revision, revision] } });
    return { ok: true, id: newId, revision };
  });
}

/** Company quote settings (directors and administrators). */
export async function saveQuoteSettings(db: Db, ctx: AuditContext, input: QuoteSettingsInput): Promise<void> {
  await writeTransaction(db, async (trx) => {
    const before = await trx
      .selectFrom('company')
      .select(['quote_number_pattern', 'quote_manager_threshold_bp', 'quote_director_threshold_bp', 'quote_validity_days', 'quote_payment_terms', 'quote_delivery_terms', 'quote_warranty_terms'])
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    const values = {
      quote_number_pattern: input.quote_number_pattern,
      quote_manager_threshold_bp: input.manager_threshold,
      quote_director_threshold_bp: input.director_threshold,
      quote_validity_days: input.quote_validity_days,
      quote_payment_terms: input.quote_payment_terms,
      quote_delivery_terms: input.quote_delivery_terms,
      quote_warranty_terms: input.quote_warranty_terms,
    };
    const changes = diff(before, values);
    if (Object.keys(changes).length === 0) return;
    await trx.updateTable('company').set({ ...values, updated_at: nowIso() }).where('id', '=', 1).execute();
    await audit(trx, ctx, { action: 'update', entity: 'company', entityId: 1, summary: 'quote settings', changes });
  });
}
