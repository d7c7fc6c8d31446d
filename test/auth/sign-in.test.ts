import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Client, PASSWORD, newUser, signIn, testApp, type TestApp } from '../helpers/app.ts';
import { sessionIdFromToken } from '../../src/auth/session.ts';

let t: TestApp;
beforeEach(async () => {
  t = await testApp();
});
afterEach(async () => t.close());

describe('sign-in', () => {
  it('shows a form with username, password and a CSRF token', async () => {
    const res = await new Client(t.app).get('/login');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('name="username"');
    expect(res.body).toContain('name="password"');
    expect(res.body).toMatch(/name="_csrf" value="[^"]+"/);
  });

  it('answers 303 to / and sets an HttpOnly, SameSite=Lax session cookie whose token is stored only hashed', async () => {
    const u = await newUser(t.db, { username: 'zhang' });
    const c = new Client(t.app);
    await c.get('/login');
    const res = await c.post('/login', { username: 'zhang', password: PASSWORD });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/');
    const setCookie = ([] as string[]).concat(res.headers['set-cookie'] as string[]).find((s) => s.startsWith('guanxi_session='))!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/Secure/i);
    const token = c.cookies.get('guanxi_session')!;
    const rows = await t.db.selectFrom('sessions').selectAll().where('user_id', '=', u.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toBe(sessionIdFromToken(token));
    expect(rows[0]!.id).not.toBe(token);
    const expires = new Date(rows[0]!.expires_at).getTime() - Date.now();
    expect(expires).toBeGreaterThan(29 * 86400_000);
    const home = await c.get('/');
    expect(home.statusCode).toBe(200);
  });

  it('gives a new token at every sign-in', async () => {
    await newUser(t.db, { username: 'li' });
    const a = await signIn(t.app, 'li');
    const b = await signIn(t.app, 'li');
    expect(a.cookies.get('guanxi_session')).not.toBe(b.cookies.get('guanxi_session'));
  });

  it('gives the same generic message for an unknown user and a wrong password', async () => {
    await newUser(t.db, { username: 'wang' });
    const c = new Client(t.app);
    await c.get('/login');
    const wrongUser = await c.post('/login', { username: 'nobody', password: PASSWORD });
    const wrongPass = await c.post('/login', { username: 'wang', password: 'wrong-password' });
    expect(wrongUser.statusCode).toBe(422);
    expect(wrongPass.statusCode).toBe(422);
    expect(wrongUser.body).toContain('用户名或密码错误');
    expect(wrongPass.body).toContain('用户名或密码错误');
    expect(wrongPass.body).toContain('value="wang"');
  });

  it('refuses a disabled user with the same message', async () => {
    await newUser(t.db, { username: 'gone', active: false });
    const c = new Client(t.app);
    await c.get('/login');
    const res = await c.post('/login', { username: 'gone', password: PASSWORD });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('用户名或密码错误');
  });

  it('answers 429 after 10 failures in 15 minutes for a username, even with the right password', async () => {
    await newUser(t.db, { username: 'target' });
    const c = new Client(t.app);
    await c.get('/login');
    for (let i = 0; i < 10; i++) expect((await c.post('/login', { username: 'target', password: `bad-${i}` })).statusCode).toBe(422);
    const locked = await c.post('/login', { username: 'target', password: PASSWORD });
    expect(locked.statusCode).toBe(429);
    expect(locked.body).toContain('15 分钟');
    // Failures older than the window no longer count.
    await t.db.updateTable('login_failures').set({ at: new Date(Date.now() - 16 * 60_000).toISOString() }).execute();
    expect((await c.post('/login', { username: 'target', password: PASSWORD })).statusCode).toBe(303);
  });

  it('limits failures per IP across usernames', async () => {
    const c = new Client(t.app);
    await c.get('/login');
    await t.db
      .insertInto('login_failures')
      .values(Array.from({ length: 50 }, (_, i) => ({ username: `u${i}`, ip: '127.0.0.1', at: new Date().toISOString() })))
      .execute();
    await newUser(t.db, { username: 'fresh' });
    expect((await c.post('/login', { username: 'fresh', password: PASSWORD })).statusCode).toBe(429);
  });

  it('refuses a POST without a CSRF token with 403', async () => {
    await newUser(t.db, { username: 'csrf' });
    const c = new Client(t.app);
    await c.get('/login');
    const res = await c.post('/login', { username: 'csrf', password: PASSWORD }, { csrf: false });
    expect(res.statusCode).toBe(403);
    const forged = await c.post('/login', { username: 'csrf', password: PASSWORD, _csrf: 'forged' }, { csrf: false });
    expect(forged.statusCode).toBe(403);
  });

  it('does not redirect to another site after sign-in', async () => {
    await newUser(t.db, { username: 'nexter' });
    const c = new Client(t.app);
    await c.get('/login');
    const res = await c.post('/login', { username: 'nexter', password: PASSWORD, next: '//evil.example/x' });
    expect(res.headers.location).toBe('/');
    const ok = await new Client(t.app).get('/admin/users');
    expect(ok.headers.location).toBe('/login?next=%2Fadmin%2Fusers');
  });

  it('stores passwords as argon2id', async () => {
    const row = await t.db.selectFrom('users').select('password_hash').where('id', '=', (await newUser(t.db)).id).executeTakeFirstOrThrow();
    expect(row.password_hash.startsWith('$argon2id$')).toBe(true);
  });

  it('sends anonymous visitors to /login', async () => {
    const res = await new Client(t.app).get('/');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login');
  });
});

