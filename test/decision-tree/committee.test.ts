import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signIn, smallOrg, testApp, type TestApp } from '../helpers/app.ts';
import { customerRow, newContact } from '../helpers/contacts.ts';
import { newOpportunityRow, newPipeline } from '../helpers/pipeline-analytics.ts';
import { newActivity } from '../helpers/activities.ts';
import { buildTree, decisionTreePanel, makesLoop } from '../../src/features/decision-tree/queries.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof smallOrg>>;
let opp: number;
let contacts: { ceo: number; cto: number; engineer: number };

beforeEach(async () => {
  t = await testApp();
  org = await smallOrg(t.db);
  const p = await newPipeline(t.db);
  const cust = await customerRow(t.db, { owner: org.users.rep1.id, name: '杭州西湖制药有限公司' });
  opp = await newOpportunityRow(t.db, { owner: org.users.rep1.id, customerId: cust, pipelineId: p.id, stageId: p.stages.a, name: '生产管理系统升级' });
  contacts = {
    ceo: await newContact(t.db, { owner: org.users.rep1.id, customerId: cust, name: '王建国' }),
    cto: await newContact(t.db, { owner: org.users.rep1.id, customerId: cust, name: '李思远' }),
    engineer: await newContact(t.db, { owner: org.users.rep1.id, customerId: cust, name: '陈晓峰' }),
  };
  await t.db.updateTable('contacts').set({ title: '总经理' }).where('id', '=', contacts.ceo).execute();
});
afterEach(async () => t.close());

const members = () => t.db.selectFrom('opportunity_contacts').selectAll().where('opportunity_id', '=', opp).orderBy('id').execute();

async function addThree() {
  const rep1 = await signIn(t.app, 'rep1');
  expect((await rep1.post(`/opportunities/${opp}/committee/members`, { contact_id: String(contacts.ceo), role: 'decision_maker', attitude: 'supporter', influence: 'high', reports_to_id: '', notes: '' })).statusCode).toBe(303);
  const [ceo] = await members();
  await rep1.post(`/opportunities/${opp}/committee/members`, { contact_id: String(contacts.cto), role: 'technical_evaluator', attitude: 'neutral', influence: 'medium', reports_to_id: String(ceo!.id), notes: '' });
  const [, cto] = await members();
  await rep1.post(`/opportunities/${opp}/committee/members`, { contact_id: String(contacts.engineer), role: 'business_user', attitude: 'opponent', influence: 'low', reports_to_id: String(cto!.id), notes: '关注稳定性' });
  return { rep1, rows: await members() };
}

