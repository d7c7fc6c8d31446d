import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, smallOrg, testApp, type Client, type TestApp } from '../helpers/app.ts';
import { newActivity, newContactRow, newCustomerRow, newLeadRow } from '../helpers/activities.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof smallOrg>>;
let rep1: Client;
let rep2: Client;
let rep3: Client;
let manager1: Client;
let cust1: { id: number; name: string };
let cust3: { id: number; name: string };

beforeAll(async () => {
  t = await testApp(); // company zone: Asia/Shanghai (UTC+8) by default
  org = await smallOrg(t.db);
  [rep1, rep2, rep3, manager1] = await Promise.all([signIn(t.app, 'rep1'), signIn(t.app, 'rep2'), signIn(t.app, 'rep3'), signIn(t.app, 'manager1')]);
  cust1 = await newCustomerRow(t.db, org.users.rep1, '深圳华为技术有限公司');
  cust3 = await newCustomerRow(t.db, org.users.rep3, '广州白云电器设备股份有限公司');
});
afterAll(async () => t.close());

const activity = (id: number) => t.db.selectFrom('activities').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const lastActivity = async (id: number) => (await t.db.selectFrom('customers').select('last_activity_at').where('id', '=', id).executeTakeFirstOrThrow()).last_activity_at;
const idFrom = (location: string | undefined) => Number(/\/activities\/(\d+)/.exec(location ?? '')?.[1]);

const valid = {
  type: 'visit',
  subject: '拜访采购部',
  starts_at: '2026-03-02T14:30',
  duration_minutes: '90',
  status: 'planned',
  location: '深圳市龙岗区坂田',
  outcome: '',
  next_step: '',
  remind_at: '2026-03-02T13:30',
  customer_id: '',
  contact_id: '',
  lead_id: '',
};

