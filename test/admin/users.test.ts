import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, PASSWORD, signIn, smallOrg, testApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof smallOrg>>;
let admin: Client;
beforeAll(async () => {
  t = await testApp();
  org = await smallOrg(t.db);
  admin = await signIn(t.app, 'admin');
});
afterAll(async () => t.close());

const user = (username: string) => t.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
const valid = { username: 'new.rep', display_name: '新同事', email: 'new@example.cn', phone: '13812345678', department_id: '', role: 'sales_rep', language: 'zh-CN', password: 'initial-pass' };

describe('users', () => {
  it('creates a user who can then sign in, and audits it without the password', async () => {
    const res = await admin.post('/admin/users', { ...valid, department_id: String(org.departments.east.id) });
    expect(res.statusCode).toBe(303);
    const u = (await user('new.rep'))!;
    expect(u.department_id).toBe(org.departments.east.id);
    expect(u.password_hash.startsWith('$argon2id$')).toBe(true);
    const c = await signIn(t.app, 'new.rep', 'initial-pass');
    expect((await c.get('/')).body).toContain('新同事');
    const log = await t.db.selectFrom('audit_log').selectAll().where('entity', '=', 'user').where('entity_id', '=', u.id).executeTakeFirstOrThrow();
    expect(log.changes).toContain('新同事');
    expect(log.changes).not.toContain('password');
    expect(log.changes).not.toContain('initial-pass');
  });

  it('shows each error next to its field and keeps what was typed', async () => {
    const res = await admin.post('/admin/users', { ...valid, username: 'A b', email: 'not-an-email', phone: '12345', password: 'short' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('只能使用 3–32 位小写字母');
    expect(res.body).toContain('请输入有效的电子邮箱');
    expect(res.body).toContain('请输入有效的手机号码');
    expect(res.body).toContain('密码至少 8 位');
    expect(res.body).toContain('value="not-an-email"');
    expect(res.body).toContain('value="新同事"');
    expect(res.body).not.toContain('value="short"');
    expect(res.body).toMatch(/id="f-email"[^>]*aria-invalid="true"/);
  });

  it('refuses a taken username', async () => {
    const res = await admin.post('/admin/users', { ...valid, username: 'rep1' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('该用户名已被使用');
  });

  it('finds users by search, department (with sub-departments), role and status', async () => {
    const byName = await admin.get('/admin/users?q=manager');
    expect(byName.body).toContain('manager1');
    expect(byName.body).not.toContain('>rep1<');
    const byDept = await admin.get(`/admin/users?department=${org.departments.east.id}`);
    expect(byDept.body).toContain('>rep2<'); // in the sub-team 上海组
    expect(byDept.body).not.toContain('>rep3<');
    const byRole = await admin.get('/admin/users?role=sales_manager');
    expect(byRole.body).toContain('>manager2<');
    expect(byRole.body).not.toContain('>director<');
    const none = await admin.get('/admin/users?q=%E4%B8%8D%E5%AD%98%E5%9C%A8');
    expect(none.body).toContain('没有符合条件的用户');
    expect(none.body).toContain('href="/admin/users/new"');
    const like = await admin.get('/admin/users?q=%25');
    expect(like.body).toContain('没有符合条件的用户');
  });

  it('answers an htmx search with the list fragment only', async () => {
    const res = await admin.get('/admin/users?q=rep', { 'hx-request': 'true', 'hx-target': 'users-list' });
    expect(res.statusCode).toBe(200);
    expect(res.body.trim().startsWith('<div id="users-list">')).toBe(true);
    expect(res.body).not.toContain('<html');
    expect(res.headers.vary).toContain('HX-Request');
    const boosted = await admin.get('/admin/users?q=rep', { 'hx-request': 'true', 'hx-boosted': 'true' });
    expect(boosted.body).toContain('<html');
    // An HX-Location navigation (no target element) gets the whole page too.
    const navigation = await admin.get('/admin/users?q=rep', { 'hx-request': 'true' });
    expect(navigation.body).toContain('<html');
  });

  it('pages with a keyset cursor', async () => {
    const now = new Date().toISOString();
    await t.db
      .insertInto('users')
      .values(Array.from({ length: 60 }, (_, i) => ({ username: `bulk${String(i).padStart(2, '0')}`, display_name: `批量${i}`, role: 'sales_rep' as const, password_hash: 'x', created_at: now, updated_at: now })))
      .execute();
    const first = await admin.get('/admin/users?q=bulk');
    expect(first.body).toContain('>bulk49<');
    expect(first.body).not.toContain('>bulk50<');
    expect(first.body).toContain('after=bulk49');
    const second = await admin.get('/admin/users?q=bulk&after=bulk49');
    expect(second.body).toContain('>bulk50<');
    expect(second.body).toContain('>bulk59<');
    expect(second.body).not.toContain('>bulk49<');
  });

  it('edits a user; a new role ends their sessions', async () => {
    const rep = await signIn(t.app, 'rep3');
    const res = await admin.post(`/admin/users/${org.users.rep3.id}`, { display_name: '吴刚', email: '', phone: '', department_id: String(org.departments.south.id), role: 'sales_manager', language: 'zh-CN' });
    expect(res.statusCode).toBe(303);
    expect((await user('rep3'))!.role).toBe('sales_manager');
    expect((await rep.get('/')).statusCode).toBe(303);
  });

  it('disables a user: their sessions end and they cannot sign in; enabling restores it', async () => {
    const rep = await signIn(t.app, 'rep2');
    const res = await admin.post(`/admin/users/${org.users.rep2.id}/status`, { active: '0' }, { headers: { 'hx-request': 'true', 'hx-target': `user-${org.users.rep2.id}` } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`id="user-${org.users.rep2.id}"`);
    expect(res.body).toContain('已停用');
    expect(res.body).toContain('hx-swap-oob');
    expect((await rep.get('/')).statusCode).toBe(303);
    const again = new Client(t.app);
    await again.get('/login');
    expect((await again.post('/login', { username: 'rep2', password: PASSWORD })).statusCode).toBe(422);
    await admin.post(`/admin/users/${org.users.rep2.id}/status`, { active: '1' });
    expect((await user('rep2'))!.active).toBe(1);
    const actions = await t.db.selectFrom('audit_log').select('action').where('entity', '=', 'user').where('entity_id', '=', org.users.rep2.id).execute();
    expect(actions.map((a) => a.action)).toEqual(['sign_in', 'disable', 'enable']);
  });

  it('an admin cannot disable or demote themselves', async () => {
    await admin.post(`/admin/users/${org.users.admin.id}/status`, { active: '0' });
    expect((await user('admin'))!.active).toBe(1);
    const demote = await admin.post(`/admin/users/${org.users.admin.id}`, { display_name: 'Admin', role: 'sales_rep', language: 'zh-CN' });
    expect(demote.statusCode).toBe(422);
    expect(demote.body).toContain('不能取消自己的系统管理员角色');
  });

  it('resets a password: shown once, old sessions end, the user must change it first', async () => {
    const rep = await signIn(t.app, 'rep1');
    const res = await admin.post(`/admin/users/${org.users.rep1.id}/password-reset`);
    expect(res.statusCode).toBe(200);
    const temp = /id="temporary-password">([a-z0-9]+)</.exec(res.body)![1]!;
    expect(temp).toHaveLength(12);
    expect((await rep.get('/')).statusCode).toBe(303);
    const c = await signIn(t.app, 'rep1', temp);
    const home = await c.get('/');
    expect(home.statusCode).toBe(303);
    expect(home.headers.location).toBe('/me');
    expect((await c.get('/me')).body).toContain('管理员已重置您的密码');
    const changed = await c.post('/me/password', { current_password: temp, new_password: 'my-own-pass', confirm_password: 'my-own-pass' });
    expect(changed.statusCode).toBe(303);
    expect((await c.get('/')).statusCode).toBe(200);
  });
});
