import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signIn, smallOrg, testApp, type Client, type TestApp } from '../helpers/app.ts';
import { newCustomer } from '../helpers/customers.ts';
import { newContact } from '../helpers/contacts.ts';
import { addLineAs, createQuoteAs, newProduct, quoteRow } from '../helpers/quotes.ts';
import { sendQuote } from '../../src/features/quotes/commands.ts';
import type * as PdfPool from '../../src/pdf/pool.ts';

// The PDF workers counted instead of run: this file is about when a PDF is rendered, not what it shows (quotes.test.ts).
const rendered = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../src/pdf/pool.ts', async (importOriginal) => {
  const original = await importOriginal<typeof PdfPool>();
  return {
    ...original,
    renderQuotePdfInWorker: async () => {
      rendered.count += 1;
      return Buffer.from('%PDF-1.4\n%%EOF\n');
    },
  };
});

let t: TestApp;
let org: Awaited<ReturnType<typeof smallOrg>>;
let rep1: Client;
let rep3: Client;
let manager2: Client;
let customer: { id: number };
let contact: number;
let product: { id: number };

beforeAll(async () => {
  t = await testApp();
  org = await smallOrg(t.db);
  await t.db.updateTable('departments').set({ manager_id: org.users.manager1.id }).where('id', '=', org.departments.east.id).execute();
  customer = await newCustomer(t.db, { owner: org.users.rep1, name: '杭州西溪制造有限公司' });
  contact = await newContact(t.db, { owner: org.users.rep1.id, customerId: customer.id, name: '王经理', email: 'wang@example.com' });
  product = await newProduct(t.db, { code: 'SRV-01', name: '机架式服务器', listFen: 12_000_000, floorFen: 10_000_000 });
  rep1 = await signIn(t.app, 'rep1');
  rep3 = await signIn(t.app, 'rep3');
  manager2 = await signIn(t.app, 'manager2');
});
afterAll(async () => t.close());

/** A quote to 王经理 (who has an e-mail address, so a sending would render the PDF), at a unit price in yuan. */
async function quoteToContact(unitPrice: string | null) {
  const id = await createQuoteAs(rep1, { customer_id: String(customer.id), contact_id: String(contact) });
  if (unitPrice) await addLineAs(rep1, id, { product_id: String(product.id), quantity: '1', unit_price: unitPrice });
  return id;
}

/** Posts the sending and returns the response with the number of PDFs it rendered. */
async function send(client: Client, id: number) {
  const before = rendered.count;
  const res = await client.post(`/quotes/${id}/sending`);
  return { res, pdfs: rendered.count - before };
}

describe('sending a quote checks first and renders the PDF after', () => {
  it('renders no PDF for a quote that may not be sent, and says why as before', async () => {
    // Below the floor price: needs approval.
    const needsApproval = await quoteToContact('90000');
    const refused = await send(rep1, needsApproval);
    expect(refused).toMatchObject({ pdfs: 0, res: { statusCode: 303 } });
    expect((await rep1.get(`/quotes/${needsApproval}`)).body).toContain('该报价单需要审批，审批通过后才能发送');
    // Waiting for the approver.
    await rep1.post(`/quotes/${needsApproval}/approval-request`);
    expect((await send(rep1, needsApproval)).pdfs).toBe(0);
    expect((await quoteRow(t.db, needsApproval)).status).toBe('pending_approval');
    // No lines.
    const empty = await quoteToContact(null);
    expect((await send(rep1, empty)).pdfs).toBe(0);
    expect((await rep1.get(`/quotes/${empty}`)).body).toContain('报价单还没有明细');
    // Outside the viewer's scope: 404, nothing rendered.
    const fine = await quoteToContact('120000');
    const other = await send(rep3, fine);
    expect(other).toMatchObject({ pdfs: 0, res: { statusCode: 404 } });
    // An approver outside the owner's scope sees the pending quote, but sending is the owner's side: 404 as before.
    await t.db.updateTable('quotes').set({ approver_id: org.users.manager2.id }).where('id', '=', needsApproval).execute();
    expect((await manager2.get(`/quotes/${needsApproval}`)).statusCode).toBe(200);
    expect(await send(manager2, needsApproval)).toMatchObject({ pdfs: 0, res: { statusCode: 404 } });
    expect((await quoteRow(t.db, fine)).status).toBe('draft');
  });

  it('renders one PDF for a quote that may be sent, mails it, and renders none for a second sending', async () => {
    const id = await quoteToContact('120000');
    const sent = await send(rep1, id);
    expect(sent).toMatchObject({ pdfs: 1, res: { statusCode: 303 } });
    const q = await quoteRow(t.db, id);
    expect(q.status).toBe('sent');
    const mail = await t.db.selectFrom('mail_messages').select('id').where('subject', 'like', `%${q.number}%`).executeTakeFirstOrThrow();
    const attachment = await t.db.selectFrom('mail_attachments').select('content_type').where('mail_id', '=', mail.id).executeTakeFirstOrThrow();
    expect(attachment.content_type).toBe('application/pdf');
    // Already sent: refused (当前状态不能进行此操作) before any rendering.
    const again = await send(rep1, id);
    expect(again.pdfs).toBe(0);
    expect((await rep1.get(`/quotes/${id}`)).body).toContain('当前状态不能进行此操作');
  });

  it('does not send a PDF of a quote changed while it was being rendered', async () => {
    const id = await quoteToContact('120000');
    // The route read the quote and rendered its PDF; then, before the sending transaction, another tab adds a line.
    const q = await quoteRow(t.db, id);
    await addLineAs(rep1, id, { product_id: String(product.id), quantity: '1', unit_price: '120000' });
    const rep1v = { id: org.users.rep1.id, username: 'rep1', displayName: 'rep1', role: 'sales_rep' as const, departmentId: org.departments.east.id, departmentIds: [org.departments.east.id], language: 'zh-CN' as const, mustChangePassword: false, memberOf: new Set<string>() };
    const result = await sendQuote(t.db, rep1v, { actorId: org.users.rep1.id, ip: '127.0.0.1' }, id, {
      pdf: Buffer.from('%PDF-1.4\n%%EOF\n'),
      filename: 'q.pdf',
      subject: 's',
      text: 't',
      quoteUpdatedAt: q.updated_at,
    });
    expect(result).toEqual({ ok: false, error: 'changed' });
    expect((await quoteRow(t.db, id)).status).toBe('draft');
  });
});
