import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserEnv } from '../helpers/browser.ts';
import { alertDeal, alertPipeline, daysAgo, stageMove } from '../helpers/alerts.ts';

let env: Awaited<ReturnType<typeof startBrowserEnv>>;
let rep1: number;
beforeAll(async () => {
  env = await startBrowserEnv();
  const { db } = env;
  rep1 = (await db.selectFrom('users').select('id').where('username', '=', 'rep1').executeTakeFirstOrThrow()).id;
  const customer = (await db.selectFrom('customers').select('id').where('owner_id', '=', rep1).orderBy('id').executeTakeFirstOrThrow()).id;
  const p = await alertPipeline(db);
  // A deal of rep1 whose amount fell from ¥900,000 to ¥450,000 (-50%), and one that has sat idle for 60 days.
  const shrunk = await alertDeal(db, { owner: rep1, customerId: customer, pipelineId: p.id, stageId: p.stages.b, name: '浏览器测试缩水商机', amountFen: 45_000_000, lastActivityAt: daysAgo(1) });
  await stageMove(db, shrunk, { from: null, to: p.stages.a, at: daysAgo(3), days: null, amountFen: 90_000_000 });
  await alertDeal(db, { owner: rep1, customerId: customer, pipelineId: p.id, stageId: p.stages.a, name: '浏览器测试停滞商机', amountFen: 1_000_000, createdAt: daysAgo(60), stageEnteredAt: daysAgo(60), lastActivityAt: daysAgo(60) });
});
afterAll(async () => env?.close());

describe('the sales home page in the browser', () => {
  it('shows a rep their deals, tasks and alerts, and leads to the tasks page', async () => {
    const { page } = await env.newPage();
    await env.signIn(page, 'rep1');
    await env.seeText(page, '#home-deals', '需求确认');
    await env.seeText(page, '#home-alerts', '浏览器测试缩水商机');
    await env.seeText(page, '#home-alerts', '金额从 ¥90万 降到 ¥45万（-50%）');
    await env.seeText(page, '#home-alerts', '已 60 天没有行动');
    await env.seeText(page, '#home-quarter', '本季度赢单');
    await page.click('#home-tasks .card-head >> text=全部任务');
    await page.waitForURL(`${env.base}/tasks`);
    // No page is wider than the window: /me's visually hidden username field once made it ~2,000 px wide.
    for (const path of ['/', '/tasks', '/me', '/customers', '/opportunities/board']) {
      await page.goto(`${env.base}${path}`);
      expect(await page.evaluate('document.documentElement.scrollWidth'), path).toBeLessThanOrEqual(1280);
    }
    expect(env.problems).toEqual([]);
  });

  it('shows a manager the team and the deals at risk, filtered by type without a page load', async () => {
    const { page } = await env.newPage();
    await env.signIn(page, 'manager1');
    await env.seeText(page, '#home-team', '团队风险商机');
    await page.click('#home-team .card-head >> text=查看风险商机');
    await page.waitForURL(`${env.base}/opportunities/at-risk`);
    await env.seeText(page, '#at-risk-list', '浏览器测试缩水商机');
    await env.seeText(page, '#at-risk-list', '浏览器测试停滞商机');
    await page.selectOption('select[name=kind]', 'amount');
    await page.waitForURL(/\/opportunities\/at-risk\?kind=amount/);
    await env.seeText(page, '#at-risk-list', '浏览器测试缩水商机');
    expect(await page.locator('#at-risk-list', { hasText: '浏览器测试停滞商机' }).count()).toBe(0);
    expect(env.problems).toEqual([]);
  });
});
