import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, smallOrg, testApp, type Client, type TestApp } from '../helpers/app.ts';
import { newCustomer } from '../helpers/customers.ts';
import { demoPipeline, newOpportunity } from '../helpers/opportunities.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof smallOrg>>;
let rep1: Client;
let pipeline: Awaited<ReturnType<typeof demoPipeline>>;
beforeAll(async () => {
  t = await testApp();
  org = await smallOrg(t.db);
  pipeline = await demoPipeline(t.db);
  rep1 = await signIn(t.app, 'rep1');
});
afterAll(async () => t.close());

const form = {
  type: 'visit',
  subject: '拜访决策人，汇报方案',
  starts_at: '2026-03-02T14:30',
  duration_minutes: '60',
  status: 'done',
  location: '',
  outcome: '认可方案，安排技术交流',
  next_step: '',
  remind_at: '',
  customer_id: '',
  contact_id: '',
  lead_id: '',
};

describe('activities linked to a deal (contact plan, stalled-deal alert)', () => {
  it('the new-activity form carries the deal; saving links it, fills in its customer and moves the deal’s last activity', async () => {
    const { pipelineId, byName } = pipeline;
    const customer = await newCustomer(t.db, { owner: org.users.rep1 });
    const deal = await newOpportunity(t.db, { owner: org.users.rep1, customer: { id: customer.id }, pipelineId, stage: byName('需求确认') });
    const page = await rep1.get(`/activities/new?type=visit&opportunity_id=${deal.id}`);
    expect(page.body).toContain(`name="opportunity_id" value="${deal.id}"`);
    const res = await rep1.post('/activities', { ...form, opportunity_id: String(deal.id) });
    expect(res.statusCode).toBe(303);
    const row = await t.db.selectFrom('activities').selectAll().where('subject', '=', form.subject).executeTakeFirstOrThrow();
    expect(row.opportunity_id).toBe(deal.id);
    expect(row.customer_id).toBe(customer.id);
    const after = await t.db.selectFrom('opportunities').select('last_activity_at').where('id', '=', deal.id).executeTakeFirstOrThrow();
    expect(after.last_activity_at).toBe('2026-03-02T06:30:00.000Z');
  });

  it('refuses a deal the viewer may not see, beside the form, and saves nothing', async () => {
    const { pipelineId, byName } = pipeline;
    const theirs = await newCustomer(t.db, { owner: org.users.rep3 });
    const deal = await newOpportunity(t.db, { owner: org.users.rep3, customer: { id: theirs.id }, pipelineId, stage: byName('初步接洽') });
    const res = await rep1.post('/activities', { ...form, subject: '不应保存', opportunity_id: String(deal.id) });
    expect(res.statusCode).toBe(422);
    expect(await t.db.selectFrom('activities').select('id').where('subject', '=', '不应保存').executeTakeFirst()).toBeUndefined();
  });
});
