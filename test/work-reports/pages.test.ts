import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signIn, smallOrg, testApp, type TestApp } from '../helpers/app.ts';
import { newCustomerRow } from '../helpers/activities.ts';
import { nowIso } from '../../src/db/index.ts';
import { generateReports } from '../../src/features/work-reports/generate.ts';
import { previousPeriod } from '../../src/features/work-reports/period.ts';

describe('work reports at /reports/work', () => {
  let t: TestApp;
  let org: Awaited<ReturnType<typeof smallOrg>>;
  beforeEach(async () => {
    t = await testApp();
    org = await smallOrg(t.db);
    // rep1 visited a customer last week (done) — a figure to see.
    const c = await newCustomerRow(t.db, org.users.rep1, '深圳华为技术有限公司');
    const last = previousPeriod('week', new Date(), 'Asia/Shanghai');
    const at = new Date(`${last.start}T02:00:00.000Z`).toISOString();
    await t.db.insertInto('activities').values({ type: 'visit', subject: '方案交流', starts_at: at, status: 'done', customer_id: c.id, owner_id: org.users.rep1.id, created_at: nowIso(), updated_at: nowIso() }).execute();
    await generateReports(t.db, 'week', new Date());
  });
  afterEach(async () => {
    await t.close();
  });

  const reportOf = async (userId: number) => (await t.db.selectFrom('work_reports').select('id').where('user_id', '=', userId).executeTakeFirstOrThrow()).id;

  it('the rep reads their report opening with the summary sentence, writes a summary and plan, and submits', async () => {
    const rep = await signIn(t.app, 'rep1');
    const list = await rep.get('/reports/work');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('我的报告');
    expect(list.body).not.toContain('团队报告');
    const id = await reportOf(org.users.rep1.id);
    const page = await rep.get(`/reports/work/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('本周拜访客户 1 家；电话 0 次，会议 0 次');
    expect(page.body).toContain('深圳华为技术有限公司');
    expect(page.body).toContain('方案交流');
    const save = await rep.post(`/reports/work/${id}`, { summary: '本周重点跟进华为。', plan: '下周提交方案。', submit: '1' });
    expect(save.statusCode).toBe(303);
    const row = await t.db.selectFrom('work_reports').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ summary: '本周重点跟进华为。', plan: '下周提交方案。' });
    expect(row.submitted_at).not.toBeNull();
    // Another rep cannot read or change it.
    const other = await signIn(t.app, 'rep3');
    expect((await other.get(`/reports/work/${id}`)).statusCode).toBe(404);
    expect((await other.post(`/reports/work/${id}`, { summary: 'x', plan: '' })).statusCode).toBe(404);
  });

  it('the manager sees the team’s reports and who has not submitted, comments, and the rep is notified', async () => {
    const rep = await signIn(t.app, 'rep1');
    const id = await reportOf(org.users.rep1.id);
    await rep.post(`/reports/work/${id}`, { summary: '总结', plan: '计划', submit: '1' });

    const manager = await signIn(t.app, 'manager1'); // east: rep1, rep2 (sub-team) and the manager
    const list = await manager.get('/reports/work');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('团队报告');
    expect(list.body).toContain('2 人未提交'); // rep2 and the manager themself
    expect(list.body).not.toContain('rep3');
    const page = await manager.get(`/reports/work/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('name="summary"'); // only the author edits
    const c = await manager.post(`/reports/work/${id}/comments`, { body: '华为这单要抓紧。' });
    expect(c.statusCode).toBe(303);
    const note = await t.db.selectFrom('notifications').selectAll().where('user_id', '=', org.users.rep1.id).executeTakeFirstOrThrow();
    expect(note.kind).toBe('report_comment');
    expect(note.link).toBe(`/reports/work/${id}#comments`);
    expect((await rep.get(`/reports/work/${id}`)).body).toContain('华为这单要抓紧。');
    // The other department's manager cannot see it.
    const m2 = await signIn(t.app, 'manager2');
    expect((await m2.get(`/reports/work/${id}`)).statusCode).toBe(404);
  });

  it('exports to PDF with Chinese text extractable', async () => {
    const rep = await signIn(t.app, 'rep1');
    const id = await reportOf(org.users.rep1.id);
    const res = await rep.get(`/reports/work/${id}/pdf`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-pdf-'));
    const file = path.join(dir, 'r.pdf');
    fs.writeFileSync(file, res.rawPayload);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(text).toContain('工作报告');
    expect(text).toContain('本周拜访客户 1 家');
    expect(text).toContain('深圳华为技术有限公司');
    expect(text).toMatch(/第 1 页，共 \d+ 页/);
  });

  it('the work log of a task lists every audited action on it; an invisible task is 404', async () => {
    const rep = await signIn(t.app, 'rep1');
    const created = await rep.post('/activities', { type: 'task', subject: '发送报价', starts_at: '2026-12-01T10:00', duration_minutes: '30', status: 'planned', location: '', outcome: '', next_step: '', remind_at: '', customer_id: '', contact_id: '', lead_id: '' });
    expect([200, 303, 204]).toContain(created.statusCode);
    const task = await t.db.selectFrom('activities').select('id').where('subject', '=', '发送报价').executeTakeFirstOrThrow();
    await rep.post(`/activities/${task.id}/completion`, {});
    expect((await rep.get(`/activities/${task.id}`)).body).toContain(`href="/activities/${task.id}/log"`);
    const log = await rep.get(`/activities/${task.id}/log`);
    expect(log.statusCode).toBe(200);
    expect(log.body).toContain('行动历史');
    expect(log.body).toContain('创建');
    expect(log.body).toContain('修改');
    const other = await signIn(t.app, 'rep3');
    expect((await other.get(`/activities/${task.id}/log`)).statusCode).toBe(404);
  });

  it('reads in English for a user who chose English, with nothing untranslated', async () => {
    await t.db.updateTable('users').set({ language: 'en' }).where('id', '=', org.users.rep1.id).execute();
    const rep = await signIn(t.app, 'rep1');
    const id = await reportOf(org.users.rep1.id);
    const page = await rep.get(`/reports/work/${id}`);
    expect(page.body).toContain('This week: visited 1 customers; 0 calls, 0 meetings');
    expect(page.body).not.toMatch(/undefined|\[object/);
    for (const url of ['/reports/work', '/notifications', '/me/notifications']) {
      const res = await rep.get(url);
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toMatch(/undefined|\[object/);
    }
  });
});
