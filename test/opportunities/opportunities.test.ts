import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, smallOrg, testApp, type Client, type TestApp } from '../helpers/app.ts';
import { newCustomer } from '../helpers/customers.ts';
import { checkAllCriteria, demoPipeline, newOpportunity } from '../helpers/opportunities.ts';
import { advanceOpportunity } from '../../src/features/opportunities/commands.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof smallOrg>>;
let demo: Awaited<ReturnType<typeof demoPipeline>>;
let rep1: Client;
let rep3: Client;
let director: Client;
let customer1: { id: number };
let customer3: { id: number };

beforeAll(async () => {
  t = await testApp();
  org = await smallOrg(t.db);
  demo = await demoPipeline(t.db);
  customer1 = await newCustomer(t.db, { owner: org.users.rep1, name: '杭州西溪制造有限公司' });
  customer3 = await newCustomer(t.db, { owner: org.users.rep3, name: '深圳南山电子有限公司' });
  rep1 = await signIn(t.app, 'rep1');
  rep3 = await signIn(t.app, 'rep3');
  director = await signIn(t.app, 'director');
});
afterAll(async () => t.close());

const form = (over: Record<string, string> = {}) => ({
  name: '西溪制造 CRM 项目',
  customer_id: String(customer1.id),
  amount: '1,234.5',
  expected_close_date: '2026-12-20',
  pipeline_id: String(demo.pipelineId),
  stage_id: String(demo.byName('初步接洽').id),
  probability: '',
  source: 'referral',
  next_step: '约技术交流',
  description: '',
  ...over,
});
const deal = (id: number) => t.db.selectFrom('opportunities').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const history = (id: number) => t.db.selectFrom('opportunity_stage_history').selectAll().where('opportunity_id', '=', id).orderBy('id').execute();
const viewerOf = async (username: string) => {
  const u = await t.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirstOrThrow();
  return { id: u.id, username: u.username, displayName: u.display_name, role: u.role, departmentId: u.department_id, departmentIds: u.department_id ? [u.department_id] : [], language: 'zh-CN' as const, mustChangePassword: false, memberOf: new Set<string>() };
};
const ctx = { actorId: null, ip: '127.0.0.1' };

