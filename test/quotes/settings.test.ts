import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, smallOrg, testApp, type Client, type TestApp } from '../helpers/app.ts';
import { newCustomer } from '../helpers/customers.ts';
import { demoPipeline, newOpportunity } from '../helpers/opportunities.ts';
import { addLineAs, createQuoteAs, newProduct, quoteRow } from '../helpers/quotes.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof smallOrg>>;
let rep1: Client;
let director: Client;
let customer: { id: number };

beforeAll(async () => {
  t = await testApp();
  org = await smallOrg(t.db);
  await t.db.updateTable('departments').set({ manager_id: org.users.manager1.id }).where('id', '=', org.departments.east.id).execute();
  customer = await newCustomer(t.db, { owner: org.users.rep1 });
  rep1 = await signIn(t.app, 'rep1');
  director = await signIn(t.app, 'director');
});
afterAll(async () => t.close());

const settings = (over: Record<string, string> = {}) => ({
  quote_number_pattern: 'BJ-{YYYY}-{####}',
  manager_threshold: '10',
  director_threshold: '20',
  quote_validity_days: '30',
  quote_payment_terms: '',
  quote_delivery_terms: '',
  quote_warranty_terms: '',
  ...over,
});

describe('quote settings', () => {
  it('are for the sales director and administrators only', async () => {
    expect((await rep1.get('/settings/quotes')).statusCode).toBe(404);
    expect((await rep1.post('/settings/quotes', settings())).statusCode).toBe(404);
    const page = await director.get('/settings/quotes');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('BJ-2026-0001');
  });

  it('refuse a pattern without a sequence and a director threshold below the manager’s', async () => {
    const res = await director.post('/settings/quotes', settings({ quote_number_pattern: 'BJ-{YYYY}', director_threshold: '5' }));
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('编号格式须包含序号占位符');
    expect(res.body).toContain('总监审批线不能低于经理审批线');
  });

  it('change the number pattern, the thresholds that route approval, and the defaults of a new quote', async () => {
    const res = await director.post('/settings/quotes', settings({ quote_number_pattern: 'SH{YY}{MM}-{###}', manager_threshold: '5', director_threshold: '30', quote_validity_days: '15', quote_payment_terms: '款到发货' }));
    expect(res.statusCode).toBe(303);
    const form = await rep1.get(`/quotes/new?customer_id=${customer.id}`);
    expect(form.body).toContain('款到发货');
    const id = await createQuoteAs(rep1, { customer_id: String(customer.id), quote_date: '2026-11-27', valid_until: '2026-12-12' });
    expect((await quoteRow(t.db, id)).number).toMatch(/^SH2611-\d{3}$/);
    const p = await newProduct(t.db, { listFen: 100_000, floorFen: 0 });
    // 6% off: beyond the new 5% manager threshold, within the 30% director threshold.
    await addLineAs(rep1, id, { product_id: String(p.id), quantity: '1', unit_price: '940' });
    expect((await quoteRow(t.db, id)).approval_level).toBe('manager');
    // 25% off: still only the manager now.
    await addLineAs(rep1, id, { product_id: String(p.id), quantity: '1', unit_price: '560' });
    expect((await quoteRow(t.db, id)).approval_level).toBe('manager');
    const audit = await t.db.selectFrom('audit_log').select('changes').where('entity', '=', 'company').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(audit.changes).toContain('SH{YY}{MM}-{###}');
  });

  it('the deal page offers “create quote” and lists the deal’s quotes', async () => {
    const demo = await demoPipeline(t.db);
    const deal = await newOpportunity(t.db, { owner: org.users.rep1, customer, pipelineId: demo.pipelineId, stage: demo.stages[0]! });
    const id = await createQuoteAs(rep1, { customer_id: String(customer.id), opportunity_id: String(deal.id) });
    const page = await rep1.get(`/opportunities/${deal.id}`);
    expect(page.body).toContain(`/quotes/new?opportunity_id=${deal.id}`);
    expect(page.body).toContain(`/quotes/panels/opportunity/${deal.id}`);
    const panel = await rep1.get(`/quotes/panels/opportunity/${deal.id}`, { 'hx-request': 'true', 'hx-target': 'opportunity-quotes' });
    expect(panel.body).toContain(`/quotes/${id}`);
    // Each quote names its owner, as on the customer's panel (the deal's panel left the column empty).
    const owner = await t.db.selectFrom('users').select('display_name').where('id', '=', org.users.rep1.id).executeTakeFirstOrThrow();
    expect(panel.body).toMatch(new RegExp(`<td>${owner.display_name}</td></tr>`));
    const rep3 = await signIn(t.app, 'rep3');
    expect((await rep3.get(`/quotes/panels/opportunity/${deal.id}`)).statusCode).toBe(404);
    expect((await rep3.get(`/quotes/new?opportunity_id=${deal.id}`)).statusCode).toBe(404);
  });
});
