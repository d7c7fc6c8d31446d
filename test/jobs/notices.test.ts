import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newUser, testApp, type TestApp } from '../helpers/app.ts';
import { newContactRow, newCustomerRow } from '../helpers/activities.ts';
import { alertDeal, alertPipeline, daysAgo } from '../helpers/alerts.ts';
import { nowIso } from '../../src/db/index.ts';
import { sendActivityReminders, sendDealAtRiskNotices, sendKeyDateNotices } from '../../src/jobs/notices.ts';

describe('reminder, key date and deal-at-risk jobs', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await testApp();
  });
  afterEach(async () => {
    await t.close();
  });
  const notes = (userId: number) => t.db.selectFrom('notifications').selectAll().where('user_id', '=', userId).orderBy('id').execute();

  it('an activity’s reminder notifies its owner once, at its reminder time; a moved reminder again', async () => {
    const rep = await newUser(t.db, { username: 'rep' });
    const c = await newCustomerRow(t.db, rep, '华为技术');
    const now = new Date('2026-11-27T06:00:00.000Z');
    const mk = async (subject: string, remindAt: string | null, status = 'planned') =>
      (await t.db.insertInto('activities').values({ type: 'visit', subject, starts_at: '2026-11-27T07:00:00.000Z', remind_at: remindAt, status, customer_id: c.id, owner_id: rep.id, created_at: nowIso(), updated_at: nowIso() }).returning('id').executeTakeFirstOrThrow()).id;
    const due = await mk('拜访华为', '2026-11-27T05:59:00.000Z');
    await mk('还没到', '2026-11-27T06:30:00.000Z');
    await mk('已取消', '2026-11-27T05:00:00.000Z', 'cancelled');
    await mk('太旧了', '2026-11-20T05:00:00.000Z');
    await mk('无提醒', null);
    expect(await sendActivityReminders(t.db, now)).toBe(1);
    expect(await sendActivityReminders(t.db, now)).toBe(0);
    const n = await notes(rep.id);
    expect(n).toHaveLength(1);
    expect(n[0]).toMatchObject({ kind: 'activity_reminder', title: '活动提醒：拜访华为', link: `/activities/${due}` });
    expect(n[0]!.body).toBe('拜访，开始时间 2026-11-27 15:00 · 华为技术');
    await t.db.updateTable('activities').set({ remind_at: '2026-11-27T06:00:00.000Z' }).where('id', '=', due).execute();
    expect(await sendActivityReminders(t.db, now)).toBe(1);
  });

  it('birthdays and key dates today notify the contact’s owner once', async () => {
    const rep = await newUser(t.db, { username: 'rep' });
    const c = await newCustomerRow(t.db, rep, '比亚迪');
    const zhang = await newContactRow(t.db, rep, c, '张伟');
    const li = await newContactRow(t.db, rep, c, '李娜');
    await t.db.updateTable('contacts').set({ birthday: '1980-11-27' }).where('id', '=', zhang.id).execute();
    await t.db.updateTable('contacts').set({ birthday: '1985-11-28' }).where('id', '=', li.id).execute();
    await t.db.insertInto('contact_key_dates').values({ contact_id: li.id, label: '入职纪念日', date: '2019-11-27', yearly: 1 }).execute();
    await t.db.insertInto('contact_key_dates').values({ contact_id: li.id, label: '签约日', date: '2025-11-27', yearly: 0 }).execute();
    // 2026-11-27 09:00 in Shanghai.
    const now = new Date('2026-11-27T01:00:00.000Z');
    expect(await sendKeyDateNotices(t.db, now)).toBe(2);
    expect(await sendKeyDateNotices(t.db, now)).toBe(0);
    const titles = (await notes(rep.id)).map((n) => n.title).sort();
    expect(titles).toEqual(['张伟的生日：11-27', '李娜的入职纪念日：11-27']);
  });

  it('deals at risk (the alerts’ own flags) notify the owner when the set of flags is new', async () => {
    const rep = await newUser(t.db, { username: 'rep' });
    const c = await newCustomerRow(t.db, rep, '腾讯');
    const p = await alertPipeline(t.db);
    const stale = await alertDeal(t.db, { owner: rep.id, customerId: c.id, pipelineId: p.id, stageId: p.stages.a, name: '腾讯云', stageEnteredAt: daysAgo(30), lastActivityAt: daysAgo(30), createdAt: daysAgo(40) });
    await alertDeal(t.db, { owner: rep.id, customerId: c.id, pipelineId: p.id, stageId: p.stages.a, name: '健康的单' });
    expect(await sendDealAtRiskNotices(t.db, new Date())).toBe(1);
    expect(await sendDealAtRiskNotices(t.db, new Date())).toBe(0);
    const n = await notes(rep.id);
    expect(n).toHaveLength(1);
    expect(n[0]).toMatchObject({ kind: 'deal_at_risk', title: '风险商机：腾讯云', link: `/opportunities/${stale}` });
    expect(n[0]!.body).toContain('天');
  });
});
