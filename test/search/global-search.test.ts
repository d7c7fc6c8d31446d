import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, smallOrg, testApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof smallOrg>>;
beforeAll(async () => {
  t = await testApp();
  org = await smallOrg(t.db);
  const now = new Date().toISOString();
  const u = org.users;
  for (const [name, phone, owner] of [
    ['深圳华为技术有限公司', '0755-28780808', u.rep1.id],
    ['华为终端有限公司', '', u.rep3.id],
    ['张江高科技园区开发股份有限公司', '', null],
  ] as const) {
    await t.db.insertInto('customers').values({ name, phone, owner_id: owner, created_at: now, updated_at: now }).execute();
  }
  await t.db.insertInto('contacts').values({ name: '张华', mobile: '13800138000', owner_id: u.rep1.id, created_at: now, updated_at: now }).execute();
  await t.db.insertInto('leads').values({ person: '李华', company: '华为云计算', owner_id: u.rep3.id, created_at: now, updated_at: now }).execute();
});
afterAll(async () => t.close());

describe('the top-bar search', () => {
  it('finds customers, contacts and leads by a two-character term, within the viewer’s scope (pool included)', async () => {
    const rep1 = await signIn(t.app, 'rep1');
    const res = await rep1.get('/search?q=' + encodeURIComponent('华为'));
    expect(res.body).toContain('深圳华为技术有限公司');
    expect(res.body).not.toContain('华为终端有限公司'); // rep3's
    expect(res.body).not.toContain('华为云计算'); // rep3's lead
    const one = await rep1.get('/search?q=' + encodeURIComponent('张'));
    expect(one.body).toContain('张华');
    expect(one.body).toContain('张江高科技园区开发股份有限公司'); // in the public pool
  });

  it('uses the trigram index for three or more characters, and finds a phone number', async () => {
    const director = await signIn(t.app, 'director');
    const three = await director.get('/search?q=' + encodeURIComponent('华为技'));
    expect(three.body).toContain('深圳华为技术有限公司');
    expect(three.body).not.toContain('华为终端有限公司');
    const all = await director.get('/search?q=' + encodeURIComponent('华为'));
    expect(all.body).toContain('华为终端有限公司');
    expect(all.body).toContain('华为云计算');
    const phone = await director.get('/search?q=28780808');
    expect(phone.body).toContain('深圳华为技术有限公司');
  });

  it('a manager sees their department’s records; an administrator sees no business records', async () => {
    const m2 = await signIn(t.app, 'manager2');
    const res = await m2.get('/search?q=' + encodeURIComponent('华为'));
    expect(res.body).toContain('华为终端有限公司');
    expect(res.body).not.toContain('深圳华为技术有限公司');
    const admin = await signIn(t.app, 'admin');
    const none = await admin.get('/search?q=' + encodeURIComponent('华为'));
    expect(none.body).not.toContain('华为终端有限公司');
    expect(none.body).toContain('没有找到');
  });

  it('keeps the search index in step with edits and deletes', async () => {
    const director = await signIn(t.app, 'director');
    await t.db.updateTable('customers').set({ name: '深圳鹏城实验室' }).where('name', '=', '深圳华为技术有限公司').execute();
    expect((await director.get('/search?q=' + encodeURIComponent('华为技'))).body).not.toContain('深圳');
    expect((await director.get('/search?q=' + encodeURIComponent('鹏城实'))).body).toContain('深圳鹏城实验室');
    await t.db.deleteFrom('customers').where('name', '=', '深圳鹏城实验室').execute();
    expect((await director.get('/search?q=' + encodeURIComponent('鹏城实'))).body).not.toContain('深圳鹏城实验室');
  });
});
