import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, smallOrg, testApp, type Client, type TestApp } from '../helpers/app.ts';
import { count, customerRow } from '../helpers/contacts.ts';
import { newLead } from '../helpers/leads.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof smallOrg>>;
let rep1: Client;
let rep3: Client;
let manager1: Client;
let manager2: Client;

beforeAll(async () => {
  t = await testApp();
  org = await smallOrg(t.db);
  rep1 = await signIn(t.app, 'rep1');
  rep3 = await signIn(t.app, 'rep3');
  manager1 = await signIn(t.app, 'manager1');
  manager2 = await signIn(t.app, 'manager2');
});
afterAll(async () => t.close());

const lead = (id: number) => t.db.selectFrom('leads').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const valid = {
  source: 'exhibition',
  company: '宁波海天精工机械有限公司',
  person: '周海涛',
  title: '采购经理',
  mobile: '13757481234',
  phone: '0574-86181234',
  email: 'zhouht@haitian-jg.cn',
  wechat: '',
  province: '浙江',
  city: '宁波',
  address: '北仑区海天路1号',
  industry: 'manufacturing',
  status: 'new',
  disqualify_reason: '',
  notes: '工博会展位上留的名片',
};
const conversion = (overrides: Record<string, string> = {}) => ({
  mode: 'new',
  customer_id: '',
  customer_name: '宁波海天精工机械有限公司',
  customer_type: 'enterprise',
  customer_grade: 'B',
  contact_name: '周海涛',
  contact_title: '采购经理',
  contact_mobile: '13757481234',
  contact_phone: '',
  contact_email: 'zhouht@haitian-jg.cn',
  contact_wechat: '',
  ...overrides,
});

