import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, smallOrg, testApp, type Client, type TestApp } from '../helpers/app.ts';
import { newLead } from '../helpers/leads.ts';
import { demoPipeline } from '../helpers/opportunities.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof smallOrg>>;
let rep1: Client;
beforeAll(async () => {
  t = await testApp();
  org = await smallOrg(t.db);
  rep1 = await signIn(t.app, 'rep1');
});
afterAll(async () => t.close());

const form = (overrides: Record<string, string> = {}) => ({
  mode: 'new',
  customer_id: '',
  customer_name: '无锡先导智能装备股份有限公司',
  customer_type: 'enterprise',
  customer_grade: 'A',
  contact_name: '王燕清',
  contact_title: '总经理',
  contact_mobile: '13912345670',
  contact_phone: '',
  contact_email: '',
  contact_wechat: '',
  create_opportunity: '1',
  opportunity_name: '先导智能 CRM 项目',
  opportunity_amount: '1,234,567.89',
  opportunity_close_date: '2027-03-31',
  ...overrides,
});

describe('converting a lead can open a deal', () => {
  it('refuses bad deal fields beside them and keeps the input, and says when there is no pipeline', async () => {
    const id = await newLead(t.db, { owner: org.users.rep1.id, company: '无锡先导智能装备股份有限公司', person: '王燕清' });
    const bad = await rep1.post(`/leads/${id}/conversion`, form({ opportunity_amount: '十万', opportunity_close_date: '2027-02-30' }));
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('请输入金额');
    expect(bad.body).toContain('请输入日期');
    expect(bad.body).toContain('value="先导智能 CRM 项目"');
    const none = await rep1.post(`/leads/${id}/conversion`, form());
    expect(none.statusCode).toBe(422);
    expect(none.body).toContain('还没有销售管线');
    expect((await t.db.selectFrom('leads').select('converted_at').where('id', '=', id).executeTakeFirstOrThrow()).converted_at).toBeNull();
  });

  it('creates customer, contact and a deal in the first stage with the amount in fen, in one go', async () => {
    await demoPipeline(t.db);
    const id = await newLead(t.db, { owner: org.users.rep1.id, company: '无锡先导智能装备股份有限公司', person: '王燕清' });
    const res = await rep1.post(`/leads/${id}/conversion`, form());
    expect(res.statusCode).toBe(303);
    const lead = await t.db.selectFrom('leads').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(lead.opportunity_id).not.toBeNull();
    expect(res.headers.location).toBe(`/opportunities/${lead.opportunity_id}`);
    const deal = await t.db
      .selectFrom('opportunities as o')
      .innerJoin('pipeline_stages as s', 's.id', 'o.stage_id')
      .select(['o.name', 'o.amount_fen', 'o.expected_close_date', 'o.customer_id', 'o.owner_id', 's.name as stage', 'o.lead_id'])
      .where('o.id', '=', lead.opportunity_id!)
      .executeTakeFirstOrThrow();
    expect(deal).toEqual({ name: '先导智能 CRM 项目', amount_fen: 123456789, expected_close_date: '2027-03-31', customer_id: lead.customer_id, owner_id: org.users.rep1.id, stage: '初步接洽', lead_id: id });
    expect((await rep1.get(`/opportunities/${lead.opportunity_id}`)).statusCode).toBe(200);
  });
});
