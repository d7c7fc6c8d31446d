import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, smallOrg, testApp, type Client, type TestApp } from '../helpers/app.ts';
import { count, customerRow, newContact } from '../helpers/contacts.ts';
import { readSheet } from '../../src/lib/spreadsheet.ts';
import { contactsOfCustomer } from '../../src/features/contacts/queries.ts';
import type { Viewer } from '../../src/access/index.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof smallOrg>>;
let rep1: Client;
let rep3: Client;
let manager1: Client;
let rep1Customer: number;
let rep3Customer: number;

beforeAll(async () => {
  t = await testApp();
  org = await smallOrg(t.db);
  rep1 = await signIn(t.app, 'rep1');
  rep3 = await signIn(t.app, 'rep3');
  manager1 = await signIn(t.app, 'manager1');
  rep1Customer = await customerRow(t.db, { owner: org.users.rep1.id, name: '杭州西湖茶业有限公司' });
  rep3Customer = await customerRow(t.db, { owner: org.users.rep3.id, name: '广州南方电缆有限公司' });
  await customerRow(t.db, { owner: null, name: '公海客户（成都）有限公司' });
});
afterAll(async () => t.close());

const valid = {
  kind: 'public_relations',
  customer_id: '',
  name: '王建国',
  gender: 'male',
  title: '处长',
  department: '招商处',
  organisation: '苏州工业园区管委会',
  mobile: '13912345678',
  phone: '0512-66881234',
  email: 'wang@sipac.gov.cn',
  wechat: 'wjg_sz',
  address: '江苏省苏州市工业园区现代大道999号',
  postal_code: '215028',
  birthday: '1975-03-18',
  notes: '逢年过节寄贺卡',
};
const contact = (id: number) => t.db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirst();
const idFrom = (location: string | string[] | undefined) => Number(/\/contacts\/(\d+)$/.exec(String(location))?.[1]);
const monthInShanghai = () => new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', month: '2-digit' }).format(new Date());

