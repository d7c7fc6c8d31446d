import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserEnv } from '../helpers/browser.ts';

let env: Awaited<ReturnType<typeof startBrowserEnv>>;
beforeAll(async () => {
  env = await startBrowserEnv();
});
afterAll(async () => env?.close());

describe('notifications, work reports and scheduled jobs in the browser', () => {
  it('a rep opens a notification from the bell, writes and submits last week’s report; the manager comments', async () => {
    const { page } = await env.newPage();
    await env.signIn(page, 'rep1');
    // The demo left rep1 unread notifications: the bell shows the count.
    const badge = Number(await page.locator('#bell .badge').textContent());
    expect(badge).toBeGreaterThan(0);
    await page.click('#bell');
    await page.waitForURL(`${env.base}/notifications`);
    await env.seeText(page, '#notification-list', '批注了您的工作报告');
    await page.click('#notification-list .notification.unread .notification-title >> text=批注了您的工作报告');
    await page.waitForURL(/\/reports\/work\/\d+/);
    await env.seeText(page, '#comments', '进展不错');
    expect(Number(await page.locator('#bell .badge').textContent())).toBe(badge - 1);

    await page.goto(`${env.base}/reports/work`);
    await env.seeText(page, '#my-reports', '周报');
    // rep2's report (not submitted in the demo): sign in as rep2 and submit it.
    const { page: p2 } = await env.newPage();
    await env.signIn(p2, 'rep2');
    await p2.goto(`${env.base}/reports/work`);
    await p2.click('#my-reports a[href^="/reports/work/"]');
    await p2.waitForURL(/\/reports\/work\/\d+$/);
    await env.seeText(p2, '#report-summary', '本周拜访客户');
    await p2.fill('#f-summary', '浏览器测试：本周完成三次拜访。');
    await p2.fill('#f-plan', '浏览器测试：下周推进报价。');
    await p2.click('button[name=submit]');
    await env.seeText(p2, '#flash', '报告已提交');
    await env.seeText(p2, '.page-header', '已提交');
    const reportUrl = p2.url();

    const { page: m } = await env.newPage();
    await env.signIn(m, 'manager1');
    await m.goto(`${env.base}/reports/work`);
    await env.seeText(m, '#team-reports', '已提交');
    await m.goto(reportUrl);
    await env.seeText(m, '#report-text', '浏览器测试：本周完成三次拜访。');
    await m.fill('#f-comment', '浏览器测试批注：报价要快。');
    await m.click('#comments button[type=submit]');
    await env.seeText(m, '#comments', '浏览器测试批注：报价要快。');

    // rep2 sees the comment as a notification.
    await p2.goto(`${env.base}/notifications`);
    await env.seeText(p2, '#notification-list', '批注了您的工作报告');
    expect(env.problems).toEqual([]);
  });

  it('a rep chooses email for reminders at /me/notifications', async () => {
    const { page } = await env.newPage();
    await env.signIn(page, 'rep3');
    await page.goto(`${env.base}/me`);
    await page.click('text=通知设置');
    await page.waitForURL(`${env.base}/me/notifications`);
    await page.check('input[name="activity_reminder.email"]');
    await page.uncheck('input[name="deal_at_risk.in_app"]');
    await page.click('#notification-preferences button[type=submit]');
    await env.seeText(page, '#flash', '通知设置已保存');
    expect(await page.isChecked('input[name="activity_reminder.email"]')).toBe(true);
    expect(await page.isChecked('input[name="deal_at_risk.in_app"]')).toBe(false);
    expect(env.problems).toEqual([]);
  });

  it('an admin sees the jobs with their next due time, runs one now, and reads the outbox', async () => {
    const { page } = await env.newPage();
    await env.signIn(page, 'admin');
    await page.goto(`${env.base}/admin/jobs`);
    await env.seeText(page, '#job-work-reports-weekly', '0 8 * * 1');
    await page.click('#job-housekeeping button:has-text("立即运行")');
    await env.seeText(page, '#flash', '已加入队列');
    const queued = await env.db.selectFrom('job_runs').select('status').where('job', '=', 'housekeeping').where('slot', 'like', 'manual:%').executeTakeFirstOrThrow();
    expect(queued.status).toBe('queued');
    await page.click('text=邮件发件箱');
    await page.waitForURL(`${env.base}/admin/outbox`);
    await env.seeText(page, '#outbox-list', '今日工作摘要');
    await page.selectOption('select[name=status]', 'failed');
    await page.waitForURL(/status=failed/);
    await env.seeText(page, '#outbox-list', '发送失败');
    await page.click('#outbox-list a[href^="/admin/outbox/"]');
    await page.waitForURL(/\/admin\/outbox\/\d+$/);
    await page.click('button:has-text("重新发送")');
    await env.seeText(page, '#flash', '已重新加入发送队列');
    expect(env.problems).toEqual([]);
  });
});
