import { afterEach, describe, expect, it } from 'vitest';
import { Client, PASSWORD, newUser, signIn, testApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
afterEach(async () => t.close());

describe('first-run setup', () => {
  it('sends every visit to /setup on an empty database, creates the company and admin, then closes for good', async () => {
    t = await testApp({ setUp: false });
    const c = new Client(t.app);
    const home = await c.get('/');
    expect(home.statusCode).toBe(303);
    expect(home.headers.location).toBe('/setup');
    expect((await c.get('/login')).headers.location).toBe('/setup');
    const page = await c.get('/setup');
    expect(page.statusCode).toBe(200);
    const bad = await c.post('/setup', { company_name: '', username: 'Boss!', display_name: '老板', password: 'short' });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('此项为必填');
    expect(bad.body).toContain('value="老板"');
    const ok = await c.post('/setup', { company_name: '新公司', username: 'boss', display_name: '老板', email: '', password: 'boss-password' });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/login');
    expect((await c.get('/setup')).statusCode).toBe(404);
    expect((await c.post('/setup', { company_name: 'X', username: 'evil', display_name: 'E', password: 'evil-password' })).statusCode).toBe(404);
    const admin = await signIn(t.app, 'boss', 'boss-password');
    expect((await admin.get('/admin/users')).statusCode).toBe(200);
    expect(await t.db.selectFrom('users').select('username').execute()).toEqual([{ username: 'boss' }]);
  });
});

describe('/me', () => {
  it('changes display name and language', async () => {
    t = await testApp();
    await newUser(t.db, { username: 'me1' });
    const c = await signIn(t.app, 'me1');
    const res = await c.post('/me', { display_name: '新名字', language: 'en' });
    expect(res.statusCode).toBe(303);
    const page = await c.get('/me');
    expect(page.body).toContain('My settings');
    expect(page.body).toContain('Profile saved');
    expect(page.body).toContain('value="新名字"');
    expect(page.body).toContain('<html lang="en"');
    // From the page (htmx): a new language reloads the whole document, so <html lang> follows; the same one swaps.
    const back = await c.post('/me', { display_name: '新名字', language: 'zh-CN' }, { headers: { 'hx-request': 'true', 'hx-target': 'profile-form' } });
    expect(back.headers['hx-redirect']).toBe('/me');
    const same = await c.post('/me', { display_name: '新名字2', language: 'zh-CN' }, { headers: { 'hx-request': 'true', 'hx-target': 'profile-form' } });
    expect(same.headers['hx-redirect']).toBeUndefined();
    expect(same.headers['hx-location']).toBeDefined();
  });

  it('changes the password: checks the current one, ends other sessions, keeps this one', async () => {
    t = await testApp();
    await newUser(t.db, { username: 'me2' });
    const other = await signIn(t.app, 'me2');
    const c = await signIn(t.app, 'me2');
    const wrong = await c.post('/me/password', { current_password: 'nope', new_password: 'another-pass', confirm_password: 'another-pass' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain('当前密码不正确');
    const mismatch = await c.post('/me/password', { current_password: PASSWORD, new_password: 'another-pass', confirm_password: 'different-pass' });
    expect(mismatch.body).toContain('两次输入的密码不一致');
    const ok = await c.post('/me/password', { current_password: PASSWORD, new_password: 'another-pass', confirm_password: 'another-pass' });
    expect(ok.statusCode).toBe(303);
    expect((await c.get('/')).statusCode).toBe(200);
    expect((await other.get('/')).statusCode).toBe(303);
    await signIn(t.app, 'me2', 'another-pass');
    const audit = await t.db.selectFrom('audit_log').select('action').where('action', '=', 'password_change').execute();
    expect(audit).toHaveLength(1);
  });
});

describe('search', () => {
  it('finds colleagues by one- and two-character Chinese terms', async () => {
    t = await testApp();
    await newUser(t.db, { username: 'zw', displayName: '张伟' });
    await newUser(t.db, { username: 'lw', displayName: '李伟' });
    const c = await signIn(t.app, 'zw');
    const one = await c.get('/search?q=%E4%BC%9F'); // 伟
    expect(one.body).toContain('张伟');
    expect(one.body).toContain('李伟');
    const two = await c.get('/search?q=%E5%BC%A0%E4%BC%9F'); // 张伟
    expect(two.body).toContain('张伟');
    expect(two.body).not.toContain('李伟');
  });
});
