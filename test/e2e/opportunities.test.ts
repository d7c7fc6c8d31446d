import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserEnv } from '../helpers/browser.ts';
import { seedPipelines } from '../../scripts/seed/pipelines.ts';

let env: Awaited<ReturnType<typeof startBrowserEnv>>;
beforeAll(async () => {
  env = await startBrowserEnv();
  // Until the lead wires seedPipelines into the demo seed, the test brings the demo pipeline itself.
  if (!(await env.db.selectFrom('pipelines').select('id').executeTakeFirst())) await seedPipelines({ db: env.db, now: new Date() });
});
afterAll(async () => env?.close());

describe('a deal in the browser', () => {
  it('a rep creates a deal, checks the exit criteria, advances it and closes it as won', async () => {
    const { page, context } = await env.newPage();
    await env.signIn(page, 'rep1');
    await page.goto(`${env.base}/opportunities`);
    await page.click('text=+ 新建机会');
    await page.waitForURL(`${env.base}/opportunities/new`);
    await page.fill('#f-name', '浏览器测试 CRM 项目');
    await page.selectOption('#f-customer_id', { index: 1 });
    await page.fill('#f-amount', '12,3x');
    await page.fill('#f-expected_close_date', '2026-12-31');
    await page.click('#opportunity-form button[type=submit]');
    await env.seeText(page, '#opportunity-form .error', '请输入有效金额');
    expect(await page.inputValue('#f-name')).toBe('浏览器测试 CRM 项目');
    await page.fill('#f-amount', '1,234,567.8');
    await page.click('#opportunity-form button[type=submit]');
    await page.waitForURL(/\/opportunities\/\d+$/);
    await env.seeText(page, 'h1', '浏览器测试 CRM 项目');
    await env.seeText(page, '#opportunity-overview', '¥1,234,567.80');
    await env.seeText(page, '.stage-step.current', '初步接洽');

    // Advancing with unchecked criteria is refused with the list.
    await page.click('#advancement button[type=submit]');
    await env.seeText(page, '#advance-error', '还有升迁标志未完成');
    await env.seeText(page, '.stage-step.current', '初步接洽');

    // Check every criterion in place.
    for (let i = 0; i < 3; i++) {
      await page.locator('#exit-criteria button[aria-checked="false"]').first().click();
      await page.locator('#exit-criteria button[aria-checked="true"]').nth(i).waitFor();
    }
    await page.click('#advancement button[type=submit]');
    await env.seeText(page, '.stage-step.current', '需求确认');
    await env.seeText(page, '#stage-history', '需求确认');

    // Close as won (its criteria first): a reason is required.
    for (let i = 0; i < 3; i++) {
      await page.locator('#exit-criteria button[aria-checked="false"]').first().click();
      await page.locator('#exit-criteria button[aria-checked="true"]').nth(i).waitFor();
    }
    await page.selectOption('#f-to_stage_id', { label: '签约（100%）' });
    await page.click('#advancement button[type=submit]');
    await env.seeText(page, '#advance-error', '赢单或输单必须填写原因');
    await page.selectOption('#f-to_stage_id', { label: '签约（100%）' });
    await page.fill('#f-reason', '方案贴合，价格有优势');
    await page.click('#advancement button[type=submit]');
    await env.seeText(page, '.stage-step.current', '签约');
    await env.seeText(page, '.page-header .tag', '赢单');
    await env.seeText(page, '#opportunity-overview', '方案贴合，价格有优势');
    expect(env.problems).toEqual([]);
    await context.close();
  });
});