describe('sessions end', () => {
  it('on sign-out (a form POST), server-side', async () => {
    await newUser(t.db, { username: 'out' });
    const c = await signIn(t.app, 'out');
    const token = c.cookies.get('guanxi_session')!;
    const res = await c.post('/logout');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login');
    expect(await t.db.selectFrom('sessions').selectAll().execute()).toHaveLength(0);
    const replay = await t.app.inject({ url: '/', headers: { cookie: `guanxi_session=${token}` } });
    expect(replay.statusCode).toBe(303);
  });

  it('when the session expires, and slides forward when used in its second half', async () => {
    const u = await newUser(t.db, { username: 'slide' });
    const c = await signIn(t.app, 'slide');
    await t.db.updateTable('sessions').set({ expires_at: new Date(Date.now() + 5 * 86400_000).toISOString() }).where('user_id', '=', u.id).execute();
    expect((await c.get('/')).statusCode).toBe(200);
    const renewed = await t.db.selectFrom('sessions').select('expires_at').where('user_id', '=', u.id).executeTakeFirstOrThrow();
    expect(new Date(renewed.expires_at).getTime() - Date.now()).toBeGreaterThan(29 * 86400_000);
    await t.db.updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('user_id', '=', u.id).execute();
    expect((await c.get('/')).statusCode).toBe(303);
    expect(await t.db.selectFrom('sessions').selectAll().where('user_id', '=', u.id).execute()).toHaveLength(0);
  });

  it('uses a Secure __Host- cookie when COOKIE_SECURE=1', async () => {
    const secure = await testApp({ env: { COOKIE_SECURE: '1' } });
    try {
      await newUser(secure.db, { username: 'sec' });
      const c = new Client(secure.app);
      const page = await c.get('/login');
      expect(String(page.headers['set-cookie'])).toContain('__Host-guanxi_csrf');
      const res = await c.post('/login', { username: 'sec', password: PASSWORD });
      const cookie = ([] as string[]).concat(res.headers['set-cookie'] as string[]).find((s) => s.startsWith('__Host-guanxi_session='))!;
      expect(cookie).toMatch(/Secure/);
      expect(cookie).toMatch(/Path=\//);
      expect(res.headers['strict-transport-security']).toBeDefined();
    } finally {
      await secure.close();
    }
  });
});

describe('security headers', () => {
  it('sends a CSP that allows scripts only from the app itself', async () => {
    const res = await new Client(t.app).get('/login');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    const scriptSrc = /script-src ([^;]*)/.exec(csp)![1]!;
    expect(scriptSrc).toBe("'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.body).toContain('src="/public/vendor/htmx.min.js"');
  });

  it('serves htmx from /public', async () => {
    const res = await t.app.inject({ url: '/public/vendor/htmx.min.js' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('htmx');
  });
});
