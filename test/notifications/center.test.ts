import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newUser, signIn, testApp, type TestApp } from '../helpers/app.ts';
import { writeTransaction } from '../../src/db/index.ts';
import { markRead, notify } from '../../src/notifications/index.ts';

describe('notification centre', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await testApp();
  });
  afterEach(async () => {
    await t.close();
  });

  const unread = async (id: number) => (await t.db.selectFrom('users').select('unread_notifications').where('id', '=', id).executeTakeFirstOrThrow()).unread_notifications;

  it('the bell shows the unread count kept on the user row; opening one marks it read and goes to its link', async () => {
    const rep = await newUser(t.db, { username: 'rep' });
    await writeTransaction(t.db, async (trx) => {
      await notify(trx, { userId: rep.id, kind: 'approval', title: '报价单 Q-1 待审批', body: '金额 ¥1,000.00', link: '/quotes/1' });
      await notify(trx, { userId: rep.id, kind: 'deal_at_risk', title: '风险商机：大单', link: '/opportunities/9' });
    });
    expect(await unread(rep.id)).toBe(2);
    const client = await signIn(t.app, 'rep');
    const home = await client.get('/');
    expect(home.body).toMatch(/id="bell"[^>]*>[\s\S]*?<span class="badge">2<\/span>/);

    const list = await client.get('/notifications');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('报价单 Q-1 待审批');
    expect(list.body).toContain('风险商机：大单');
    const first = await t.db.selectFrom('notifications').select('id').where('link', '=', '/quotes/1').executeTakeFirstOrThrow();
    const open = await client.post(`/notifications/${first.id}/read`);
    expect(open.statusCode).toBe(303);
    expect(open.headers.location).toBe('/quotes/1');
    expect(await unread(rep.id)).toBe(1);
    // Marking it read again changes nothing.
    await client.post(`/notifications/${first.id}/read`, { stay: '1' });
    expect(await unread(rep.id)).toBe(1);

    const all = await client.post('/notifications/read');
    expect(all.statusCode).toBe(303);
    expect(await unread(rep.id)).toBe(0);
    const after = await client.get('/');
    expect(after.body).not.toContain('class="badge"');
  });

  it('another user’s notification is not found', async () => {
    const rep = await newUser(t.db, { username: 'rep' });
    const other = await newUser(t.db, { username: 'other' });
    await writeTransaction(t.db, (trx) => notify(trx, { userId: other.id, kind: 'approval', title: 'x', link: '/' }));
    const n = await t.db.selectFrom('notifications').select('id').executeTakeFirstOrThrow();
    const client = await signIn(t.app, 'rep');
    expect((await client.post(`/notifications/${n.id}/read`)).statusCode).toBe(404);
    expect(await unread(other.id)).toBe(1);
    expect(rep.id).not.toBe(other.id);
  });

  it('each user chooses in-app and/or email per kind; email goes to the outbox in the user’s language', async () => {
    const rep = await newUser(t.db, { username: 'rep', language: 'en' });
    await t.db.updateTable('users').set({ email: 'rep@example.com' }).where('id', '=', rep.id).execute();
    const client = await signIn(t.app, 'rep');
    const page = await client.get('/me/notifications');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="activity_reminder.in_app"');
    expect(page.body).not.toContain('weekly_digest'); // a rep gets no manager digest
    expect(page.body).not.toContain('job_failed');
    // Reminders: email only. Deals at risk: nothing. Everything else unticked too.
    const saved = await client.post('/me/notifications', { 'activity_reminder.email': '1', 'daily_digest.email': '1' });
    expect(saved.statusCode).toBe(303);

    await writeTransaction(t.db, async (trx) => {
      await notify(trx, { userId: rep.id, kind: 'activity_reminder', title: 'Visit Huawei', body: 'Visit, starts 14:00', link: '/activities/3' });
      await notify(trx, { userId: rep.id, kind: 'deal_at_risk', title: 'Deal at risk: Big one', link: '/opportunities/1' });
    });
    expect(await t.db.selectFrom('notifications').selectAll().where('user_id', '=', rep.id).execute()).toHaveLength(0);
    expect(await unread(rep.id)).toBe(0);
    const mail = await t.db.selectFrom('mail_messages').selectAll().execute();
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({ to_address: 'rep@example.com', subject: '[Activity reminder] Visit Huawei', user_id: rep.id, status: 'queued' });
    expect(mail[0]!.text_body).toContain('Open in Guanxi (http://127.0.0.1:3000/activities/3)');
    expect(mail[0]!.html_body).toContain('<a href="http://127.0.0.1:3000/activities/3"');
  });

  it('markRead keeps the counter in step for one or all', async () => {
    const rep = await newUser(t.db);
    await writeTransaction(t.db, async (trx) => {
      for (let i = 0; i < 3; i++) await notify(trx, { userId: rep.id, kind: 'key_date', title: `k${i}`, link: '/' });
    });
    const ids = (await t.db.selectFrom('notifications').select('id').orderBy('id').execute()).map((r) => r.id);
    expect(await writeTransaction(t.db, (trx) => markRead(trx, rep.id, ids[0]))).toBe(1);
    expect(await unread(rep.id)).toBe(2);
    expect(await writeTransaction(t.db, (trx) => markRead(trx, rep.id))).toBe(2);
    expect(await unread(rep.id)).toBe(0);
  });
});
