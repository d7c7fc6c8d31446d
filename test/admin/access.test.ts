import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, smallOrg, testApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof smallOrg>>;
beforeAll(async () => {
  t = await testApp();
  org = await smallOrg(t.db);
});
afterAll(async () => t.close());

const adminPages = ['/admin/users', '/admin/users/new', '/admin/departments', '/admin/company', '/admin/audit'];

describe('admin pages', () => {
  it.each(['gm', 'director', 'manager1', 'rep1'])('answer 404 to %s, for pages and writes', async (username) => {
    const c = await signIn(t.app, username);
    for (const url of adminPages) {
      const res = await c.get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body).toContain('页面不存在');
    }
    const write = await c.post('/admin/departments', { name: '黑客部' });
    expect(write.statusCode).toBe(404);
    expect(await t.db.selectFrom('departments').select('id').where('name', '=', '黑客部').executeTakeFirst()).toBeUndefined();
    const disable = await c.post(`/admin/users/${org.users.rep3.id}/status`, { active: '0' });
    expect(disable.statusCode).toBe(404);
  });

  it('open to the administrator', async () => {
    const c = await signIn(t.app, 'admin');
    for (const url of adminPages) expect((await c.get(url)).statusCode, url).toBe(200);
  });

  it('do not appear in a non-admin navigation', async () => {
    const rep = await signIn(t.app, 'rep1');
    const home = await rep.get('/');
    expect(home.body).not.toContain('href="/admin/users"');
    const admin = await signIn(t.app, 'admin');
    expect((await admin.get('/')).body).toContain('href="/admin/users"');
  });
});

describe('home', () => {
  it('says who the user is, their department and role, and the modules open to them', async () => {
    const c = await signIn(t.app, 'manager1');
    const res = await c.get('/');
    expect(res.body).toContain('华东销售部');
    expect(res.body).toContain('销售经理');
    expect(res.body).toContain('本部门及下级部门');
    expect(res.body).toContain('href="/me"');
  });

  it('is in English for a user who chose English', async () => {
    await t.db.updateTable('users').set({ language: 'en' }).where('id', '=', org.users.rep3.id).execute();
    const c = await signIn(t.app, 'rep3');
    const res = await c.get('/');
    expect(res.body).toContain('<html lang="en">');
    expect(res.body).toContain('Sales rep');
    expect(res.body).toContain('Sign out');
  });
});

describe('operations', () => {
  it('GET /healthz checks the database', async () => {
    const res = await t.app.inject({ url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('an unknown page is a 404 page', async () => {
    const c = await signIn(t.app, 'rep1');
    const res = await c.get('/no-such-page');
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('页面不存在');
  });
});
