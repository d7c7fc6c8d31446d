import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { smallOrg, signIn, testApp, type TestApp } from '../helpers/app.ts';
import { enqueueMail } from '../../src/mail/index.ts';
import { JobRunner } from '../../src/jobs/runner.ts';
import { jobRegistry } from '../../src/jobs/registry.ts';

describe('/admin/jobs and /admin/outbox', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await testApp();
    await smallOrg(t.db);
  });
  afterEach(async () => {
    await t.close();
  });

  it('lists every registered job with its schedule and next due time; "run now" queues a run that a runner picks up', async () => {
    const admin = await signIn(t.app, 'admin');
    const page = await admin.get('/admin/jobs');
    expect(page.statusCode).toBe(200);
    for (const j of jobRegistry()) {
      expect(page.body).toContain(`id="job-${j.name}"`);
      expect(page.body).toContain(`<code>${j.cron}</code>`);
    }
    expect(page.body).toContain('生成周报');
    expect(page.body).toContain('尚未运行');
    const run = await admin.post('/admin/jobs/housekeeping/runs');
    expect(run.statusCode).toBe(303);
    const queued = await t.db.selectFrom('job_runs').selectAll().executeTakeFirstOrThrow();
    expect(queued).toMatchObject({ job: 'housekeeping', status: 'queued' });
    const runner = new JobRunner({ db: t.db, config: t.config, jobs: jobRegistry(), log: { info() {}, warn() {}, error() {} } });
    expect(await runner.poll()).toBe(1);
    await runner.stop();
    const done = await t.db.selectFrom('job_runs').selectAll().executeTakeFirstOrThrow();
    expect(done.status).toBe('succeeded');
    expect((await admin.get('/admin/jobs')).body).toMatch(/id="job-housekeeping"[\s\S]*?成功[\s\S]*?手动/);
    expect((await admin.post('/admin/jobs/nope/runs')).statusCode).toBe(404);
  });

  it('the outbox shows stored mail, its body and attachments, to admins only', async () => {
    const id = await enqueueMail(t.db, { to: 'li@example.com', toName: '李雷', subject: '周报提醒', text: '请提交周报。', attachments: [{ filename: '报告.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4 test') }] });
    const admin = await signIn(t.app, 'admin');
    const list = await admin.get('/admin/outbox');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('周报提醒');
    expect(list.body).toContain('未配置 SMTP_URL');
    const show = await admin.get(`/admin/outbox/${id}`);
    expect(show.body).toContain('请提交周报。');
    const att = await t.db.selectFrom('mail_attachments').select('id').executeTakeFirstOrThrow();
    const file = await admin.get(`/admin/outbox/${id}/attachments/${att.id}`);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.body).toBe('%PDF-1.4 test');
    const rep = await signIn(t.app, 'rep1');
    expect((await rep.get('/admin/outbox')).statusCode).toBe(404);
    expect((await rep.get('/admin/jobs')).statusCode).toBe(404);
  });
});