describe('creating an activity', () => {
  it('stores local time in the company zone as UTC, with participants as record members, and audits it', async () => {
    const res = await rep1.post('/activities', { ...valid, customer_id: String(cust1.id), participants: String(org.users.rep2.id) });
    expect(res.statusCode).toBe(303);
    const id = idFrom(res.headers.location as string);
    const a = await activity(id);
    expect(a.starts_at).toBe('2026-03-02T06:30:00.000Z'); // 14:30 in Shanghai
    expect(a.remind_at).toBe('2026-03-02T05:30:00.000Z');
    expect(a.owner_id).toBe(org.users.rep1.id);
    expect(a.duration_minutes).toBe(90);
    const members = await t.db.selectFrom('record_members').selectAll().where('entity', '=', 'activities').where('record_id', '=', id).execute();
    expect(members.map((m) => m.user_id)).toEqual([org.users.rep2.id]);
    const log = await t.db.selectFrom('audit_log').selectAll().where('entity', '=', 'activity').where('entity_id', '=', id).executeTakeFirstOrThrow();
    expect(log.action).toBe('create');
    expect(log.summary).toBe('拜访采购部');
    // The detail page shows it back in local time; the participant sees it, a rep outside does not.
    const page = await rep1.get(`/activities/${id}`);
    expect(page.body).toContain('2026-03-02 14:30');
    expect(page.body).toContain('深圳华为技术有限公司');
    expect((await rep2.get(`/activities/${id}`)).statusCode).toBe(200);
    expect((await rep3.get(`/activities/${id}`)).statusCode).toBe(404);
    expect((await manager1.get(`/activities/${id}`)).statusCode).toBe(200);
  });

  it('shows errors beside the fields and keeps the input', async () => {
    const res = await rep1.post('/activities', { ...valid, subject: '', starts_at: '2026-02-30T10:00', duration_minutes: 'abc', remind_at: '', type: 'party', location: '会议室A' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toMatch(/id="f-subject"[^>]*aria-invalid="true"/);
    expect(res.body).toContain('此项为必填');
    expect(res.body).toContain('请输入有效的日期和时间');
    expect(res.body).toContain('时长应为 0–10080 之间的整数分钟');
    expect(res.body).toContain('value="会议室A"');
    expect(res.body).toContain('value="2026-02-30T10:00"');
  });

  it('refuses a reminder after the activity, and a done activity without an outcome', async () => {
    const late = await rep1.post('/activities', { ...valid, remind_at: '2026-03-02T15:00' });
    expect(late.statusCode).toBe(422);
    expect(late.body).toContain('提醒时间不能晚于行动时间');
    const noOutcome = await rep1.post('/activities', { ...valid, status: 'done' });
    expect(noOutcome.statusCode).toBe(422);
    expect(noOutcome.body).toContain('完成行动时请填写结果');
  });

  it('refuses to link a customer, contact or lead the viewer cannot see', async () => {
    const hiddenContact = await newContactRow(t.db, org.users.rep3, cust3, '陈刚');
    const hiddenLead = await newLeadRow(t.db, org.users.rep3);
    const pool = await newCustomerRow(t.db, null, '公海里的客户有限公司');
    const before = await t.db.selectFrom('activities').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    for (const [field, id] of [['customer_id', cust3.id], ['contact_id', hiddenContact.id], ['lead_id', hiddenLead.id], ['customer_id', pool.id]] as const) {
      const res = await rep1.post('/activities', { ...valid, [field]: String(id) });
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('该记录不存在或您无权关联');
    }
    const after = await t.db.selectFrom('activities').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    // The pickers only list what the viewer can see.
    const form = await rep1.get('/activities/new');
    expect(form.body).toContain('深圳华为技术有限公司');
    expect(form.body).not.toContain('广州白云电器');
    expect(form.body).not.toContain('公海里的客户');
  });

  it('links the contact’s customer too when only a contact is chosen', async () => {
    const contact = await newContactRow(t.db, org.users.rep1, cust1, '赵磊');
    const res = await rep1.post('/activities', { ...valid, contact_id: String(contact.id) });
    const a = await activity(idFrom(res.headers.location as string));
    expect(a.contact_id).toBe(contact.id);
    expect(a.customer_id).toBe(cust1.id);
  });
});

describe('customers.last_activity_at', () => {
  it('moves forward for a past or done activity, never for a future planned one, never backwards', async () => {
    const c = await newCustomerRow(t.db, org.users.rep1, '上海浦东发展有限公司');
    await rep1.post('/activities', { ...valid, customer_id: String(c.id), starts_at: '2099-01-01T10:00', remind_at: '' });
    expect(await lastActivity(c.id)).toBeNull();
    await rep1.post('/activities', { ...valid, customer_id: String(c.id), starts_at: '2025-06-01T10:00', remind_at: '' }); // planned, in the past
    expect(await lastActivity(c.id)).toBe('2025-06-01T02:00:00.000Z');
    await rep1.post('/activities', { ...valid, customer_id: String(c.id), starts_at: '2025-05-01T10:00', remind_at: '', status: 'done', outcome: '已报价' });
    expect(await lastActivity(c.id)).toBe('2025-06-01T02:00:00.000Z'); // older: unchanged
    // Completing a planned future visit early counts as now, not as the future date.
    const future = await rep1.post('/activities', { ...valid, customer_id: String(c.id), starts_at: '2099-02-01T10:00', remind_at: '' });
    const before = new Date().toISOString();
    await rep1.post(`/activities/${idFrom(future.headers.location as string)}/completion`, { outcome: '提前见面，签了意向书' });
    const at = (await lastActivity(c.id))!;
    expect(at >= before && at <= new Date().toISOString()).toBe(true);
  });
});

describe('the activity panel of a record page', () => {
  it('shows the timeline newest first, and the quick form logs an activity that returns the re-rendered panel', async () => {
    const c = await newCustomerRow(t.db, org.users.rep1, '北京字节跳动科技有限公司');
    await newActivity(t.db, org.users.rep1, { customerId: c.id, subject: '第一次电话', type: 'call', startsAt: '2026-01-05T02:00:00.000Z', status: 'done' });
    await newActivity(t.db, org.users.rep1, { customerId: c.id, subject: '上门演示', startsAt: '2026-02-05T02:00:00.000Z', status: 'done' });
    const panel = await rep1.get(`/activities/panel?customer_id=${c.id}`, { 'hx-request': 'true', 'hx-target': 'activity-panel' });
    expect(panel.statusCode).toBe(200);
    expect(panel.body.trimStart().startsWith('<section class="card act-panel" id="activity-panel">')).toBe(true);
    expect(panel.body.indexOf('上门演示')).toBeLessThan(panel.body.indexOf('第一次电话'));
    expect(panel.body).toContain(`href="/activities/new?customer_id=${c.id}"`);
    expect(panel.body).toContain(`hx-get="/activities/quick-form?customer_id=${c.id}"`);

    const quick = await rep1.get(`/activities/quick-form?customer_id=${c.id}`, { 'hx-request': 'true', 'hx-target': 'activity-quick' });
    expect(quick.statusCode).toBe(200);
    expect(quick.body).toContain('id="activity-quick-form"');
    expect(quick.body).toContain('hx-target="#activity-panel"');

    const htmx = { 'hx-request': 'true', 'hx-target': 'activity-panel' };
    const bad = await rep1.post('/activities', { back: 'customer', customer_id: String(c.id), type: 'call', subject: '', starts_at: '2026-02-10T09:00', status: 'done', outcome: '' }, { headers: htmx });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('id="activity-panel"');
    expect(bad.body).toContain('此项为必填');
    expect(bad.body).toContain('value="2026-02-10T09:00"');

    const ok = await rep1.post('/activities', { back: 'customer', customer_id: String(c.id), type: 'call', subject: '回访报价', starts_at: '2026-02-10T09:00', status: 'done', outcome: '客户确认预算' }, { headers: htmx });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('id="activity-panel"');
    expect(ok.body.indexOf('回访报价')).toBeLessThan(ok.body.indexOf('上门演示'));
    expect(ok.body).toContain('客户确认预算');
    expect(ok.body).toContain('行动已记录'); // the flash, swapped out of band
    expect(await lastActivity(c.id)).toBe('2026-02-10T01:00:00.000Z');

    // Without JS the same form posts and goes back to the record page.
    const plain = await rep1.post('/activities', { back: 'customer', customer_id: String(c.id), type: 'note', subject: '备注一下', starts_at: '2026-02-11T09:00', status: 'done', outcome: '无' });
    expect(plain.statusCode).toBe(303);
    expect(plain.headers.location).toBe(`/customers/${c.id}`);
  });

  it('works for contacts and leads, and another rep’s record is 404', async () => {
    const contact = await newContactRow(t.db, org.users.rep1, null, '孙丽');
    const lead = await newLeadRow(t.db, org.users.rep1, '钱进');
    await newActivity(t.db, org.users.rep1, { contactId: contact.id, subject: '节日问候' });
    await newActivity(t.db, org.users.rep1, { leadId: lead.id, subject: '首次联系线索' });
    expect((await rep1.get(`/activities/panel?contact_id=${contact.id}`)).body).toContain('节日问候');
    expect((await rep1.get(`/activities/panel?lead_id=${lead.id}`)).body).toContain('首次联系线索');
    expect((await rep3.get(`/activities/panel?contact_id=${contact.id}`)).statusCode).toBe(404);
    expect((await rep3.get(`/activities/panel?customer_id=${cust1.id}`)).statusCode).toBe(404);
    expect((await rep3.get(`/activities/quick-form?customer_id=${cust1.id}`, { 'hx-request': 'true', 'hx-target': 'activity-quick' })).statusCode).toBe(404);
    expect((await rep3.get(`/activities/new?customer_id=${cust1.id}`)).statusCode).toBe(404);
  });
});

describe('editing, completing and cancelling', () => {
  it('edits an activity; another rep’s edit, completion and cancellation are 404', async () => {
    const { id } = await newActivity(t.db, org.users.rep1, { subject: '季度回顾会', type: 'meeting', startsAt: '2026-04-01T02:00:00.000Z' });
    const form = await rep1.get(`/activities/${id}/edit`);
    expect(form.body).toContain('value="2026-04-01T10:00"');
    expect((await rep3.get(`/activities/${id}/edit`)).statusCode).toBe(404);
    expect((await rep3.post(`/activities/${id}`, { ...valid, subject: '改掉' })).statusCode).toBe(404);
    expect((await rep3.post(`/activities/${id}/completion`, { outcome: 'x' })).statusCode).toBe(404);
    expect((await rep3.post(`/activities/${id}/cancellation`)).statusCode).toBe(404);
    expect((await activity(id)).subject).toBe('季度回顾会');

    const res = await rep1.post(`/activities/${id}`, { ...valid, type: 'meeting', subject: '季度回顾会（改期）', starts_at: '2026-04-02T15:00', remind_at: '' });
    expect(res.statusCode).toBe(303);
    const a = await activity(id);
    expect(a.subject).toBe('季度回顾会（改期）');
    expect(a.starts_at).toBe('2026-04-02T07:00:00.000Z');
    const log = await t.db.selectFrom('audit_log').selectAll().where('entity', '=', 'activity').where('entity_id', '=', id).where('action', '=', 'update').executeTakeFirstOrThrow();
    expect(JSON.parse(log.changes).starts_at).toEqual(['2026-04-01T02:00:00.000Z', '2026-04-02T07:00:00.000Z']);
  });

  it('completion needs an outcome (not for a task); cancellation closes it', async () => {
    const { id } = await newActivity(t.db, org.users.rep1, { subject: '电话跟进', type: 'call' });
    const bad = await rep1.post(`/activities/${id}/completion`, { outcome: '', next_step: '下周发方案' });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('完成行动时请填写结果');
    expect(bad.body).toContain('下周发方案');
    const ok = await rep1.post(`/activities/${id}/completion`, { outcome: '客户有意向', next_step: '下周发方案' });
    expect(ok.statusCode).toBe(303);
    const a = await activity(id);
    expect([a.status, a.outcome, a.next_step]).toEqual(['done', '客户有意向', '下周发方案']);
    expect(a.completed_at).not.toBeNull();
    // Already done: cannot be cancelled.
    await rep1.post(`/activities/${id}/cancellation`);
    expect((await activity(id)).status).toBe('done');

    const other = await newActivity(t.db, org.users.rep1, { subject: '取消的拜访' });
    expect((await rep1.post(`/activities/${other.id}/cancellation`)).statusCode).toBe(303);
    expect((await activity(other.id)).status).toBe('cancelled');
  });
});

describe('/activities list', () => {
  it('lists the viewer’s activities newest first with search and type filters; a manager picks a team member', async () => {
    await newActivity(t.db, org.users.rep1, { subject: '列表测试：华为交流', type: 'meeting', startsAt: '2027-01-10T02:00:00.000Z' });
    await newActivity(t.db, org.users.rep1, { subject: '列表测试：腾讯电话', type: 'call', startsAt: '2027-01-11T02:00:00.000Z' });
    await newActivity(t.db, org.users.rep3, { subject: '列表测试：吴刚的', type: 'call', startsAt: '2027-01-12T02:00:00.000Z' });
    const all = await rep1.get('/activities?q=列表测试');
    expect(all.body.indexOf('腾讯电话')).toBeLessThan(all.body.indexOf('华为交流'));
    expect(all.body).not.toContain('吴刚的');
    const oneChar = await rep1.get('/activities?q=' + encodeURIComponent('腾'));
    expect(oneChar.body).toContain('腾讯电话');
    expect(oneChar.body).not.toContain('华为交流');
    const calls = await rep1.get('/activities?q=列表测试&type=call');
    expect(calls.body).toContain('腾讯电话');
    expect(calls.body).not.toContain('华为交流');
    const byManager = await manager1.get(`/activities?q=列表测试&owner=${org.users.rep1.id}`);
    expect(byManager.body).toContain('腾讯电话');
    expect((await manager1.get(`/activities?owner=${org.users.rep3.id}`)).statusCode).toBe(404);
    const none = await rep1.get('/activities?q=没有这样的行动');
    expect(none.body).toContain('没有符合条件的行动');
    expect(none.body).toContain('href="/activities/new"');
  });
});
