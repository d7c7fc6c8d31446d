import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, smallOrg, testApp, type Client, type TestApp } from '../helpers/app.ts';
import { newCustomer } from '../helpers/customers.ts';
import { newContact } from '../helpers/contacts.ts';
import { checkAllCriteria, dealTotalsFromDeals, demoPipeline, newOpportunity } from '../helpers/opportunities.ts';
import { addLineAs, createQuoteAs, newProduct, quoteRow } from '../helpers/quotes.ts';
import { expireOverdueQuotes } from '../../src/features/quotes/expiry.ts';
import { writeTransaction } from '../../src/db/index.ts';
import { nextQuoteNumber } from '../../src/features/quotes/numbering.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof smallOrg>>;
let rep1: Client;
let rep3: Client;
let manager1: Client;
let manager2: Client;
let director: Client;
let customer1: { id: number };
let customer3: { id: number };
let contact1: number;
let server: { id: number };
let service: { id: number };

beforeAll(async () => {
  t = await testApp();
  org = await smallOrg(t.db);
  // manager1 runs 华东销售部 (rep1's department and rep2's parent); the director sits in 销售中心 above.
  await t.db.updateTable('departments').set({ manager_id: org.users.manager1.id }).where('id', '=', org.departments.east.id).execute();
  await t.db.updateTable('departments').set({ manager_id: org.users.manager2.id }).where('id', '=', org.departments.south.id).execute();
  customer1 = await newCustomer(t.db, { owner: org.users.rep1, name: '杭州西溪制造有限公司' });
  customer3 = await newCustomer(t.db, { owner: org.users.rep3, name: '深圳南山电子有限公司' });
  contact1 = await newContact(t.db, { owner: org.users.rep1.id, customerId: customer1.id, name: '王经理', email: 'wang@example.com' });
  server = await newProduct(t.db, { code: 'SRV-01', name: '机架式服务器 R740（双路至强金牌 6330，512GB 内存，8×1.92TB SSD）', spec: '2U / 双电源', listFen: 12_000_000, floorFen: 10_000_000 });
  service = await newProduct(t.db, { code: 'SVC-01', name: '现场实施服务', unit: '人天', listFen: 300_000, floorFen: 0, taxBp: 600 });
  rep1 = await signIn(t.app, 'rep1');
  rep3 = await signIn(t.app, 'rep3');
  manager1 = await signIn(t.app, 'manager1');
  manager2 = await signIn(t.app, 'manager2');
  director = await signIn(t.app, 'director');
});
afterAll(async () => t.close());

const pdfText = (buf: Buffer): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quote-pdf-'));
  const file = path.join(dir, 'q.pdf');
  fs.writeFileSync(file, buf);
  try {
    return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};

describe('the scope on the quote form', () => {
  it("shows another rep's customer and its contacts to nobody outside the scope: 404 on the form, nothing echoed on a refused save", async () => {
    await newContact(t.db, { owner: org.users.rep3.id, customerId: customer3.id, name: '南山联系人', email: 'nanshan@example.com' });
    expect((await rep1.get(`/quotes/new?customer_id=${customer3.id}`)).statusCode).toBe(404);
    const res = await rep1.post('/quotes', { customer_id: String(customer3.id), quote_date: '2026-11-27', valid_until: '2026-12-27', tax_mode: 'inclusive', contact_id: '', opportunity_id: '' });
    expect(res.statusCode).toBe(422);
    expect(res.body).not.toContain('深圳南山电子有限公司');
    expect(res.body).not.toContain('nanshan@example.com');
    // Its owner sees the form with the customer and the contact.
    const own = await rep3.get(`/quotes/new?customer_id=${customer3.id}`);
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('深圳南山电子有限公司');
    expect(own.body).toContain('南山联系人');
  });
});