describe('decision tree', () => {
  it('adds members, draws them as a tree and audits each change', async () => {
    const { rep1, rows } = await addThree();
    expect(rows.map((r) => [r.role, r.attitude, r.influence])).toEqual([
      ['decision_maker', 'supporter', 'high'],
      ['technical_evaluator', 'neutral', 'medium'],
      ['business_user', 'opponent', 'low'],
    ]);
    expect(rows[2]!.reports_to_id).toBe(rows[1]!.id);
    const page = await rep1.get(`/opportunities/${opp}/committee`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('id="decision-tree"');
    // The tree nests: CEO > CTO > engineer, with the role, title and attitude/influence classes.
    const tree = page.body.slice(page.body.indexOf('id="decision-tree-chart"'), page.body.indexOf('id="committee-table"'));
    expect(tree.indexOf('王建国')).toBeLessThan(tree.indexOf('李思远'));
    expect(tree).toMatch(/dt-att-supporter dt-inf-high[^]*王建国[^]*总经理[^]*决策人/);
    expect(tree).toMatch(/<ul>\s*<li>\s*<div class="dt-node dt-att-opponent dt-inf-low"/);
    const audits = await t.db.selectFrom('audit_log').select(['action']).where('entity', '=', 'opportunity_contacts').execute();
    expect(audits).toHaveLength(3);
  });

  it('refuses a reports-to loop with a message beside the field, keeping the input', async () => {
    const { rep1, rows } = await addThree();
    const ceo = rows[0]!;
    const res = await rep1.post(
      `/opportunities/${opp}/committee/members/${ceo.id}`,
      { role: 'approver', attitude: 'supporter', influence: 'high', reports_to_id: String(rows[2]!.id), notes: '新备注' },
      { headers: { 'hx-request': 'true', 'hx-target': 'decision-tree' } },
    );
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('汇报关系不能形成循环');
    expect(res.body).toContain('value="新备注"');
    expect((await members())[0]!.role).toBe('decision_maker');
  });

  it('edits inline with htmx and removes a member, re-linking their reports', async () => {
    const { rep1, rows } = await addThree();
    const res = await rep1.post(
      `/opportunities/${opp}/committee/members/${rows[1]!.id}`,
      { role: 'approver', attitude: 'supporter', influence: 'high', reports_to_id: String(rows[0]!.id), notes: '', back: 'opportunity' },
      { headers: { 'hx-request': 'true', 'hx-target': 'decision-tree' } },
    );
    expect(res.statusCode).toBe(200);
    expect(res.body.trimStart().startsWith('<section id="decision-tree"')).toBe(true);
    // Swapped into the deal page, the panel's forms still lead back to the deal.
    expect(res.body).toContain('name="back" value="opportunity"');
    const plain = await rep1.post(`/opportunities/${opp}/committee/members/${rows[1]!.id}`, { role: 'approver', attitude: 'supporter', influence: 'high', reports_to_id: '', notes: '', back: 'opportunity' });
    expect([plain.statusCode, plain.headers.location]).toEqual([303, `/opportunities/${opp}#decision-tree`]);
    await rep1.post(`/opportunities/${opp}/committee/members/${rows[1]!.id}`, { role: 'approver', attitude: 'supporter', influence: 'high', reports_to_id: String(rows[0]!.id), notes: '' });
    expect((await members())[1]!.role).toBe('approver');
    expect((await rep1.post(`/opportunities/${opp}/committee/members/${rows[1]!.id}/deletion`)).statusCode).toBe(303);
    const left = await members();
    expect(left.map((r) => r.contact_id)).toEqual([contacts.ceo, contacts.engineer]);
    expect(left[1]!.reports_to_id).toBe(rows[0]!.id);
  });

  it('validates: a contact is required, roles must be known, a contact only once', async () => {
    const rep1 = await signIn(t.app, 'rep1');
    const res = await rep1.post(`/opportunities/${opp}/committee/members`, { contact_id: '', role: 'boss', attitude: 'neutral', influence: 'medium', reports_to_id: '' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('此项为必填');
    expect(res.body).toContain('输入无效');
    await rep1.post(`/opportunities/${opp}/committee/members`, { contact_id: String(contacts.ceo), role: 'coach', attitude: 'neutral', influence: 'medium', reports_to_id: '' });
    const again = await rep1.post(`/opportunities/${opp}/committee/members`, { contact_id: String(contacts.ceo), role: 'coach', attitude: 'neutral', influence: 'medium', reports_to_id: '' });
    expect(again.statusCode).toBe(422);
    expect(await members()).toHaveLength(1);
  });

  it('shows the contact plan: activities linked to the deal and a link to plan a visit', async () => {
    const { rep1 } = await addThree();
    const a = await newActivity(t.db, org.users.rep1, { subject: '技术交流会', contactId: contacts.cto, startsAt: '2026-12-03T02:00:00.000Z' });
    await t.db.updateTable('activities').set({ opportunity_id: opp }).where('id', '=', a.id).execute();
    await newActivity(t.db, org.users.rep1, { subject: '与本单无关', contactId: contacts.cto });
    const page = await rep1.get(`/opportunities/${opp}/committee`);
    expect(page.body).toContain('2026-12-03 10:00 技术交流会');
    expect(page.body).not.toContain('与本单无关');
    expect(page.body).toContain(`/activities/new?contact_id=${contacts.cto}&amp;type=visit`);
  });

  it('is 404 for another rep, for reading and for every write', async () => {
    const { rows } = await addThree();
    const rep3 = await signIn(t.app, 'rep3');
    expect((await rep3.get(`/opportunities/${opp}/committee`)).statusCode).toBe(404);
    expect((await rep3.post(`/opportunities/${opp}/committee/members`, { contact_id: String(contacts.ceo), role: 'coach', attitude: 'neutral', influence: 'medium' })).statusCode).toBe(404);
    expect((await rep3.post(`/opportunities/${opp}/committee/members/${rows[0]!.id}`, { role: 'coach', attitude: 'neutral', influence: 'medium' })).statusCode).toBe(404);
    expect((await rep3.post(`/opportunities/${opp}/committee/members/${rows[0]!.id}/deletion`)).statusCode).toBe(404);
    expect(await members()).toHaveLength(3);
    const viewer = { id: org.users.rep3.id, username: 'rep3', displayName: '', role: 'sales_rep' as const, departmentId: null, departmentIds: [], language: 'zh-CN' as const, mustChangePassword: false, memberOf: new Set<string>() };
    expect(await decisionTreePanel(t.db, viewer, opp)).toBeNull();
    // A team member sees the deal, and so its committee.
    await t.db.insertInto('record_members').values({ entity: 'opportunities', record_id: opp, user_id: org.users.rep3.id, role: 'member', created_at: new Date().toISOString() }).execute();
    const rep3again = await signIn(t.app, 'rep3');
    expect((await rep3again.get(`/opportunities/${opp}/committee`)).statusCode).toBe(200);
  });

  it('finds loops and nests the tree (pure)', () => {
    const ms = [
      { id: 1, reportsToId: null },
      { id: 2, reportsToId: 1 },
      { id: 3, reportsToId: 2 },
    ];
    expect(makesLoop(ms, 1, 3)).toBe(true);
    expect(makesLoop(ms, 1, 1)).toBe(true);
    expect(makesLoop(ms, 3, 1)).toBe(false);
    const full = ms.map((m) => ({ ...m, contactId: m.id, name: `n${m.id}`, title: '', department: '', role: 'coach', attitude: 'neutral', influence: 'low', notes: '' }));
    const tree = buildTree(full);
    expect(tree.map((n) => n.member.id)).toEqual([1]);
    expect(tree[0]!.children[0]!.children[0]!.member.id).toBe(3);
  });
});