describe('leads', () => {
  it('creates a lead, audited, and shows it', async () => {
    const res = await rep1.post('/leads', valid);
    expect(res.statusCode).toBe(303);
    const id = Number(/\/leads\/(\d+)$/.exec(String(res.headers.location))![1]);
    expect(await lead(id)).toMatchObject({ company: '宁波海天精工机械有限公司', status: 'new', owner_id: org.users.rep1.id, province: '浙江', industry: 'manufacturing' });
    const log = await t.db.selectFrom('audit_log').selectAll().where('entity', '=', 'lead').where('entity_id', '=', id).executeTakeFirstOrThrow();
    expect(log.action).toBe('create');
    const page = await rep1.get(`/leads/${id}`);
    expect(page.body).toContain('周海涛');
    expect(page.body).toContain('展会');
    expect(page.body).toContain(`href="/leads/${id}/conversion"`);
  });

  it('requires a reason to disqualify, keeps the input, and drops the reason for other statuses', async () => {
    let res = await rep1.post('/leads', { ...valid, status: 'disqualified', mobile: '123' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('请输入有效的手机号码');
    res = await rep1.post('/leads', { ...valid, status: 'disqualified' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('标记为无效时须填写原因');
    expect(res.body).toContain('value="宁波海天精工机械有限公司"');
    res = await rep1.post('/leads', { ...valid, status: 'disqualified', disqualify_reason: '没有预算' });
    expect(res.statusCode).toBe(303);
    res = await rep1.post('/leads', { ...valid, status: 'contacted', disqualify_reason: '写错了' });
    const id = Number(/\/leads\/(\d+)$/.exec(String(res.headers.location))![1]);
    expect((await lead(id)).disqualify_reason).toBe('');
  });

  it('finds one-, two- and three-character terms and filters by status and source, within scope', async () => {
    await newLead(t.db, { owner: org.users.rep1.id, company: '深圳腾讯计算机系统有限公司', person: '马化', status: 'contacted', source: 'referral' });
    await newLead(t.db, { owner: org.users.rep1.id, company: '北京小米科技有限责任公司', person: '雷军', status: 'new', source: 'website' });
    await newLead(t.db, { owner: org.users.rep3.id, company: '腾讯云南方大区', person: '别人', status: 'new' });
    let res = await rep1.get('/leads?q=雷');
    expect(res.body).toContain('北京小米科技有限责任公司');
    expect(res.body).not.toContain('深圳腾讯计算机系统有限公司');
    res = await rep1.get('/leads?q=腾讯');
    expect(res.body).toContain('深圳腾讯计算机系统有限公司');
    expect(res.body).not.toContain('腾讯云南方大区');
    res = await rep1.get('/leads?q=计算机系统');
    expect(res.body).toContain('深圳腾讯计算机系统有限公司');
    res = await rep1.get('/leads?status=contacted');
    expect(res.body).toContain('深圳腾讯计算机系统有限公司');
    expect(res.body).not.toContain('北京小米科技有限责任公司');
    res = await rep1.get('/leads?source=website&q=小米');
    expect(res.body).toContain('北京小米科技有限责任公司');
    res = await rep1.get('/leads?source=referral&q=小米');
    expect(res.body).toContain('没有符合条件的线索。');
    const csv = (await rep1.get('/leads/export.csv?q=腾讯')).rawPayload.toString('utf8');
    expect(csv).toContain('深圳腾讯计算机系统有限公司');
    expect(csv).not.toContain('腾讯云南方大区');
  });

  it("gives 404 for another rep's lead: view, edit, save, convert", async () => {
    const id = await newLead(t.db, { owner: org.users.rep3.id, company: '南区的线索' });
    expect((await rep1.get(`/leads/${id}`)).statusCode).toBe(404);
    expect((await rep1.get(`/leads/${id}/edit`)).statusCode).toBe(404);
    expect((await rep1.post(`/leads/${id}`, valid)).statusCode).toBe(404);
    expect((await rep1.get(`/leads/${id}/conversion`)).statusCode).toBe(404);
    const before = [await count(t.db, 'customers'), await count(t.db, 'contacts')];
    expect((await rep1.post(`/leads/${id}/conversion`, conversion())).statusCode).toBe(404);
    expect([await count(t.db, 'customers'), await count(t.db, 'contacts')]).toEqual(before);
    expect(await lead(id)).toMatchObject({ company: '南区的线索', converted_at: null });
    expect((await rep3.get(`/leads/${id}`)).statusCode).toBe(200);
  });
});

describe('assignment', () => {
  it('lets a manager assign a lead in scope to a user in their scope, audited', async () => {
    const id = await newLead(t.db, { owner: org.users.rep1.id });
    let res = await manager1.post(`/leads/${id}/assignment`, { owner_id: String(org.users.rep2.id) });
    expect(res.statusCode).toBe(303);
    expect((await lead(id)).owner_id).toBe(org.users.rep2.id);
    const log = await t.db.selectFrom('audit_log').selectAll().where('entity', '=', 'lead').where('entity_id', '=', id).where('action', '=', 'update').executeTakeFirstOrThrow();
    expect(JSON.parse(log.changes).owner_id).toEqual([org.users.rep1.id, org.users.rep2.id]);
    // Outside the manager's userScope: refused, nothing changes.
    res = await manager1.post(`/leads/${id}/assignment`, { owner_id: String(org.users.rep3.id) });
    expect(res.statusCode).toBe(303);
    expect((await lead(id)).owner_id).toBe(org.users.rep2.id);
    expect((await manager1.get(`/leads/${id}`)).body).toContain('不能分配给该用户');
    // Another department's manager and any rep: 404.
    expect((await manager2.post(`/leads/${id}/assignment`, { owner_id: String(org.users.rep3.id) })).statusCode).toBe(404);
    expect((await rep1.post(`/leads/${id}/assignment`, { owner_id: String(org.users.rep1.id) })).statusCode).toBe(404);
    expect((await lead(id)).owner_id).toBe(org.users.rep2.id);
  });

  it('assigns several leads at once from the list', async () => {
    const a = await newLead(t.db, { owner: org.users.rep1.id });
    const b = await newLead(t.db, { owner: org.users.rep2.id });
    const body = new URLSearchParams({ _csrf: manager1.csrf, owner_id: String(org.users.manager1.id) });
    body.append('ids', String(a));
    body.append('ids', String(b));
    const res = await t.app.inject({ method: 'POST', url: '/leads/assignment', payload: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...manager1.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(res.statusCode).toBe(303);
    expect((await lead(a)).owner_id).toBe(org.users.manager1.id);
    expect((await lead(b)).owner_id).toBe(org.users.manager1.id);
  });
});

describe('conversion', () => {
  it('creates exactly one customer and one contact in one go, keeps the links, audits all three', async () => {
    const id = await newLead(t.db, { owner: org.users.rep1.id, company: '宁波海天精工机械有限公司', person: '周海涛', province: '浙江', industry: 'manufacturing', source: 'exhibition' });
    const form = await rep1.get(`/leads/${id}/conversion`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('value="宁波海天精工机械有限公司"');
    expect(form.body).toContain('value="周海涛"');
    const before = { customers: await count(t.db, 'customers'), contacts: await count(t.db, 'contacts') };
    const res = await rep1.post(`/leads/${id}/conversion`, conversion());
    expect(res.statusCode).toBe(303);
    expect(await count(t.db, 'customers')).toBe(before.customers + 1);
    expect(await count(t.db, 'contacts')).toBe(before.contacts + 1);
    const l = await lead(id);
    expect(l.status).toBe('qualified');
    expect(l.converted_at).not.toBeNull();
    expect(res.headers.location).toBe(`/customers/${l.customer_id}`);
    const customer = await t.db.selectFrom('customers').selectAll().where('id', '=', l.customer_id!).executeTakeFirstOrThrow();
    expect(customer).toMatchObject({ name: '宁波海天精工机械有限公司', owner_id: org.users.rep1.id, grade: 'B', province: '浙江', industry: 'manufacturing', source: 'exhibition' });
    const contact = await t.db.selectFrom('contacts').selectAll().where('id', '=', l.contact_id!).executeTakeFirstOrThrow();
    expect(contact).toMatchObject({ name: '周海涛', kind: 'customer', customer_id: l.customer_id, owner_id: org.users.rep1.id, title: '采购经理', mobile: '13757481234' });
    const logs = await t.db.selectFrom('audit_log').select(['entity', 'entity_id', 'action']).where('id', '>', 0).orderBy('id', 'desc').limit(3).execute();
    expect(logs.reverse()).toEqual([
      { entity: 'customer', entity_id: l.customer_id, action: 'create' },
      { entity: 'contact', entity_id: l.contact_id, action: 'create' },
      { entity: 'lead', entity_id: id, action: 'update' },
    ]);
    // The lead shows where it went, and cannot be converted twice.
    const page = await rep1.get(`/leads/${id}`);
    expect(page.body).toContain(`href="/customers/${l.customer_id}"`);
    expect(page.body).toContain(`href="/contacts/${l.contact_id}"`);
    expect(page.body).not.toContain(`href="/leads/${id}/conversion"`);
    const again = await rep1.post(`/leads/${id}/conversion`, conversion());
    expect(again.statusCode).toBe(303);
    expect(await count(t.db, 'customers')).toBe(before.customers + 1);
    expect(await count(t.db, 'contacts')).toBe(before.contacts + 1);
  });

  it('links an existing visible customer instead of creating one; refuses one out of sight', async () => {
    const mine = await customerRow(t.db, { owner: org.users.rep1.id, name: '已有客户甲' });
    const theirs = await customerRow(t.db, { owner: org.users.rep3.id, name: '南区客户乙' });
    const id = await newLead(t.db, { owner: org.users.rep1.id, person: '林小华' });
    const before = { customers: await count(t.db, 'customers'), contacts: await count(t.db, 'contacts') };
    let res = await rep1.post(`/leads/${id}/conversion`, conversion({ mode: 'existing', customer_id: '' }));
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('请选择要关联的客户');
    res = await rep1.post(`/leads/${id}/conversion`, conversion({ mode: 'existing', customer_id: String(theirs), contact_name: '林小华' }));
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('所选客户不存在或您无权查看');
    expect(await count(t.db, 'contacts')).toBe(before.contacts);
    res = await rep1.post(`/leads/${id}/conversion`, conversion({ mode: 'existing', customer_id: String(mine), contact_name: '林小华' }));
    expect(res.statusCode).toBe(303);
    expect(await count(t.db, 'customers')).toBe(before.customers);
    expect(await count(t.db, 'contacts')).toBe(before.contacts + 1);
    const l = await lead(id);
    expect(l.customer_id).toBe(mine);
    const contact = await t.db.selectFrom('contacts').selectAll().where('id', '=', l.contact_id!).executeTakeFirstOrThrow();
    expect(contact).toMatchObject({ name: '林小华', customer_id: mine });
  });

  it('shows errors beside the fields and writes nothing on invalid input', async () => {
    const id = await newLead(t.db, { owner: org.users.rep1.id });
    const before = await count(t.db, 'audit_log');
    const res = await rep1.post(`/leads/${id}/conversion`, conversion({ customer_name: '', contact_name: '', contact_mobile: '999' }));
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('id="f-customer_name-err"');
    expect(res.body).toContain('id="f-contact_name-err"');
    expect(res.body).toContain('请输入有效的手机号码');
    expect(res.body).toContain('value="999"');
    expect(await count(t.db, 'audit_log')).toBe(before);
    expect((await lead(id)).converted_at).toBeNull();
  });

  it('writes nothing at all when any part fails', async () => {
    const id = await newLead(t.db, { owner: org.users.rep1.id, company: '失败回滚测试公司' });
    const before = { customers: await count(t.db, 'customers'), contacts: await count(t.db, 'contacts'), audit: await count(t.db, 'audit_log') };
    // The contact insert fails after the customer was written in the same transaction.
    t.sqlite.exec("create trigger fail_contact before insert on contacts begin select raise(abort, 'forced failure'); end");
    try {
      const res = await rep1.post(`/leads/${id}/conversion`, conversion({ customer_name: '失败回滚测试公司' }));
      expect(res.statusCode).toBe(500);
    } finally {
      t.sqlite.exec('drop trigger fail_contact');
    }
    expect({ customers: await count(t.db, 'customers'), contacts: await count(t.db, 'contacts'), audit: await count(t.db, 'audit_log') }).toEqual(before);
    expect(await lead(id)).toMatchObject({ converted_at: null, customer_id: null, contact_id: null, status: 'new' });
    expect(await t.db.selectFrom('customers').selectAll().where('name', '=', '失败回滚测试公司').execute()).toEqual([]);
  });
});