describe('creating and editing a deal', () => {
  it('creates a deal with the amount in fen, the stage probability, a first history row, the stage tasks and an audit entry', async () => {
    const res = await rep1.post('/opportunities', { ...form(), competitor_ids: '' });
    expect(res.statusCode).toBe(303);
    const id = Number(/\/opportunities\/(\d+)/.exec(res.headers.location as string)?.[1]);
    const d = await deal(id);
    expect(d.amount_fen).toBe(123450);
    expect(d.probability).toBe(10);
    expect(d.owner_id).toBe(org.users.rep1.id);
    expect(d.status).toBe('open');
    const h = await history(id);
    expect(h).toHaveLength(1);
    expect(h[0]).toMatchObject({ from_stage_id: null, to_stage_id: demo.byName('初步接洽').id, amount_fen: 123450, expected_close_date: '2026-12-20', days_in_from_stage: null, changed_by: org.users.rep1.id });
    const tasks = await t.db.selectFrom('activities').selectAll().where('opportunity_id', '=', id).orderBy('id').execute();
    expect(tasks.map((a) => a.subject)).toEqual(['首次拜访客户，了解现状', '发送公司介绍与成功案例']);
    expect(tasks.every((a) => a.type === 'task' && a.owner_id === org.users.rep1.id && a.customer_id === customer1.id)).toBe(true);
    const log = await t.db.selectFrom('audit_log').selectAll().where('entity', '=', 'opportunity').where('entity_id', '=', id).execute();
    expect(log).toHaveLength(1);
    expect(log[0]?.action).toBe('create');
    const page = await rep1.get(`/opportunities/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('西溪制造 CRM 项目');
    expect(page.body).toContain('¥1,234.50');
    expect(page.body).toContain('已与关键联系人建立联系');
  });

  it('refuses bad amounts, dates and probabilities beside the fields and keeps the input', async () => {
    const res = await rep1.post('/opportunities', form({ amount: '12,34', expected_close_date: '2026-02-30', name: '' }));
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('请输入有效金额');
    expect(res.body).toContain('请输入有效日期');
    expect(res.body).toContain('此项为必填');
    expect(res.body).toContain('value="12,34"');
    const prob = await rep1.post('/opportunities', form({ probability: '35' }));
    expect(prob.statusCode).toBe(422);
    expect(prob.body).toContain('赢率只能在 0%–30% 之间');
    const neg = await rep1.post('/opportunities', form({ amount: '-5' }));
    expect(neg.statusCode).toBe(422);
    expect(neg.body).toContain('请输入有效金额');
  });

  it("refuses a customer the rep does not own", async () => {
    const res = await rep1.post('/opportunities', form({ customer_id: String(customer3.id) }));
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('请选择您负责的客户');
  });

  it('edits amount and close date with an audit diff', async () => {
    const { id } = await newOpportunity(t.db, { owner: org.users.rep1, customer: customer1, pipelineId: demo.pipelineId, stage: demo.byName('需求确认'), amountFen: 50_000_000 });
    const res = await rep1.post(`/opportunities/${id}`, form({ name: '改过的机会', amount: '400000', expected_close_date: '2027-01-31', probability: '30' }));
    expect(res.statusCode).toBe(303);
    const d = await deal(id);
    expect([d.amount_fen, d.expected_close_date, d.probability, d.stage_id]).toEqual([40_000_000, '2027-01-31', 30, demo.byName('需求确认').id]);
    const log = await t.db.selectFrom('audit_log').selectAll().where('entity', '=', 'opportunity').where('entity_id', '=', id).executeTakeFirstOrThrow();
    const changes = JSON.parse(log.changes) as Record<string, [unknown, unknown]>;
    expect(changes.amount_fen).toEqual([50_000_000, 40_000_000]);
    expect(changes.expected_close_date).toEqual(['2026-12-31', '2027-01-31']);
  });
});

describe('the scope rule', () => {
  it("gives another rep 404 on view, edit and advance; a team member sees the deal", async () => {
    const { id } = await newOpportunity(t.db, { owner: org.users.rep1, customer: customer1, pipelineId: demo.pipelineId, stage: demo.byName('初步接洽'), name: '只给团队看的机会' });
    expect((await rep3.get(`/opportunities/${id}`)).statusCode).toBe(404);
    expect((await rep3.get(`/opportunities/${id}/edit`)).statusCode).toBe(404);
    expect((await rep3.post(`/opportunities/${id}`, form())).statusCode).toBe(404);
    expect((await rep3.post(`/opportunities/${id}/advancement`, { to_stage_id: String(demo.byName('输单').id), reason: 'x' })).statusCode).toBe(404);
    expect((await rep3.get('/opportunities')).body).not.toContain('只给团队看的机会');
    expect((await deal(id)).stage_id).toBe(demo.byName('初步接洽').id);

    // The director adds rep3 to the team: rep3 now sees it (list and page).
    const add = await director.post(`/opportunities/${id}/members`, { user_id: String(org.users.rep3.id) });
    expect(add.statusCode).toBe(303);
    const rep3again = await signIn(t.app, 'rep3');
    expect((await rep3again.get(`/opportunities/${id}`)).statusCode).toBe(200);
    expect((await rep3again.get('/opportunities')).body).toContain('只给团队看的机会');
    // A rep cannot manage the team.
    expect((await rep1.post(`/opportunities/${id}/members`, { user_id: String(org.users.rep2.id) })).statusCode).toBe(404);
  });
});

describe('stage advancement', () => {
  it('refuses forward with unmet criteria (naming them), accepts once checked, records backwards, needs a reason to win', async () => {
    const entered = new Date(Date.now() - 5 * 86_400_000 - 3_600_000).toISOString();
    const { id } = await newOpportunity(t.db, { owner: org.users.rep1, customer: customer1, pipelineId: demo.pipelineId, stage: demo.byName('初步接洽'), amountFen: 8_800_000, closeDate: '2026-12-15', enteredAt: entered });
    const next = demo.byName('需求确认');

    // Check one criterion through the page (htmx fragment).
    const crit = await t.db.selectFrom('stage_exit_criteria').selectAll().where('stage_id', '=', demo.byName('初步接洽').id).orderBy('sort_order').execute();
    const check = await rep1.post(`/opportunities/${id}/criteria/${crit[0]!.id}`, { checked: '1' }, { headers: { 'hx-request': 'true', 'hx-target': 'exit-criteria' } });
    expect(check.statusCode).toBe(200);
    expect(check.body).toContain('aria-checked="true"');

    const refused = await rep1.post(`/opportunities/${id}/advancement`, { to_stage_id: String(next.id) });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('还有升迁标志未完成');
    expect(refused.body).toContain('确认客户存在明确业务需求');
    expect(refused.body).toContain('初步了解预算范围');
    expect(refused.body).not.toContain('未完成，不能推进：已与关键联系人建立联系');
    expect((await deal(id)).stage_id).toBe(demo.byName('初步接洽').id);

    await checkAllCriteria(t.db, id, demo.byName('初步接洽').id, org.users.rep1.id);
    const ok = await rep1.post(`/opportunities/${id}/advancement`, { to_stage_id: String(next.id) });
    expect(ok.statusCode).toBe(303);
    let d = await deal(id);
    expect([d.stage_id, d.probability, d.status]).toEqual([next.id, 25, 'open']);
    let h = await history(id);
    expect(h).toHaveLength(2);
    expect(h[1]).toMatchObject({ from_stage_id: demo.byName('初步接洽').id, to_stage_id: next.id, amount_fen: 8_800_000, expected_close_date: '2026-12-15', days_in_from_stage: 5, changed_by: org.users.rep1.id });
    const tasks = await t.db.selectFrom('activities').select(['subject', 'starts_at']).where('opportunity_id', '=', id).orderBy('id').execute();
    expect(tasks.map((x) => x.subject)).toEqual(['组织需求调研会', '整理需求确认书并请客户签字']);

    // Backwards: allowed and recorded.
    const back = await rep1.post(`/opportunities/${id}/advancement`, { to_stage_id: String(demo.byName('初步接洽').id) });
    expect(back.statusCode).toBe(303);
    h = await history(id);
    expect(h).toHaveLength(3);
    expect(h[2]).toMatchObject({ from_stage_id: next.id, to_stage_id: demo.byName('初步接洽').id, days_in_from_stage: 0 });
    expect((await deal(id)).probability).toBe(10);

    // Won needs a reason.
    const noReason = await rep1.post(`/opportunities/${id}/advancement`, { to_stage_id: String(demo.byName('签约').id), reason: '' });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.body).toContain('赢单或输单必须填写原因');
    const won = await rep1.post(`/opportunities/${id}/advancement`, { to_stage_id: String(demo.byName('签约').id), reason: '方案贴合需求，价格有优势' });
    expect(won.statusCode).toBe(303);
    d = await deal(id);
    expect([d.status, d.probability, d.close_reason]).toEqual(['won', 100, '方案贴合需求，价格有优势']);
    expect(d.closed_at).not.toBeNull();
    expect(await history(id)).toHaveLength(4);

    // Closed: a rep may not reopen; a director may.
    const reopen = await rep1.post(`/opportunities/${id}/advancement`, { to_stage_id: String(demo.byName('商务谈判').id) });
    expect(reopen.statusCode).toBe(422);
    expect(reopen.body).toContain('只有销售总监可以重新打开');
    const byDirector = await director.post(`/opportunities/${id}/advancement`, { to_stage_id: String(demo.byName('商务谈判').id) });
    expect(byDirector.statusCode).toBe(303);
    d = await deal(id);
    expect([d.status, d.closed_at, d.close_reason]).toEqual(['open', null, '']);

    const audits = await t.db.selectFrom('audit_log').select(['summary', 'changes']).where('entity', '=', 'opportunity').where('entity_id', '=', id).orderBy('id').execute();
    expect(audits.map((a) => a.summary).filter((s) => s.includes('→'))).toHaveLength(4);
    expect(audits.at(-1)?.summary).toContain('签约 → 商务谈判');
  });

  it('the exported command answers with reasons the board can show', async () => {
    const { id } = await newOpportunity(t.db, { owner: org.users.rep1, customer: customer1, pipelineId: demo.pipelineId, stage: demo.byName('方案报价') });
    const rep1v = await viewerOf('rep1');
    const rep3v = await viewerOf('rep3');
    expect(await advanceOpportunity(t.db, rep3v, ctx, id, demo.byName('商务谈判').id)).toEqual({ ok: false, error: 'notFound' });
    expect(await advanceOpportunity(t.db, rep1v, ctx, id, demo.byName('方案报价').id)).toEqual({ ok: false, error: 'sameStage' });
    expect(await advanceOpportunity(t.db, rep1v, ctx, id, demo.byName('商务谈判').id)).toEqual({ ok: false, error: 'criteriaUnmet', unmet: ['解决方案已演示并获认可', '正式报价单已提交', '技术评估通过'] });
    expect(await advanceOpportunity(t.db, rep1v, ctx, id, demo.byName('输单').id)).toEqual({ ok: false, error: 'reasonRequired' });
    expect(await advanceOpportunity(t.db, rep1v, ctx, id, demo.byName('输单').id, { reason: '预算取消' })).toEqual({ ok: true });
    expect((await deal(id)).status).toBe('lost');
    expect(await advanceOpportunity(t.db, rep1v, ctx, id, demo.byName('初步接洽').id)).toEqual({ ok: false, error: 'closed' });
  });
});

describe('the list', () => {
  it('filters by status and stage, searches deal and customer names, pages by keyset and exports', async () => {
    const c = await newCustomer(t.db, { owner: org.users.rep2, name: '宁波港湾物流有限公司' });
    for (let i = 0; i < 55; i++) await newOpportunity(t.db, { owner: org.users.rep2, customer: c, pipelineId: demo.pipelineId, stage: demo.byName('商务谈判'), name: `港湾物流二期${String(i).padStart(2, '0')}` });
    const rep2 = await signIn(t.app, 'rep2');
    const first = await rep2.get('/opportunities?sort=name');
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('港湾物流二期00');
    expect(first.body).not.toContain('港湾物流二期50');
    const next = /href="(\/opportunities\?[^"]*after=[^"]+)"/.exec(first.body)?.[1]?.replace(/&amp;/g, '&');
    expect(next).toBeDefined();
    const second = await rep2.get(next!);
    expect(second.body).toContain('港湾物流二期50');
    expect(second.body).toContain('港湾物流二期54');
    expect(second.body).not.toContain('港湾物流二期49<');
    expect((await rep2.get('/opportunities?q=' + encodeURIComponent('港湾'))).body).toContain('港湾物流二期');
    expect((await rep2.get('/opportunities?q=' + encodeURIComponent('宁波港湾物流'))).body).toContain('港湾物流二期');
    expect((await rep2.get('/opportunities?status=won')).body).toContain('没有符合条件的机会');
    expect((await rep2.get(`/opportunities?stage=${demo.byName('商务谈判').id}`)).body).toContain('港湾物流二期');
    const csv = await rep2.get('/opportunities/export.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain('港湾物流二期00');
    expect(csv.body).not.toContain('西溪制造');
  });
});

describe('the customer 360° page', () => {
  it("lists the customer's deals the viewer may see, with a link to add one", async () => {
    const c = await newCustomer(t.db, { owner: org.users.rep1, name: '苏州工业园区精密机械有限公司' });
    await newOpportunity(t.db, { owner: org.users.rep1, customer: c, pipelineId: demo.pipelineId, stage: demo.byName('方案报价'), name: '精密机械 MES 项目', amountFen: 35_000_000 });
    const page = await rep1.get(`/customers/${c.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('精密机械 MES 项目');
    expect(page.body).toContain('¥350,000.00');
    expect(page.body).toContain(`/opportunities/new?customer_id=${c.id}`);
  });
});

describe('lead conversion with a deal', () => {
  it('opens the deal in the default pipeline in the same transaction and links it to the lead', async () => {
    const { newLead } = await import('../helpers/leads.ts');
    const { convertLead } = await import('../../src/features/leads/commands.ts');
    const leadId = await newLead(t.db, { owner: org.users.rep1.id, company: '无锡太湖新材料有限公司', person: '钱立群' });
    const contact = { name: '钱立群', gender: '' as const, title: '采购经理', department: '', organisation: '', mobile: '13912345678', phone: '', email: '', wechat: '', address: '', postal_code: '', birthday: null, notes: '' };
    const result = await convertLead(t.db, await viewerOf('rep1'), ctx, leadId, { existingCustomerId: customer1.id }, contact, { name: '太湖新材料 ERP 选型', amountFen: 26_000_000, expectedCloseDate: '2027-03-31' });
    expect(result).toMatchObject({ ok: true, customerId: customer1.id });
    if (!result.ok) return;
    const d = await deal(result.opportunityId!);
    expect(d).toMatchObject({ name: '太湖新材料 ERP 选型', customer_id: customer1.id, amount_fen: 26_000_000, stage_id: demo.byName('初步接洽').id, probability: 10, owner_id: org.users.rep1.id, source: 'lead', lead_id: leadId });
    const l = await t.db.selectFrom('leads').selectAll().where('id', '=', leadId).executeTakeFirstOrThrow();
    expect(l.opportunity_id).toBe(result.opportunityId);
    expect(await history(result.opportunityId!)).toHaveLength(1);
  });
});
