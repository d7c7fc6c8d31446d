import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, smallOrg, testApp, type Client, type TestApp } from '../helpers/app.ts';
import { customerForm, newCustomer } from '../helpers/customers.ts';
import { readSheet } from '../../src/lib/spreadsheet.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof smallOrg>>;
let rep1: Client;
let rep2: Client;
let rep3: Client;
let manager1: Client;
let director: Client;
beforeAll(async () => {
  t = await testApp();
  org = await smallOrg(t.db);
  rep1 = await signIn(t.app, 'rep1');
  rep2 = await signIn(t.app, 'rep2');
  rep3 = await signIn(t.app, 'rep3');
  manager1 = await signIn(t.app, 'manager1');
  director = await signIn(t.app, 'director');
});
afterAll(async () => t.close());

const customer = (id: number) => t.db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const lastAudit = (id: number) =>
  t.db.selectFrom('audit_log').selectAll().where('entity', '=', 'customer').where('entity_id', '=', id).orderBy('id', 'desc').executeTakeFirstOrThrow();
const idFrom = (location: string | undefined) => Number(/\/customers\/(\d+)$/.exec(location ?? '')?.[1]);
const enc = encodeURIComponent;

describe('creating and editing customers', () => {
  it('creates a customer with tags, owned by the rep, and audits it', async () => {
    const res = await rep1.post('/customers', customerForm({ name: '杭州明道软件有限公司', credit_code: '91330100716105852f' }));
    expect(res.statusCode).toBe(303);
    const id = idFrom(res.headers.location);
    const row = await customer(id);
    expect(row.owner_id).toBe(org.users.rep1.id);
    expect(row.credit_code).toBe('91330100716105852F'); // normalised to capitals
    expect(row.industry).toBe('it');
    const tags = await t.db.selectFrom('customer_tags').select('tag').where('customer_id', '=', id).orderBy('tag').execute();
    expect(tags.map((r) => r.tag)).toEqual(['软件', '重点']);
    const log = await lastAudit(id);
    expect(log.action).toBe('create');
    expect(JSON.parse(log.changes).name).toEqual([null, '杭州明道软件有限公司']);
    const page = await rep1.get(`/customers/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('杭州明道软件有限公司');
    expect(page.body).toContain('信息技术');
    expect(page.body).toContain('客户已创建');
  });

  it('shows each error beside its field and keeps what was typed', async () => {
    const res = await rep1.post('/customers', customerForm({ name: '', credit_code: '914403001922038217', postal_code: '3100', website: 'not a site', phone: 'abc', grade: 'D' }));
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('此项为必填');
    expect(res.body).toContain('统一社会信用代码无效');
    expect(res.body).toContain('邮政编码为 6 位数字');
    expect(res.body).toContain('请输入有效的网址');
    expect(res.body).toContain('请输入有效的电话号码');
    expect(res.body).toMatch(/id="f-credit_code"[^>]*value="914403001922038217"[^>]*aria-invalid="true"/);
    expect(res.body).toContain('value="3100"');
    expect(await t.db.selectFrom('customers').select('id').where('credit_code', '=', '914403001922038217').executeTakeFirst()).toBeUndefined();
  });

  it('saves an edit and audits exactly the changed fields, tags included', async () => {
    const { id } = await newCustomer(t.db, { owner: org.users.rep1, name: '苏州工业园区精工机械有限公司', grade: 'C', tags: ['老客户'] });
    const res = await rep1.post(`/customers/${id}`, customerForm({ name: '苏州工业园区精工机械有限公司', grade: 'A', lifecycle: 'prospect', tags: '老客户 华东', short_name: '', industry: '', province: '', city: '', address: '', postal_code: '', phone: '', website: '', size: '', source: 'other' }));
    expect(res.statusCode).toBe(303);
    expect((await customer(id)).grade).toBe('A');
    const changes = JSON.parse((await lastAudit(id)).changes) as Record<string, unknown>;
    expect(changes.grade).toEqual(['C', 'A']);
    expect(changes.tags).toEqual(['老客户', '华东, 老客户']);
    expect(Object.keys(changes).sort()).toEqual(['grade', 'tags']);
    const page = await rep1.get(`/customers/${id}`);
    expect(page.body).toContain('修改记录');
    expect(page.body).toContain('C 类（一般）');
    expect(page.body).toContain('A 类（重点）');
  });
});

describe('the duplicate warning', () => {
  let huawei: number;
  beforeAll(async () => {
    huawei = (await newCustomer(t.db, { owner: org.users.rep1, name: '深圳市华为技术有限公司', creditCode: '914403001922038216', phone: '0755-28780808' })).id;
  });

  it('warns of a similar name before saving, links the match, and saves only when confirmed', async () => {
    const form = customerForm({ name: '华为技术股份有限公司', phone: '', tags: '' });
    const res = await rep1.post('/customers', form);
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('可能重复的客户');
    expect(res.body).toContain(`href="/customers/${huawei}"`);
    expect(res.body).toContain('名称相似');
    expect(res.body).toContain('仍然保存');
    expect(res.body).toContain('value="华为技术股份有限公司"');
    expect(await t.db.selectFrom('customers').select('id').where('name', '=', '华为技术股份有限公司').executeTakeFirst()).toBeUndefined();
    const confirm = /name="confirm" value="([^"]*)"/.exec(res.body)![1]!;
    const saved = await rep1.post('/customers', { ...form, confirm: confirm.replace(/&#39;|&quot;|&amp;/g, (m) => ({ '&#39;': "'", '&quot;': '"', '&amp;': '&' })[m]!) });
    expect(saved.statusCode).toBe(303);
  });

  it('a confirmation for one name does not wave through another', async () => {
    const first = await rep1.post('/customers', customerForm({ name: '华为技术有限公司', phone: '', tags: '' }));
    expect(first.statusCode).toBe(422);
    const confirm = /name="confirm" value="([^"]*)"/.exec(first.body)![1]!;
    const other = await rep1.post('/customers', customerForm({ name: '上海华为技术有限公司', phone: '', tags: '', confirm }));
    expect(other.statusCode).toBe(422);
    expect(other.body).toContain('可能重复的客户');
  });

  it('warns of the same credit code and the same phone, naming another rep’s match without a link', async () => {
    const res = await rep3.post('/customers', customerForm({ name: '完全不同的名字商贸', credit_code: '914403001922038216', phone: '0755-28780808', tags: '' }));
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('信用代码相同');
    expect(res.body).toContain('电话相同');
    expect(res.body).toContain('深圳市华为技术有限公司');
    expect(res.body).not.toContain(`href="/customers/${huawei}"`);
    expect(res.body).toContain('（他人负责）');
  });

  it('does not warn for an unrelated name', async () => {
    const res = await rep1.post('/customers', customerForm({ name: '成都天府茶业有限公司', phone: '', tags: '' }));
    expect(res.statusCode).toBe(303);
  });
});

describe('search, filters and keyset pages', () => {
  beforeAll(async () => {
    await newCustomer(t.db, { owner: org.users.rep2, name: '深圳华为技术服务有限公司', grade: 'A', province: '广东', industry: 'it', tags: ['战略'] });
    await newCustomer(t.db, { owner: org.users.rep2, name: '华为终端（东莞）有限公司', grade: 'B', province: '广东', industry: 'manufacturing' });
    await newCustomer(t.db, { owner: org.users.rep2, name: '张家港保税区物流有限公司', grade: 'C', province: '江苏', industry: 'logistics' });
    await newCustomer(t.db, { owner: org.users.rep2, name: '北京腾华科技有限公司', grade: 'C', province: '北京', industry: 'it', phone: '010-62345678' });
  });

  it('finds by one, two and three characters (LIKE for short terms, the trigram index for longer)', async () => {
    const one = await rep2.get(`/customers?q=${enc('张')}`);
    expect(one.body).toContain('张家港保税区物流有限公司');
    expect(one.body).not.toContain('北京腾华科技有限公司');
    const two = await rep2.get(`/customers?q=${enc('华为')}`);
    expect(two.body).toContain('深圳华为技术服务有限公司');
    expect(two.body).toContain('华为终端（东莞）有限公司');
    expect(two.body).not.toContain('北京腾华科技有限公司');
    const three = await rep2.get(`/customers?q=${enc('华为技')}`);
    expect(three.body).toContain('深圳华为技术服务有限公司');
    expect(three.body).not.toContain('华为终端（东莞）有限公司');
    const phone = await rep2.get(`/customers?q=${enc('62345678')}`);
    expect(phone.body).toContain('北京腾华科技有限公司');
    const none = await rep2.get(`/customers?q=${enc('%')}`);
    expect(none.body).toContain('没有符合条件的客户');
  });

  it('finds the same for a director, whose short terms collect matching ids first', async () => {
    const one = await director.get(`/customers?q=${enc('张')}`);
    expect(one.body).toContain('张家港保税区物流有限公司');
    expect(one.body).not.toContain('北京腾华科技有限公司');
    const two = await director.get(`/customers?q=${enc('华为')}`);
    for (const name of ['深圳华为技术服务有限公司', '华为终端（东莞）有限公司', '深圳市华为技术有限公司']) expect(two.body).toContain(name);
    expect(two.body).not.toContain('北京腾华科技有限公司');
    const three = await director.get(`/customers?q=${enc('华为技')}`);
    expect(three.body).toContain('深圳华为技术服务有限公司');
    expect(three.body).not.toContain('华为终端（东莞）有限公司');
    const digits = await director.get(`/customers?q=${enc('62')}`);
    expect(digits.body).toContain('北京腾华科技有限公司'); // by phone
    const gone = await director.get(`/customers?q=${enc('鑫鑫')}`);
    expect(gone.body).toContain('没有符合条件的客户');
    // A manager's short search stays inside the team: rep3 (south) is not manager1's.
    const mgr = await manager1.get(`/customers?q=${enc('华为')}`);
    expect(mgr.body).toContain('深圳华为技术服务有限公司');
    expect(mgr.body).not.toContain('完全不同的名字商贸');
  });

  it('answers the active search with the list fragment only', async () => {
    const res = await rep2.get(`/customers?q=${enc('华为')}`, { 'hx-request': 'true', 'hx-target': 'customers-list' });
    expect(res.body.trim().startsWith('<div id="customers-list">')).toBe(true);
    expect(res.body).not.toContain('<html');
    const page = await rep2.get('/customers');
    expect(page.body).toContain('hx-trigger="input changed delay:300ms"');
    expect(page.body).toContain('hx-push-url="true"');
  });

  it('filters by grade, industry, province, tag and owner; another rep’s customers never show', async () => {
    const a = await rep2.get('/customers?grade=A');
    expect(a.body).toContain('深圳华为技术服务有限公司');
    expect(a.body).not.toContain('华为终端（东莞）有限公司');
    const ind = await rep2.get('/customers?industry=logistics');
    expect(ind.body).toContain('张家港保税区物流有限公司');
    expect(ind.body).not.toContain('北京腾华科技有限公司');
    const prov = await rep2.get(`/customers?province=${enc('北京')}`);
    expect(prov.body).toContain('北京腾华科技有限公司');
    expect(prov.body).not.toContain('张家港');
    const tag = await rep2.get(`/customers?tag=${enc('战略')}`);
    expect(tag.body).toContain('深圳华为技术服务有限公司');
    expect(tag.body).not.toContain('华为终端');
    const others = await rep2.get('/customers');
    expect(others.body).not.toContain('深圳市华为技术有限公司'); // rep1's
    const mgr = await manager1.get(`/customers?owner=${org.users.rep2.id}`);
    expect(mgr.body).toContain('深圳华为技术服务有限公司');
    expect(mgr.body).not.toContain('深圳市华为技术有限公司');
  });

  it('pages with a keyset cursor in each sort order', async () => {
    const owner = await t.db.insertInto('users').values({ username: 'bulkrep', display_name: '分页测试', role: 'sales_rep', department_id: org.departments.south.id, password_hash: 'x', created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z' }).returning('id').executeTakeFirstOrThrow();
    for (let i = 0; i < 60; i++) {
      const n = String(i).padStart(2, '0');
      // Same updated_at for pairs, so the id tie-break matters.
      await newCustomer(t.db, { owner, name: `分页客户${n}`, updatedAt: `2026-03-${String(1 + Math.floor(i / 2)).padStart(2, '0')}T08:00:00.000Z` });
    }
    const all = new Set<string>();
    let url = `/customers?owner=${owner.id}&sort=name`;
    const pages: number[] = [];
    while (url) {
      const res = await director.get(url);
      const names = [...res.body.matchAll(/class="customer-name">(分页客户\d\d)</g)].map((m) => m[1]!);
      pages.push(names.length);
      names.forEach((n) => all.add(n));
      if (pages.length === 1) expect(names[0]).toBe('分页客户00');
      const next = /href="(\/customers\?[^"]*after=[^"]*)"/.exec(res.body)?.[1];
      url = next ? next.replace(/&amp;/g, '&') : '';
    }
    expect(pages).toEqual([50, 10]);
    expect(all.size).toBe(60);
    // Newest-updated first; the second page starts right after the first without overlap.
    const p1 = await director.get(`/customers?owner=${owner.id}`);
    const first = [...p1.body.matchAll(/class="customer-name">(分页客户\d\d)</g)].map((m) => m[1]!);
    expect(first.slice(0, 2).sort()).toEqual(['分页客户58', '分页客户59']);
    const next = /href="(\/customers\?[^"]*after=[^"]*)"/.exec(p1.body)![1]!.replace(/&amp;/g, '&');
    const p2 = await director.get(next);
    const second = [...p2.body.matchAll(/class="customer-name">(分页客户\d\d)</g)].map((m) => m[1]!);
    expect(second.sort()).toEqual(['分页客户00', '分页客户01', '分页客户02', '分页客户03', '分页客户04', '分页客户05', '分页客户06', '分页客户07', '分页客户08', '分页客户09']);
  });
});

describe('data scope', () => {
  it('a rep opening, editing or claiming another rep’s customer by id gets 404', async () => {
    const { id } = await newCustomer(t.db, { owner: org.users.rep1, name: '只属于张伟的客户' });
    expect((await rep2.get(`/customers/${id}`)).statusCode).toBe(404);
    expect((await rep2.get(`/customers/${id}/edit`)).statusCode).toBe(404);
    expect((await rep2.post(`/customers/${id}`, customerForm({ name: '改名' }))).statusCode).toBe(404);
    expect((await rep2.post(`/customers/${id}/claim`)).statusCode).toBe(404);
    expect((await rep2.post(`/customers/${id}/release`)).statusCode).toBe(404);
    expect((await rep2.post(`/customers/${id}/assignment`, { owner_id: String(org.users.rep2.id) })).statusCode).toBe(404);
    expect((await customer(id)).name).toBe('只属于张伟的客户');
    // rep1's manager sees it; the other department's rep does not.
    expect((await manager1.get(`/customers/${id}`)).statusCode).toBe(200);
    expect((await rep3.get(`/customers/${id}`)).statusCode).toBe(404);
  });

  it('an administrator has no customers pages', async () => {
    const admin = await signIn(t.app, 'admin');
    expect((await admin.get('/customers')).statusCode).toBe(404);
  });
});

describe('the public pool', () => {
  it('shows pool customers to every rep, read-only until claimed; a claim makes it mine and is in its history', async () => {
    const { id } = await newCustomer(t.db, { owner: null, name: '无锡公海测试电子有限公司' });
    const pool = await rep3.get('/customers/pool');
    expect(pool.body).toContain('无锡公海测试电子有限公司');
    expect(pool.body).toContain(`formaction="/customers/${id}/claim"`);
    const page = await rep3.get(`/customers/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('领取');
    expect((await rep3.get(`/customers/${id}/edit`)).statusCode).toBe(404);
    expect((await rep3.post(`/customers/${id}`, customerForm({ name: '偷改' }))).statusCode).toBe(404);
    // Not in the rep's own list until claimed.
    expect((await rep3.get('/customers')).body).not.toContain('无锡公海测试电子有限公司');

    const res = await rep3.post(`/customers/${id}/claim`, { return: '/customers/pool' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/customers/${id}`);
    const row = await customer(id);
    expect(row.owner_id).toBe(org.users.rep3.id);
    expect(row.pooled_at).toBeNull();
    const log = await lastAudit(id);
    expect(log.action).toBe('update');
    expect(log.summary).toContain('领取');
    expect(JSON.parse(log.changes)).toEqual({ owner_id: [null, org.users.rep3.id] });
    const after = await rep3.get(`/customers/${id}`);
    expect(after.body).toContain('领取：无锡公海测试电子有限公司');
    // Someone else now finds it gone from the pool: 404, as for any customer not theirs.
    expect((await rep2.post(`/customers/${id}/claim`)).statusCode).toBe(404);
  });

  it('refuses a claim beyond the per-rep limit with a message', async () => {
    const held = Number((await t.db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).where('owner_id', '=', org.users.rep3.id).executeTakeFirstOrThrow()).n);
    await sql`update company set pool_claim_limit = ${held} where id = 1`.execute(t.db);
    try {
      const { id } = await newCustomer(t.db, { owner: null, name: '上限测试客户有限公司' });
      const res = await rep3.post(`/customers/${id}/claim`, { return: '/customers/pool' });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/customers/pool');
      expect((await customer(id)).owner_id).toBeNull();
      const page = await rep3.get('/customers/pool');
      expect(page.body).toContain(`您已负责 ${held} 个客户，达到领取上限 ${held} 个`);
    } finally {
      await sql`update company set pool_claim_limit = 100 where id = 1`.execute(t.db);
    }
  });

  it('a manager assigns within the team and reclaims to the pool; each move is in the history', async () => {
    const { id } = await newCustomer(t.db, { owner: null, name: '南通分配测试纺织有限公司' });
    // Not to someone outside the manager's departments.
    const outside = await manager1.post(`/customers/${id}/assignment`, { owner_id: String(org.users.rep3.id) });
    expect(outside.statusCode).toBe(303);
    expect((await customer(id)).owner_id).toBeNull();
    const res = await manager1.post(`/customers/${id}/assignment`, { owner_id: String(org.users.rep2.id) });
    expect(res.statusCode).toBe(303);
    expect((await customer(id)).owner_id).toBe(org.users.rep2.id);
    expect((await lastAudit(id)).summary).toContain('分配');
    const back = await manager1.post(`/customers/${id}/release`);
    expect(back.statusCode).toBe(303);
    const row = await customer(id);
    expect(row.owner_id).toBeNull();
    expect(row.pooled_at).not.toBeNull();
    expect((await lastAudit(id)).summary).toContain('退回公海');
    const history = await manager1.get(`/customers/${id}`);
    expect(history.body).toContain('分配：南通分配测试纺织有限公司');
    expect(history.body).toContain('退回公海：南通分配测试纺织有限公司');
    // A rep may neither assign nor reclaim, not even their own customer.
    const mine = await newCustomer(t.db, { owner: org.users.rep2, name: '周婷自己的客户' });
    expect((await rep2.post(`/customers/${mine.id}/release`)).statusCode).toBe(404);
    expect((await rep2.post(`/customers/${mine.id}/assignment`, { owner_id: String(org.users.rep1.id) })).statusCode).toBe(404);
    expect((await customer(mine.id)).owner_id).toBe(org.users.rep2.id);
  });
});

describe('bulk actions, saved views and export', () => {
  it('adds a tag to the checked customers the rep may edit, skipping others', async () => {
    const a = await newCustomer(t.db, { owner: org.users.rep1, name: '批量甲' });
    const b = await newCustomer(t.db, { owner: org.users.rep1, name: '批量乙' });
    const other = await newCustomer(t.db, { owner: org.users.rep3, name: '批量丙' });
    const body = new URLSearchParams({ _csrf: rep1.csrf, action: 'tag', tag: '展会2026', return: '/customers' });
    for (const id of [a.id, b.id, other.id]) body.append('ids', String(id));
    const res = await t.app.inject({ method: 'POST', url: '/customers/bulk', payload: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...rep1.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(res.statusCode).toBe(303);
    const tagged = await t.db.selectFrom('customer_tags').select('customer_id').where('tag', '=', '展会2026').orderBy('customer_id').execute();
    expect(tagged.map((r) => r.customer_id)).toEqual([a.id, b.id]);
    expect(JSON.parse((await lastAudit(a.id)).changes).tags).toEqual([null, '展会2026']);
  });

  it('bulk assignment is for managers only, within their team', async () => {
    const a = await newCustomer(t.db, { owner: org.users.rep1, name: '批量分配甲' });
    const post = (c: Client, owner: number) => c.post('/customers/bulk', { action: 'assign', owner_id: String(owner), ids: String(a.id), return: '/customers' });
    expect((await post(rep1, org.users.rep2.id)).statusCode).toBe(404);
    expect((await customer(a.id)).owner_id).toBe(org.users.rep1.id);
    expect((await post(manager1, org.users.rep2.id)).statusCode).toBe(303);
    expect((await customer(a.id)).owner_id).toBe(org.users.rep2.id);
  });

  it('saves the current filters as a view, lists it, and deletes it (only the owner may)', async () => {
    const res = await rep1.post('/customers/views', { name: 'A 类重点', query: 'grade=A&q=%E5%8D%8E%E4%B8%BA&after=x' });
    expect(res.statusCode).toBe(303);
    const view = await t.db.selectFrom('saved_views').selectAll().where('user_id', '=', org.users.rep1.id).executeTakeFirstOrThrow();
    expect(view.query).toBe('q=%E5%8D%8E%E4%B8%BA&grade=A');
    const page = await rep1.get('/customers');
    expect(page.body).toContain('A 类重点');
    expect(page.body).toContain(`href="/customers?q=%E5%8D%8E%E4%B8%BA&amp;grade=A"`);
    expect((await rep2.post(`/customers/views/${view.id}/delete`)).statusCode).toBe(404);
    expect((await rep1.post(`/customers/views/${view.id}/delete`)).statusCode).toBe(303);
    expect(await t.db.selectFrom('saved_views').select('id').where('id', '=', view.id).executeTakeFirst()).toBeUndefined();
  });

  it('exports the filtered list as CSV (BOM, scoped) and .xlsx; the checked rows only when given', async () => {
    const csv = await rep2.get(`/customers/export.csv?q=${enc('华为')}`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.body).toContain('"客户名称"');
    expect(csv.body).toContain('深圳华为技术服务有限公司');
    expect(csv.body).not.toContain('深圳市华为技术有限公司'); // rep1's
    const xlsx = await rep2.get(`/customers/export.xlsx?grade=A`);
    expect(xlsx.statusCode).toBe(200);
    const sheet = await readSheet(xlsx.rawPayload);
    expect(sheet.headers[0]).toBe('客户名称');
    expect(sheet.rows.map((r) => r[0])).toEqual(['深圳华为技术服务有限公司']);
    const one = await t.db.selectFrom('customers').select('id').where('name', '=', '张家港保税区物流有限公司').executeTakeFirstOrThrow();
    const rep1Own = await t.db.selectFrom('customers').select('id').where('name', '=', '深圳市华为技术有限公司').executeTakeFirstOrThrow();
    const pool = await newCustomer(t.db, { owner: null, name: '导出公海测试有限公司' });
    const picked = await rep2.get(`/customers/export.csv?ids=${one.id}&ids=${pool.id}`);
    const lines = picked.body.trim().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(picked.body).toContain('张家港保税区物流有限公司');
    expect(picked.body).toContain('导出公海测试有限公司');
    // Another rep's customer among the checked ones: 404, as when opening it.
    expect((await rep2.get(`/customers/export.csv?ids=${one.id}&ids=${rep1Own.id}`)).statusCode).toBe(404);
    expect((await rep2.get(`/customers/export.xlsx?ids=${rep1Own.id}`)).statusCode).toBe(404);
  });
});

describe('pool settings on the company page', () => {
  it('saves the idle days and claim limit, and validates them', async () => {
    const admin = await signIn(t.app, 'admin');
    const base = { name: '测试科技有限公司', address: '', postal_code: '', phone: '', tax_id: '', bank_name: '', bank_account: '', time_zone: 'Asia/Shanghai', currency: 'CNY' };
    const bad = await admin.post('/admin/company', { ...base, pool_days: '0', pool_claim_limit: 'x' });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('请输入 1–3650 之间的整数');
    expect(bad.body).toContain('请输入 1–100000 之间的整数');
    const ok = await admin.post('/admin/company', { ...base, pool_days: '45', pool_claim_limit: '80' });
    expect(ok.statusCode).toBe(303);
    const row = await sql<{ pool_days: number; pool_claim_limit: number }>`select pool_days, pool_claim_limit from company`.execute(t.db);
    expect(row.rows[0]).toEqual({ pool_days: 45, pool_claim_limit: 80 });
    expect((await admin.get('/admin/company')).body).toContain('value="45"');
    await sql`update company set pool_days = 30, pool_claim_limit = 100`.execute(t.db);
  });
});