describe('numbering', () => {
  it('numbers quotes from the pattern, per year, without gaps, and gives a rolled-back number back', async () => {
    const a = await createQuoteAs(rep1, { customer_id: String(customer1.id) });
    const b = await createQuoteAs(rep1, { customer_id: String(customer1.id) });
    const [qa, qb] = [await quoteRow(t.db, a), await quoteRow(t.db, b)];
    expect(qa.number).toMatch(/^BJ-2026-\d{4}$/);
    expect(Number(qb.number.slice(-4))).toBe(Number(qa.number.slice(-4)) + 1);
    // A transaction that fails after taking a number does not burn it.
    await expect(
      writeTransaction(t.db, async (trx) => {
        await nextQuoteNumber(trx, 'BJ-{YYYY}-{####}', '2026-11-27');
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    const c = await createQuoteAs(rep1, { customer_id: String(customer1.id) });
    expect(Number((await quoteRow(t.db, c)).number.slice(-4))).toBe(Number(qb.number.slice(-4)) + 1);
    // Another year starts at 0001.
    const d = await createQuoteAs(rep1, { customer_id: String(customer1.id), quote_date: '2027-01-04', valid_until: '2027-02-04' });
    expect((await quoteRow(t.db, d)).number).toBe('BJ-2027-0001');
  });

  it('from the quote list, asks for the customer first (only customers the rep may see)', async () => {
    const list = await rep1.get('/quotes');
    expect(list.body).toContain('href="/quotes/new"');
    const pick = await rep1.get('/quotes/new');
    expect(pick.statusCode).toBe(200);
    expect(pick.body).toContain(`<option value="${customer1.id}">杭州西溪制造有限公司</option>`);
    expect(pick.body).not.toContain('深圳南山电子有限公司');
    expect((await rep1.get(`/quotes/new?customer_id=${customer1.id}`)).body).toContain('id="quote-form"');
  });

  it('refuses a customer the rep does not own (422), and a contact of another customer', async () => {
    const res = await rep1.post('/quotes', { customer_id: String(customer3.id), quote_date: '2026-11-27', valid_until: '2026-12-27', tax_mode: 'inclusive' });
    expect(res.statusCode).toBe(422);
    const other = await newContact(t.db, { owner: org.users.rep3.id, customerId: customer3.id });
    const res2 = await rep1.post('/quotes', { customer_id: String(customer1.id), contact_id: String(other), quote_date: '2026-11-27', valid_until: '2026-12-27', tax_mode: 'inclusive' });
    expect(res2.statusCode).toBe(422);
  });
});

describe('lines, totals and approval routing', () => {
  it('computes totals in fen from the lines (mixed tax rates) and needs no approval at list price', async () => {
    const id = await createQuoteAs(rep1, { customer_id: String(customer1.id), contact_id: String(contact1) });
    await addLineAs(rep1, id, { product_id: String(server.id), quantity: '2', unit_price: '120000', tax_rate: '13' });
    await addLineAs(rep1, id, { product_id: String(service.id), quantity: '0.5', unit_price: '3000', tax_rate: '6' });
    const q = await quoteRow(t.db, id);
    // 2 × 120,000.00 = 240,000.00 (net 212,389.38, tax 27,610.62); 0.5 × 3,000 = 1,500.00 (net 1,415.09, tax 84.91)
    expect(q.total_fen).toBe(24_150_000);
    expect(q.subtotal_fen).toBe(21_238_938 + 141_509);
    expect(q.tax_fen).toBe(2_761_062 + 8_491);
    expect(q.approval_level).toBe('');
    // A line is edited in place: 0.5 → 1.5 人天 of service adds 3,000.00; the form opens with the line's values.
    const service1 = await t.db.selectFrom('quote_lines').select('id').where('quote_id', '=', id).where('position', '=', 2).executeTakeFirstOrThrow();
    const form = await rep1.get(`/quotes/${id}/line-form?line_id=${service1.id}`, { 'hx-request': 'true', 'hx-target': 'line-form' });
    expect(form.body).toContain('value="0.5"');
    expect(form.body).toContain(`/quotes/${id}/lines/${service1.id}`);
    expect((await rep1.post(`/quotes/${id}/lines/${service1.id}`, { product_id: String(service.id), name: '现场实施服务', spec: '', unit: '人天', quantity: '1.5', unit_price: '3000', discount: '', tax_rate: '6' })).statusCode).toBe(303);
    expect((await quoteRow(t.db, id)).total_fen).toBe(24_450_000);
    expect((await rep3.post(`/quotes/${id}/lines/${service1.id}`, { name: 'x', quantity: '1', unit_price: '1', tax_rate: '6' })).statusCode).toBe(404);
    // The htmx add returns the lines fragment only.
    const frag = await rep1.post(`/quotes/${id}/lines`, { product_id: String(service.id), quantity: '1', unit_price: '3000', discount: '', tax_rate: '6' }, { headers: { 'hx-request': 'true', 'hx-target': 'quote-lines' } });
    expect(frag.statusCode).toBe(200);
    expect(frag.body).toContain('id="quote-lines"');
    expect(frag.body).not.toContain('<html');
    // An emptied tax rate is refused beside the field, never taken as 0% VAT; the form keeps what was typed.
    const before = (await quoteRow(t.db, id)).total_fen;
    const noTax = await rep1.post(`/quotes/${id}/lines`, { product_id: String(service.id), quantity: '2', unit_price: '3000', discount: '', tax_rate: '' });
    expect(noTax.statusCode).toBe(422);
    expect(noTax.body).toMatch(/id="f-tax_rate"[^>]*aria-invalid="true"/);
    expect(noTax.body).toContain('此项为必填');
    expect((await quoteRow(t.db, id)).total_fen).toBe(before);
  });

  it('routes a price below the floor to the department manager, and a deep discount to the director', async () => {
    const below = await createQuoteAs(rep1, { customer_id: String(customer1.id) });
    await addLineAs(rep1, below, { product_id: String(server.id), quantity: '1', unit_price: '99000' });
    expect((await quoteRow(t.db, below)).approval_level).toBe('manager');
    expect((await rep1.post(`/quotes/${below}/approval-request`)).statusCode).toBe(303);
    let q = await quoteRow(t.db, below);
    expect(q.status).toBe('pending_approval');
    expect(q.approver_id).toBe(org.users.manager1.id);

    const deep = await createQuoteAs(rep1, { customer_id: String(customer1.id) });
    await addLineAs(rep1, deep, { product_id: String(service.id), quantity: '10', unit_price: '3000', discount: '25' });
    expect((await quoteRow(t.db, deep)).approval_level).toBe('director');
    await rep1.post(`/quotes/${deep}/approval-request`);
    q = await quoteRow(t.db, deep);
    expect(q.approver_id).toBe(org.users.director.id);

    // rep2 sits in 上海组 (no manager): the manager of the department above (manager1) approves.
    const rep2 = await signIn(t.app, 'rep2');
    const customer2 = await newCustomer(t.db, { owner: org.users.rep2 });
    const sub = await createQuoteAs(rep2, { customer_id: String(customer2.id) });
    await addLineAs(rep2, sub, { product_id: String(server.id), quantity: '1', unit_price: '99000' });
    await rep2.post(`/quotes/${sub}/approval-request`);
    expect((await quoteRow(t.db, sub)).approver_id).toBe(org.users.manager1.id);
  });

  it('shows the approval in the approver’s to-do list; only the approver (or a director) decides; rejecting needs a comment', async () => {
    const id = await createQuoteAs(rep1, { customer_id: String(customer1.id) });
    await addLineAs(rep1, id, { product_id: String(server.id), quantity: '1', unit_price: '99000' });
    await rep1.post(`/quotes/${id}/approval-request`);
    const number = (await quoteRow(t.db, id)).number;
    const home = await manager1.get('/');
    expect(home.body, home.body.slice(0, 3000)).toContain('id="quote-approvals"');
    expect(home.body).toContain(number);
    expect((await manager2.get('/')).body).not.toContain(number);
    // manager2 (another department) cannot see it, let alone decide.
    expect((await manager2.post(`/quotes/${id}/approval`, { decision: 'approve', comment: '' })).statusCode).toBe(404);
    expect((await rep1.post(`/quotes/${id}/approval`, { decision: 'approve', comment: '' })).statusCode).toBe(303);
    expect((await quoteRow(t.db, id)).status).toBe('pending_approval');
    expect((await manager1.post(`/quotes/${id}/approval`, { decision: 'reject', comment: '' })).statusCode).toBe(422);
    expect((await manager1.post(`/quotes/${id}/approval`, { decision: 'reject', comment: '价格太低，请重新核算' })).statusCode).toBe(303);
    expect((await quoteRow(t.db, id)).status).toBe('draft');
    await rep1.post(`/quotes/${id}/approval-request`);
    expect((await manager1.post(`/quotes/${id}/approval`, { decision: 'approve', comment: '同意，战略客户' })).statusCode).toBe(303);
    const q = await quoteRow(t.db, id);
    expect(q.status).toBe('approved');
    expect(q.approved_by).toBe(org.users.manager1.id);
    const page = await rep1.get(`/quotes/${id}`);
    expect(page.body).toContain('价格太低，请重新核算');
    expect(page.body).toContain('同意，战略客户');
    const events = await t.db.selectFrom('quote_events').select('kind').where('quote_id', '=', id).orderBy('id').execute();
    expect(events.map((e) => e.kind)).toEqual(['created', 'submitted', 'approval_rejected', 'submitted', 'approved']);
    // The owner was notified of each decision.
    const notes = await t.db.selectFrom('notifications').select(['title']).where('user_id', '=', org.users.rep1.id).execute();
    expect(notes.some((n) => n.title.includes(number))).toBe(true);
  });

  it('lets an approver outside the owner’s scope decide (read once, as the quote page shows it), and only once', async () => {
    const id = await createQuoteAs(rep1, { customer_id: String(customer1.id) });
    await addLineAs(rep1, id, { product_id: String(server.id), quantity: '1', unit_price: '99000' });
    await rep1.post(`/quotes/${id}/approval-request`);
    // The approver moved on and manager2 (another department) was asked instead: not in rep1's scope, but the approver.
    await t.db.updateTable('quotes').set({ approver_id: org.users.manager2.id }).where('id', '=', id).execute();
    expect((await rep3.post(`/quotes/${id}/approval`, { decision: 'approve', comment: '' })).statusCode).toBe(404);
    expect((await manager2.post(`/quotes/${id}/approval`, { decision: 'approve', comment: '同意' })).statusCode).toBe(303);
    expect(await quoteRow(t.db, id)).toMatchObject({ status: 'approved', approved_by: org.users.manager2.id });
    // Decided: a second decision is refused with the status message, and changes nothing.
    expect((await manager2.post(`/quotes/${id}/approval`, { decision: 'reject', comment: '再看看' })).statusCode).toBe(303);
    expect((await manager2.get(`/quotes/${id}`)).body).toContain('当前状态不能进行此操作');
    expect(await quoteRow(t.db, id)).toMatchObject({ status: 'approved', approved_by: org.users.manager2.id });
    const events = await t.db.selectFrom('quote_events').select('kind').where('quote_id', '=', id).orderBy('id').execute();
    expect(events.map((e) => e.kind)).toEqual(['created', 'submitted', 'approved']);
  });
});

describe('sending, revisions and outcome', () => {
  it('refuses to send an unapproved quote that needs approval', async () => {
    const id = await createQuoteAs(rep1, { customer_id: String(customer1.id) });
    await addLineAs(rep1, id, { product_id: String(server.id), quantity: '1', unit_price: '90000' });
    await rep1.post(`/quotes/${id}/sending`);
    expect((await quoteRow(t.db, id)).status).toBe('draft');
    await rep1.post(`/quotes/${id}/approval-request`);
    await rep1.post(`/quotes/${id}/sending`);
    expect((await quoteRow(t.db, id)).status).toBe('pending_approval');
    expect((await quoteRow(t.db, id)).sent_at).toBeNull();
  });

  it('sends with the PDF mailed to the contact, never edits a sent quote, and revises it as v2 keeping v1', async () => {
    const id = await createQuoteAs(rep1, { customer_id: String(customer1.id), contact_id: String(contact1) });
    await addLineAs(rep1, id, { product_id: String(server.id), quantity: '1', unit_price: '120000' });
    expect((await rep1.post(`/quotes/${id}/sending`)).statusCode).toBe(303);
    const sent = await quoteRow(t.db, id);
    expect(sent.status).toBe('sent');
    expect(sent.sent_at).not.toBeNull();
    const mail = await t.db.selectFrom('mail_messages').selectAll().where('to_address', '=', 'wang@example.com').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(mail.subject).toContain(sent.number);
    const att = await t.db.selectFrom('mail_attachments').selectAll().where('mail_id', '=', mail.id).executeTakeFirstOrThrow();
    expect(att.content_type).toBe('application/pdf');
    expect(pdfText(att.content as Buffer)).toContain(sent.number);

    // A sent quote is never edited.
    await rep1.post(`/quotes/${id}/lines`, { product_id: String(service.id), quantity: '1', unit_price: '3000', tax_rate: '6' });
    expect(await t.db.selectFrom('quote_lines').select('id').where('quote_id', '=', id).execute()).toHaveLength(1);
    // A change is a new revision.
    const res = await rep1.post(`/quotes/${id}/revisions`);
    const v2 = Number(/\/quotes\/(\d+)/.exec(String(res.headers.location))?.[1]);
    expect((await rep1.get(`/quotes/${v2}`)).body).toContain('已生成新版本 v2');
    const [old, neu] = [await quoteRow(t.db, id), await quoteRow(t.db, v2)];
    expect(neu).toMatchObject({ number: sent.number, revision: 2, latest: 1, status: 'draft', total_fen: sent.total_fen });
    expect(old).toMatchObject({ revision: 1, latest: 0, status: 'sent' });
    await addLineAs(rep1, v2, { product_id: String(service.id), quantity: '2', unit_price: '3000', tax_rate: '6' });
    expect((await quoteRow(t.db, v2)).total_fen).toBe(sent.total_fen + 600_000);
    expect((await quoteRow(t.db, id)).total_fen).toBe(sent.total_fen);
    const page = await rep1.get(`/quotes/${v2}`);
    expect(page.body).toContain(`href="/quotes/${id}">v1</a>`);
    // Only the newest revision shows in the list.
    const list = await rep1.get('/quotes');
    expect(list.body.split(sent.number).length - 1).toBe(1);
  });

  it('dates a new revision today, valid for as long as the revision it replaces', async () => {
    // (Valid past the nightly check's dates below, so the sent v1 does not expire there.)
    const id = await createQuoteAs(rep1, { customer_id: String(customer1.id), quote_date: '2026-11-02', valid_until: '2027-01-01' });
    await addLineAs(rep1, id, { product_id: String(service.id), quantity: '1', unit_price: '3000', tax_rate: '6' });
    await rep1.post(`/quotes/${id}/sending`);
    const res = await rep1.post(`/quotes/${id}/revisions`);
    const v2 = await quoteRow(t.db, Number(/\/quotes\/(\d+)/.exec(String(res.headers.location))?.[1]));
    const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    expect(v2.quote_date).toBe(today > '2026-11-02' ? today : '2026-11-02');
    expect((Date.parse(v2.valid_until) - Date.parse(v2.quote_date)) / 86_400_000).toBe(60);
    expect((await quoteRow(t.db, id)).quote_date).toBe('2026-11-02');
  });

  /** The demo pipelines, seeded once for this file's database. */
  let demoSeeded: Awaited<ReturnType<typeof demoPipeline>> | undefined;
  const demoOnce = async () => (demoSeeded ??= await demoPipeline(t.db));

  it('accepting can close the deal as won with the quote’s total', async () => {
    const demo = await demoOnce();
    const stage = demo.stages.find((s) => s.kind === 'open' && s.sort_order === Math.max(...demo.stages.filter((x) => x.kind === 'open').map((x) => x.sort_order)));
    if (!stage) throw new Error('no open stage');
    const deal = await newOpportunity(t.db, { owner: org.users.rep1, customer: customer1, pipelineId: demo.pipelineId, stage, amountFen: 5_000_000 });
    // Exit criteria of the last open stage must be checked before winning.
    const criteria = await t.db.selectFrom('stage_exit_criteria').select('id').where('stage_id', '=', stage.id).execute();
    for (const c of criteria) await t.db.insertInto('opportunity_criteria_checks').values({ opportunity_id: deal.id, criterion_id: c.id, checked_by: org.users.rep1.id, checked_at: new Date().toISOString() }).execute();
    const dealPage = await rep1.get(`/opportunities/${deal.id}`);
    expect(dealPage.body).toContain(`/quotes/new?opportunity_id=${deal.id}`);
    const form = await rep1.get(`/quotes/new?opportunity_id=${deal.id}`);
    expect(form.statusCode).toBe(200);
    const id = await createQuoteAs(rep1, { customer_id: String(customer1.id), opportunity_id: String(deal.id) });
    await addLineAs(rep1, id, { product_id: String(server.id), quantity: '1', unit_price: '118000' });
    await rep1.post(`/quotes/${id}/sending`);
    await rep1.post(`/quotes/${id}/outcome`, { outcome: 'accepted', close_won: '1' });
    expect((await quoteRow(t.db, id)).status).toBe('accepted');
    expect((await rep1.get(`/quotes/${id}`)).body).toContain('报价单已接受，商机已关闭为赢单');
    const d = await t.db.selectFrom('opportunities').selectAll().where('id', '=', deal.id).executeTakeFirstOrThrow();
    expect(d.status).toBe('won');
    expect(d.amount_fen).toBe(11_800_000);
    // The new amount and the won stage reached the board's and the overview's summary.
    const totals = await dealTotalsFromDeals(t.db);
    expect(totals.summary).toEqual(totals.fromDeals);
    // As an edit and then an advancement would leave it: the win is recorded at the quote's total, the amount change
    // and the stage move each have their audit entry, and a won deal carries no risk.
    const won = await t.db.selectFrom('opportunity_stage_history').selectAll().where('opportunity_id', '=', deal.id).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(won).toMatchObject({ from_stage_id: stage.id, amount_fen: 11_800_000 });
    const entries = await t.db.selectFrom('audit_log').select(['summary', 'changes']).where('entity', '=', 'opportunity').where('entity_id', '=', deal.id).orderBy('id').execute();
    expect(entries.map((e) => Object.keys(JSON.parse(e.changes) as object).sort())).toEqual([['amount_fen'], ['close_reason', 'closed_at', 'probability', 'stage_id', 'status']]);
    expect(entries[0]?.summary).toContain((await quoteRow(t.db, id)).number);
    expect(d.risk_at).toBeNull();
  });

  /** A deal in the last open stage of the demo pipeline, its exit criteria checked or not, and a sent quote for it. */
  async function sentQuoteForDeal(opts: { criteriaChecked: boolean }) {
    const demo = await demoOnce();
    const open = demo.stages.filter((s) => s.kind === 'open');
    const stage = open[open.length - 1]!;
    const deal = await newOpportunity(t.db, { owner: org.users.rep1, customer: customer1, pipelineId: demo.pipelineId, stage, amountFen: 5_000_000 });
    if (opts.criteriaChecked) await checkAllCriteria(t.db, deal.id, stage.id, org.users.rep1.id);
    const id = await createQuoteAs(rep1, { customer_id: String(customer1.id), opportunity_id: String(deal.id) });
    await addLineAs(rep1, id, { product_id: String(server.id), quantity: '1', unit_price: '118000' });
    expect((await rep1.post(`/quotes/${id}/sending`)).statusCode).toBe(303);
    expect((await quoteRow(t.db, id)).status).toBe('sent');
    return { id, deal, stage };
  }

  /** Everything a deal's write touches: the row, its stage history, its tasks, its audit entries. */
  const dealState = async (dealId: number) => ({
    deal: await t.db.selectFrom('opportunities').selectAll().where('id', '=', dealId).executeTakeFirstOrThrow(),
    history: await t.db.selectFrom('opportunity_stage_history').selectAll().where('opportunity_id', '=', dealId).orderBy('id').execute(),
    tasks: await t.db.selectFrom('activities').select('id').where('opportunity_id', '=', dealId).execute(),
    audit: await t.db.selectFrom('audit_log').select(['id', 'changes']).where('entity', '=', 'opportunity').where('entity_id', '=', dealId).execute(),
  });

  it('accepting with a win the deal refuses (an unmet exit criterion) records the acceptance, says why, and leaves the deal untouched', async () => {
    const { id, deal } = await sentQuoteForDeal({ criteriaChecked: false });
    const before = await dealState(deal.id);
    const res = await rep1.post(`/quotes/${id}/outcome`, { outcome: 'accepted', close_won: '1' });
    expect(res.statusCode).toBe(303);
    // The customer's answer is a fact of its own: it is recorded, and the page says the deal was not closed and why.
    expect((await quoteRow(t.db, id)).status).toBe('accepted');
    const page = await rep1.get(`/quotes/${id}`);
    expect(page.body).toContain('报价单已接受，但商机未能关闭');
    expect(page.body).toContain('价格与付款条件达成一致');
    // Closing the deal at the quote's total is one step: refused, the amount is not changed either.
    expect(await dealState(deal.id)).toEqual(before);
    expect(before.deal.amount_fen).toBe(5_000_000);
    const totals = await dealTotalsFromDeals(t.db);
    expect(totals.summary).toEqual(totals.fromDeals);
  });

  it('accepting with a win that fails midway writes nothing: the quote stays sent, the deal as it was', async () => {
    const { id, deal } = await sentQuoteForDeal({ criteriaChecked: true });
    const before = await dealState(deal.id);
    const quoteBefore = await quoteRow(t.db, id);
    const quoteAudit = () => t.db.selectFrom('audit_log').select('id').where('entity', '=', 'quote').where('entity_id', '=', id).execute();
    const auditBefore = await quoteAudit();
    // The stage move fails after the outcome and the new amount were written (as a full disk or a bug would).
    t.sqlite.exec(`create trigger test_fail_win before insert on opportunity_stage_history when new.opportunity_id = ${deal.id} begin select raise(abort, 'forced failure'); end`);
    try {
      expect((await rep1.post(`/quotes/${id}/outcome`, { outcome: 'accepted', close_won: '1' })).statusCode).toBe(500);
    } finally {
      t.sqlite.exec('drop trigger test_fail_win');
    }
    expect(await quoteRow(t.db, id)).toEqual(quoteBefore);
    expect(await quoteAudit()).toEqual(auditBefore);
    const events = await t.db.selectFrom('quote_events').select('kind').where('quote_id', '=', id).execute();
    expect(events.map((e) => e.kind)).not.toContain('accepted');
    expect(await dealState(deal.id)).toEqual(before);
    const totals = await dealTotalsFromDeals(t.db);
    expect(totals.summary).toEqual(totals.fromDeals);
    // Once the failure is gone, the same answer goes through.
    expect((await rep1.post(`/quotes/${id}/outcome`, { outcome: 'accepted', close_won: '1' })).statusCode).toBe(303);
    expect((await t.db.selectFrom('opportunities').select(['status', 'amount_fen']).where('id', '=', deal.id).executeTakeFirstOrThrow())).toEqual({ status: 'won', amount_fen: 11_800_000 });
  });

  it('expires sent quotes past their validity (the nightly check)', async () => {
    const id = await createQuoteAs(rep1, { customer_id: String(customer1.id), quote_date: '2026-10-01', valid_until: '2026-10-31' });
    await addLineAs(rep1, id, { product_id: String(service.id), quantity: '1', unit_price: '3000', tax_rate: '6' });
    await rep1.post(`/quotes/${id}/sending`);
    expect(await expireOverdueQuotes(t.db, new Date('2026-10-31T12:00:00Z'))).toBe(0);
    expect(await expireOverdueQuotes(t.db, new Date('2026-11-01T12:00:00Z'))).toBeGreaterThanOrEqual(1);
    expect((await quoteRow(t.db, id)).status).toBe('expired');
  });
});

describe('the PDF', () => {
  it('contains the number, customer, every line, the totals and the capital numerals; fonts embedded as a subset', async () => {
    const id = await createQuoteAs(rep1, { customer_id: String(customer1.id), contact_id: String(contact1), payment_terms: '合同签订后 7 日内支付 30% 预付款' });
    await addLineAs(rep1, id, { product_id: String(server.id), quantity: '1', unit_price: '120000' });
    await addLineAs(rep1, id, { product_id: String(service.id), quantity: '3', unit_price: '3000', tax_rate: '6' });
    await addLineAs(rep1, id, { name: '定制开发（报表模块）', quantity: '1', unit_price: '12345.67', tax_rate: '6' });
    // With the company's logo in the header (the demo's), the one-page quote still stays under 50 KB.
    await t.db.updateTable('company').set({ logo: fs.readFileSync(path.join(import.meta.dirname, '../../scripts/seed/assets/demo-logo.png')), logo_mime: 'image/png' }).where('id', '=', 1).execute();
    const q = await quoteRow(t.db, id);
    const res = await rep1.get(`/quotes/${id}.pdf`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const buf = res.rawPayload;
    expect(buf.length).toBeLessThan(50 * 1024);
    const text = pdfText(buf);
    expect(text).toContain(q.number);
    expect(text).toContain('杭州西溪制造有限公司');
    expect(text.replace(/\s+/g, '')).toContain('机架式服务器R740');
    expect(text).toContain('现场实施服务');
    expect(text).toContain('定制开发（报表模块）');
    expect(text).toContain('141,345.67'); // 120,000 + 9,000 + 12,345.67
    expect(text).toContain('壹拾肆万壹仟叁佰肆拾伍元陆角柒分');
    expect(text).toMatch(/第\s*1\s*页\s*\/\s*共\s*1\s*页/);
    expect(q.total_fen).toBe(14_134_567);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quote-pdf-'));
    fs.writeFileSync(path.join(dir, 'q.pdf'), buf);
    const fonts = execFileSync('pdffonts', [path.join(dir, 'q.pdf')], { encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true, force: true });
    const rows = fonts.split('\n').slice(2).filter((l) => l.trim());
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r).toMatch(/\+NotoSansSC.*\byes\s+yes\b/);
    await t.db.updateTable('company').set({ logo: null, logo_mime: null }).where('id', '=', 1).execute();
  });

  it('prices without VAT: each line’s amount is without VAT (lines add up to the subtotal), VAT added below', async () => {
    const id = await createQuoteAs(rep1, { customer_id: String(customer1.id), tax_mode: 'exclusive' });
    await addLineAs(rep1, id, { name: '年度维保服务', quantity: '2', unit_price: '1000', tax_rate: '13' });
    const q = await quoteRow(t.db, id);
    expect([q.subtotal_fen, q.tax_fen, q.total_fen]).toEqual([200_000, 26_000, 226_000]);
    const text = pdfText((await rep1.get(`/quotes/${id}.pdf`)).rawPayload);
    expect(text).toContain('金额（不含税）');
    const row = text.split('\n').find((l) => l.includes('年度维保服务')) ?? '';
    expect(row).toMatch(/2,000\.00\s*$/);
    expect(text).toContain('¥2,260.00');
    const page = await rep1.get(`/quotes/${id}`);
    expect(page.body).toContain('金额（不含税）');
    expect(page.body).toMatch(/<td class="num">¥2,000\.00<\/td>/);
  });

  it('runs to a second page with the table header repeated and page x/y', async () => {
    const id = await createQuoteAs(rep1, { customer_id: String(customer1.id) });
    for (let i = 0; i < 20; i++) await addLineAs(rep1, id, { product_id: String(server.id), quantity: '1', unit_price: '120000' });
    const text = pdfText((await rep1.get(`/quotes/${id}.pdf`)).rawPayload);
    expect(text).toMatch(/第\s*2\s*页\s*\/\s*共\s*2\s*页/);
    expect(text.replace(/\s+/g, '').split('产品名称/规格型号').length - 1).toBe(2);
  });

  it('is in English for a user who chose English', async () => {
    await t.db.updateTable('users').set({ language: 'en' }).where('id', '=', org.users.rep1.id).execute();
    try {
      const id = await createQuoteAs(rep1, { customer_id: String(customer1.id) });
      await addLineAs(rep1, id, { product_id: String(service.id), quantity: '1', unit_price: '3000', tax_rate: '6' });
      const text = pdfText((await rep1.get(`/quotes/${id}.pdf`)).rawPayload);
      expect(text).toContain('Quotation');
      expect(text).toContain('Page 1 of 1');
      expect(text).toContain('叁仟元整');
    } finally {
      await t.db.updateTable('users').set({ language: 'zh-CN' }).where('id', '=', org.users.rep1.id).execute();
    }
  });

  it('is 404 for a rep who changes the id to another rep’s quote', async () => {
    const id = await createQuoteAs(rep1, { customer_id: String(customer1.id) });
    expect((await rep3.get(`/quotes/${id}.pdf`)).statusCode).toBe(404);
    expect((await rep3.get(`/quotes/${id}`)).statusCode).toBe(404);
    expect((await rep3.post(`/quotes/${id}/lines`, { name: 'x', quantity: '1', unit_price: '1' })).statusCode).toBe(404);
    expect((await manager1.get(`/quotes/${id}.pdf`)).statusCode).toBe(200);
    expect((await director.get(`/quotes/${id}.pdf`)).statusCode).toBe(200);
  });
});

describe('price reference and the customer’s quote history', () => {
  it('shows list and floor price, the last prices to this customer and the range quoted to others', async () => {
    // rep3 quotes the server to customer3 at two prices and sends both.
    for (const price of ['110000', '115000']) {
      const q = await createQuoteAs(rep3, { customer_id: String(customer3.id) });
      await addLineAs(rep3, q, { product_id: String(server.id), quantity: '1', unit_price: price });
      await rep3.post(`/quotes/${q}/sending`);
    }
    const id = await createQuoteAs(rep1, { customer_id: String(customer1.id) });
    const res = await rep1.get(`/quotes/${id}/line-form?product_id=${server.id}`, { 'hx-request': 'true', 'hx-target': 'line-form' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('id="price-reference"');
    expect(res.body).toContain('¥120,000.00');
    expect(res.body).toContain('¥100,000.00');
    expect(res.body).toMatch(/id="ref-range">¥110,000\.00 – ¥115,000\.00/);
    expect(res.body).toContain('id="ref-recent"'); // rep1 sent the server to customer1 above
    expect(res.body).toContain('value="120000.00"'); // the unit price starts at the list price
  });

  it('lists the customer’s quotes on the customer page (客户报价记录)', async () => {
    const page = await rep1.get(`/customers/${customer1.id}`);
    expect(page.body).toContain(`/quotes/panels/customer/${customer1.id}`);
    const panel = await rep1.get(`/quotes/panels/customer/${customer1.id}`, { 'hx-request': 'true', 'hx-target': 'customer-quotes' });
    expect(panel.body).toContain('客户报价记录');
    expect(panel.body).toContain('BJ-2026-');
    expect((await rep3.get(`/quotes/panels/customer/${customer1.id}`)).statusCode).toBe(404);
  });
});