describe('creating and editing contacts', () => {
  it('creates a public-relations contact with a birthday, audited, and shows it', async () => {
    const res = await rep1.post('/contacts', valid);
    expect(res.statusCode).toBe(303);
    const id = idFrom(res.headers.location);
    const row = (await contact(id))!;
    expect(row).toMatchObject({ kind: 'public_relations', customer_id: null, organisation: '苏州工业园区管委会', birthday: '1975-03-18', owner_id: org.users.rep1.id, postal_code: '215028' });
    const log = await t.db.selectFrom('audit_log').selectAll().where('entity', '=', 'contact').where('entity_id', '=', id).executeTakeFirstOrThrow();
    expect(log.action).toBe('create');
    expect(log.changes).toContain('王建国');
    const page = await rep1.get(`/contacts/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('王建国');
    expect(page.body).toContain('苏州工业园区管委会');
    expect(page.body).toContain('215028');
    expect(page.body).toContain('1975-03-18');
  });

  it('shows each error beside its field and keeps the input', async () => {
    const res = await rep1.post('/contacts', { ...valid, name: '', mobile: '1234567', email: 'nope', postal_code: '2150', birthday: '2023-02-30' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('此项为必填');
    expect(res.body).toContain('请输入有效的手机号码');
    expect(res.body).toContain('请输入有效的电子邮箱');
    expect(res.body).toContain('邮政编码为 6 位数字');
    expect(res.body).toContain('请输入有效日期');
    expect(res.body).toContain('value="1234567"');
    expect(res.body).toContain('value="苏州工业园区管委会"');
  });

  it('requires a customer for a customer contact, and refuses one the viewer may not see', async () => {
    let res = await rep1.post('/contacts', { ...valid, kind: 'customer', customer_id: '' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('客户联系人须选择所属客户');
    const before = await count(t.db, 'contacts');
    res = await rep1.post('/contacts', { ...valid, kind: 'customer', customer_id: String(rep3Customer) });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('所选客户不存在或您无权查看');
    expect(await count(t.db, 'contacts')).toBe(before);
    res = await rep1.post('/contacts', { ...valid, name: '陈晓明', kind: 'customer', customer_id: String(rep1Customer) });
    expect(res.statusCode).toBe(303);
    const row = (await contact(idFrom(res.headers.location)))!;
    expect(row.customer_id).toBe(rep1Customer);
    expect(row.organisation).toBe(''); // free text belongs to public-relations contacts only
  });

  it('offers only the customers the viewer can see (own and pool) in the picker', async () => {
    const res = await rep1.get(`/contacts/new?customer_id=${rep1Customer}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('杭州西湖茶业有限公司');
    expect(res.body).toContain('公海客户（成都）有限公司');
    expect(res.body).not.toContain('广州南方电缆有限公司');
    expect(res.body).toMatch(new RegExp(`<option value="${rep1Customer}" selected>`));
  });

  it('edits a contact and audits the changed fields', async () => {
    const id = await newContact(t.db, { owner: org.users.rep1.id, name: '赵丽', organisation: '市商务局' });
    const res = await rep1.post(`/contacts/${id}`, { ...valid, name: '赵丽', organisation: '市商务局', title: '科长' });
    expect(res.statusCode).toBe(303);
    expect((await contact(id))!.title).toBe('科长');
    const log = await t.db.selectFrom('audit_log').selectAll().where('entity', '=', 'contact').where('entity_id', '=', id).where('action', '=', 'update').executeTakeFirstOrThrow();
    expect(JSON.parse(log.changes).title).toEqual(['', '科长']);
  });

  it("gives 404 for another rep's contact: view, edit form, save, key dates", async () => {
    const id = await newContact(t.db, { owner: org.users.rep3.id, name: '他人的联系人' });
    expect((await rep1.get(`/contacts/${id}`)).statusCode).toBe(404);
    expect((await rep1.get(`/contacts/${id}/edit`)).statusCode).toBe(404);
    expect((await rep1.post(`/contacts/${id}`, valid)).statusCode).toBe(404);
    expect((await rep1.post(`/contacts/${id}/key-dates`, { label: '纪念日', date: '2020-01-01', yearly: '1' })).statusCode).toBe(404);
    expect((await contact(id))!.name).toBe('他人的联系人');
    // Their manager's scope does not reach the south department either; the owner sees it.
    expect((await manager1.get(`/contacts/${id}`)).statusCode).toBe(404);
    expect((await rep3.get(`/contacts/${id}`)).statusCode).toBe(200);
  });
});

describe('key dates', () => {
  it('adds and removes a key date on the contact page, audited', async () => {
    const id = await newContact(t.db, { owner: org.users.rep1.id, name: '钱多多' });
    let res = await rep1.post(`/contacts/${id}/key-dates`, { label: '', date: '2021-13-01' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('此项为必填');
    expect(res.body).toContain('请输入有效日期');
    res = await rep1.post(`/contacts/${id}/key-dates`, { label: '结婚纪念日', date: '2012-10-01', yearly: '1' }, { headers: { 'hx-request': 'true', 'hx-target': 'contact-key-dates' } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('id="contact-key-dates"');
    expect(res.body).toContain('结婚纪念日');
    expect(res.body).not.toContain('<html');
    const row = await t.db.selectFrom('contact_key_dates').selectAll().where('contact_id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ label: '结婚纪念日', date: '2012-10-01', yearly: 1 });
    res = await rep1.post(`/contacts/${id}/key-dates/${row.id}/deletion`);
    expect(res.statusCode).toBe(303);
    expect(await t.db.selectFrom('contact_key_dates').selectAll().where('contact_id', '=', id).execute()).toEqual([]);
    const logs = await t.db.selectFrom('audit_log').select('changes').where('entity', '=', 'contact').where('entity_id', '=', id).orderBy('id').execute();
    expect(logs.map((l) => JSON.parse(l.changes).key_date)).toEqual([[null, '结婚纪念日 2012-10-01'], ['结婚纪念日 2012-10-01', null]]);
  });
});

describe('the contact list', () => {
  let rep2Id: number;
  beforeAll(async () => {
    rep2Id = org.users.rep2.id;
    const me = org.users.rep1.id;
    await newContact(t.db, { owner: me, name: '张伟', mobile: '13800001111', organisation: '上海市工商联' });
    await newContact(t.db, { owner: me, name: '李娜', customerId: rep1Customer, email: 'lina@huawei-partner.cn' });
    await newContact(t.db, { owner: me, name: '孙悟', organisation: '深圳华为技术有限公司' });
    await newContact(t.db, { owner: rep2Id, name: '张三丰', organisation: '华为技术服务部' });
    await newContact(t.db, { owner: me, name: '生日本月', birthday: `1988-${monthInShanghai()}-15`, organisation: '协会' });
    const otherMonth = String((Number(monthInShanghai()) % 12) + 1).padStart(2, '0');
    await newContact(t.db, { owner: me, name: '生日下月', birthday: `1990-${otherMonth}-15`, organisation: '协会' });
  });

  it('finds one-, two- and three-character Chinese terms, only within scope', async () => {
    let res = await rep1.get('/contacts?q=张');
    expect(res.body).toContain('张伟');
    expect(res.body).not.toContain('张三丰'); // rep2's
    res = await rep1.get('/contacts?q=华为');
    expect(res.body).toContain('孙悟');
    expect(res.body).not.toContain('张伟');
    res = await rep1.get('/contacts?q=华为技术');
    expect(res.body).toContain('孙悟');
    expect(res.body).not.toContain('张三丰');
    res = await rep1.get('/contacts?q=工商联');
    expect(res.body).toContain('张伟');
    res = await rep1.get('/contacts?q=13800001111');
    expect(res.body).toContain('张伟');
    res = await rep1.get('/contacts?q=11'); // two digits: the mobile, by LIKE
    expect(res.body).toContain('张伟');
    expect(res.body).not.toContain('孙悟');
    // The manager of both reps sees rep2's contact too.
    res = await manager1.get('/contacts?q=华为');
    expect(res.body).toContain('张三丰');
    expect(res.body).toContain('孙悟');
  });

  it('answers an htmx search with the list fragment only', async () => {
    const res = await rep1.get('/contacts?q=张', { 'hx-request': 'true', 'hx-target': 'contacts-list' });
    expect(res.statusCode).toBe(200);
    expect(res.body.startsWith('<div id="contacts-list">')).toBe(true);
    expect(res.body).toContain('张伟');
    expect(res.headers.vary).toContain('HX-Request');
  });

  it('filters by kind, customer, owner and birthday this month', async () => {
    let res = await rep1.get('/contacts?kind=customer');
    expect(res.body).toContain('李娜');
    expect(res.body).not.toContain('张伟');
    res = await rep1.get(`/contacts?customer=${rep1Customer}`);
    expect(res.body).toContain('李娜');
    expect(res.body).not.toContain('孙悟');
    res = await rep1.get('/contacts?birthday=month');
    expect(res.body).toContain('生日本月');
    expect(res.body).not.toContain('生日下月');
    expect(res.body).not.toContain('张伟'); // no birthday
    res = await manager1.get(`/contacts?owner=${rep2Id}`);
    expect(res.body).toContain('张三丰');
    expect(res.body).not.toContain('孙悟');
  });

  it('shows an empty state with what to do next', async () => {
    const res = await rep1.get('/contacts?q=不存在的名字');
    expect(res.body).toContain('没有符合条件的联系人。');
    expect(res.body).toContain('href="/contacts/new"');
  });

  it('pages with a keyset cursor, without gaps or repeats', async () => {
    const rep = org.users.rep3.id;
    for (let i = 0; i < 55; i++) await newContact(t.db, { owner: rep, name: `分页${String(i).padStart(2, '0')}`, updatedAt: `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z` });
    const page1 = await rep3.get('/contacts?q=分页&sort=name');
    const names1 = [...page1.body.matchAll(/>(分页\d\d)</g)].map((m) => m[1]);
    expect(names1).toHaveLength(50);
    expect(names1[0]).toBe('分页00');
    const next = /href="(\/contacts\?[^"]*after=[^"]+)"/.exec(page1.body)![1]!.replace(/&amp;/g, '&');
    const page2 = await rep3.get(next);
    const names2 = [...page2.body.matchAll(/>(分页\d\d)</g)].map((m) => m[1]);
    expect(names2).toEqual(['分页50', '分页51', '分页52', '分页53', '分页54']);
  });

  it('exports the filtered list as CSV (BOM) and xlsx, within scope', async () => {
    const csv = await rep1.get('/contacts/export.csv?q=华为');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const buf = csv.rawPayload;
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = buf.toString('utf8');
    expect(text).toContain('"孙悟"');
    expect(text).not.toContain('张三丰');
    expect(text).not.toContain('张伟');
    const xlsx = await rep1.get('/contacts/export.xlsx?kind=customer');
    expect(xlsx.statusCode).toBe(200);
    const sheet = await readSheet(xlsx.rawPayload);
    expect(sheet.headers[0]).toBe('姓名');
    const names = sheet.rows.map((r) => r[0]);
    expect(names).toContain('李娜');
    expect(names).not.toContain('张伟');
  });

  it('exports only the ticked rows that are in scope', async () => {
    const mine = await newContact(t.db, { owner: org.users.rep1.id, name: '勾选导出' });
    const theirs = await newContact(t.db, { owner: org.users.rep3.id, name: '不该导出' });
    const csv = await rep1.get(`/contacts/export.csv?ids=${mine}&ids=${theirs}`);
    const text = csv.rawPayload.toString('utf8');
    expect(text).toContain('勾选导出');
    expect(text).not.toContain('不该导出');
    expect(text.trim().split('\r\n')).toHaveLength(2);
  });
});

describe('bulk assignment and saved views', () => {
  it('lets a manager assign contacts within their scope, audited; refuses owners outside it; reps get 404', async () => {
    const a = await newContact(t.db, { owner: org.users.rep1.id, name: '待分配甲' });
    const b = await newContact(t.db, { owner: org.users.rep1.id, name: '待分配乙' });
    const outside = await newContact(t.db, { owner: org.users.rep3.id, name: '南区联系人' });
    let res = await manager1.post('/contacts/assignment', { ids: String(a), owner_id: String(org.users.rep3.id) });
    expect(res.statusCode).toBe(303);
    expect((await contact(a))!.owner_id).toBe(org.users.rep1.id);
    const body = new URLSearchParams({ _csrf: manager1.csrf, owner_id: String(org.users.rep2.id) });
    for (const id of [a, b, outside]) body.append('ids', String(id));
    res = await t.app.inject({ method: 'POST', url: '/contacts/assignment', payload: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...manager1.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(res.statusCode).toBe(303);
    expect((await contact(a))!.owner_id).toBe(org.users.rep2.id);
    expect((await contact(b))!.owner_id).toBe(org.users.rep2.id);
    expect((await contact(outside))!.owner_id).toBe(org.users.rep3.id);
    const log = await t.db.selectFrom('audit_log').selectAll().where('entity', '=', 'contact').where('entity_id', '=', a).where('action', '=', 'update').executeTakeFirstOrThrow();
    expect(JSON.parse(log.changes).owner_id).toEqual([org.users.rep1.id, org.users.rep2.id]);
    res = await rep1.post('/contacts/assignment', { ids: String(b), owner_id: String(org.users.rep1.id) });
    expect(res.statusCode).toBe(404);
    expect((await contact(b))!.owner_id).toBe(org.users.rep2.id);
  });

  it('saves a view of the list and deletes it', async () => {
    let res = await rep1.post('/contacts/views', { name: '本月生日', query: '?birthday=month&after=x&evil=1' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/contacts?birthday=month');
    const view = await t.db.selectFrom('saved_views').selectAll().where('user_id', '=', org.users.rep1.id).where('entity', '=', 'contacts').executeTakeFirstOrThrow();
    expect(view.query).toBe('?birthday=month');
    res = await rep1.get('/contacts');
    expect(res.body).toContain('href="/contacts?birthday=month"');
    expect(res.body).toContain('本月生日');
    expect((await rep3.post(`/contacts/views/${view.id}/deletion`)).statusCode).toBe(404);
    expect((await rep1.post(`/contacts/views/${view.id}/deletion`)).statusCode).toBe(303);
    expect(await t.db.selectFrom('saved_views').selectAll().where('id', '=', view.id).execute()).toEqual([]);
  });
});

describe('contacts of a customer (for the customer 360° page)', () => {
  it('returns the visible contacts of the customer by name', async () => {
    const cust = await customerRow(t.db, { owner: org.users.rep1.id, name: '面板客户' });
    await newContact(t.db, { owner: org.users.rep1.id, customerId: cust, name: '乙经理' });
    await newContact(t.db, { owner: org.users.rep1.id, customerId: cust, name: '甲总监' });
    await newContact(t.db, { owner: org.users.rep3.id, customerId: cust, name: '别人的' });
    const viewer: Viewer = { id: org.users.rep1.id, username: 'rep1', displayName: 'rep1', role: 'sales_rep', departmentId: org.departments.east.id, departmentIds: [org.departments.east.id, org.departments.eastTeam.id], language: 'zh-CN', mustChangePassword: false, memberOf: new Set() };
    const rows = await contactsOfCustomer(t.db, viewer, cust);
    expect(rows.map((r) => r.name).sort()).toEqual(['乙经理', '甲总监'].sort());
  });
});
