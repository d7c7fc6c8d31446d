import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserEnv } from '../helpers/browser.ts';
import { nowIso } from '../../src/db/index.ts';

let env: Awaited<ReturnType<typeof startBrowserEnv>>;
const POOL_NAME = '无锡太湖精密电子有限公司';
beforeAll(async () => {
  env = await startBrowserEnv();
  // The demo seed brings ~300 customers; make sure the two this test walks through exist whatever it holds.
  const rep1 = await env.db.selectFrom('users').select('id').where('username', '=', 'rep1').executeTakeFirstOrThrow();
  const now = nowIso();
  const has = async (name: string) => Boolean(await env.db.selectFrom('customers').select('id').where('name', '=', name).executeTakeFirst());
  if (!(await has('深圳华为技术有限公司'))) {
    await env.db.insertInto('customers').values({ name: '深圳华为技术有限公司', short_name: '华为', owner_id: rep1.id, created_at: now, updated_at: now }).execute();
  }
  await env.db.insertInto('customers').values({ name: POOL_NAME, owner_id: null, pooled_at: now, created_at: now, updated_at: now }).execute();
});
afterAll(async () => env?.close());

describe('customers in the browser', () => {
  it('a rep creates a customer past the duplicate warning, finds it by a two-character search, opens its 360° page and claims one from the pool', async () => {
    const { page, context } = await env.newPage();
    await env.signIn(page, 'rep1');

    // Create: a similar name is flagged before saving, with a link to the existing customer.
    await page.click('nav a[href="/customers"]');
    await page.waitForURL(`${env.base}/customers`);
    await page.click('text=+ 新建客户');
    await page.waitForURL(`${env.base}/customers/new`);
    await page.fill('#f-name', '华为技术股份有限公司');
    await page.fill('#f-phone', '0755-12345678');
    await page.selectOption('#f-grade', 'A');
    await page.fill('#f-tags', '展会2026');
    await page.click('#customer-form button[type=submit] >> text=保存');
    await env.seeText(page, '#duplicates', '深圳华为技术有限公司');
    await env.seeText(page, '#duplicates', '名称相似');
    expect(await page.inputValue('#f-name')).toBe('华为技术股份有限公司');
    expect(await page.inputValue('#f-phone')).toBe('0755-12345678');
    await page.click('#save-anyway');
    await page.waitForURL(/\/customers\/\d+$/);
    await env.seeText(page, 'h1', '华为技术股份有限公司');
    await env.seeText(page, '#flash', '客户已创建');

    // The 360° page: overview, contacts, activities and the field history.
    await env.seeText(page, '#customer-overview', '0755-12345678');
    await env.seeText(page, '#customer-history', '新建');
    await page.locator('#customer-contacts').waitFor();
    await page.locator('#activity-panel').waitFor();

    // Active search with a two-character term: the list narrows in place and the URL follows.
    await page.goto(`${env.base}/customers`);
    await page.fill('#customers-q', '华为');
    await page.waitForURL(/q=%E5%8D%8E%E4%B8%BA/);
    await env.seeText(page, '#customers-list', '华为技术股份有限公司');
    const names = await page.locator('#customers-list .customer-name').allTextContents();
    expect(names.length).toBeGreaterThanOrEqual(2);
    expect(names.every((n) => n.includes('华为'))).toBe(true);
    await page.click('#customers-list .customer-name >> text=华为技术股份有限公司');
    await page.waitForURL(/\/customers\/\d+$/);
    await env.seeText(page, 'h1', '华为技术股份有限公司');

    // The public pool: claim one; it becomes the rep's, and the move is in its history.
    await page.click('nav a[href="/customers/pool"]');
    await page.waitForURL(`${env.base}/customers/pool`);
    await page.locator('#customers-list tr', { hasText: POOL_NAME }).locator('button:has-text("领取")').click();
    await page.waitForURL(/\/customers\/\d+$/);
    await env.seeText(page, 'h1', POOL_NAME);
    await env.seeText(page, '#flash', '已领取该客户');
    await env.seeText(page, '.page-header .sub', '张伟');
    await env.seeText(page, '#customer-history', '领取');
    await context.close();
    expect(env.problems).toEqual([]);
  });

  it('a manager assigns a customer of the team to a rep', async () => {
    const { page, context } = await env.newPage();
    await env.signIn(page, 'manager1');
    await page.goto(`${env.base}/customers?q=${encodeURIComponent('华为技术股份')}`);
    await page.click('#customers-list .customer-name >> text=华为技术股份有限公司');
    await page.waitForURL(/\/customers\/\d+$/);
    const rep2 = await page.locator('#assign-owner option', { hasText: '周婷' }).getAttribute('value');
    await page.selectOption('#assign-owner', rep2!);
    await page.click('.assign-form button[type=submit]');
    await env.seeText(page, '#flash', '客户已分配给 周婷');
    await env.seeText(page, '.page-header .sub', '周婷');
    await env.seeText(page, '#customer-history', '分配');
    await context.close();
    expect(env.problems).toEqual([]);
  });
});
