import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserEnv } from '../helpers/browser.ts';

let env: Awaited<ReturnType<typeof startBrowserEnv>>;
beforeAll(async () => {
  env = await startBrowserEnv();
});
afterAll(async () => env?.close());

describe('an administrator in the browser', () => {
  it('signs in, creates a department and a user, finds the user by search, and signs out', async () => {
    const { page, context } = await env.newPage();
    await env.signIn(page, 'admin');
    await env.seeText(page, 'h1', '赵敏');

    // Department: a validation error appears beside the field without a page load, then the save works.
    await page.click('nav >> text=部门');
    await page.waitForURL(`${env.base}/admin/departments`);
    await page.click('text=+ 新建部门');
    await page.waitForURL(`${env.base}/admin/departments/new`);
    const centre = await page.locator('#f-parent_id option', { hasText: '销售中心' }).first().getAttribute('value');
    await page.selectOption('#f-parent_id', centre!);
    await page.click('#department-form button[type=submit]');
    await env.seeText(page, '#department-form .error', '此项为必填');
    // Let htmx finish settling the swapped form before typing into it.
    await page.waitForSelector('#department-form:not(.htmx-settling):not(.htmx-swapping)');
    await page.fill('#f-name', '西南销售部');
    await page.click('#department-form button[type=submit]');
    await page.waitForURL(`${env.base}/admin/departments`);
    await env.seeText(page, '#departments', '西南销售部');
    await env.seeText(page, '#flash', '部门已创建');

    // User in that department.
    await page.goto(`${env.base}/admin/users/new`);
    await page.fill('#f-username', 'chen.jing');
    await page.fill('#f-display_name', '陈静');
    await page.fill('#f-phone', '13912345678');
    await page.fill('#f-email', 'chen.jing@example.cn');
    const dept = await page.locator('#f-department_id option', { hasText: '西南销售部' }).getAttribute('value');
    await page.selectOption('#f-department_id', dept!);
    await page.fill('#f-password', 'short');
    await page.click('#user-form button[type=submit]');
    await env.seeText(page, '#user-form', '密码至少 8 位');
    await page.waitForSelector('#user-form:not(.htmx-settling):not(.htmx-swapping)');
    expect(await page.inputValue('#f-display_name')).toBe('陈静');
    await page.fill('#f-password', 'chenjing-pass');
    await page.click('#user-form button[type=submit]');
    await page.waitForSelector('#users-q');
    await page.waitForURL(`${env.base}/admin/users`);

    // Active search: typing filters the list in place and updates the URL.
    await page.fill('#users-q', '陈静');
    await page.locator('#users-list tbody tr', { hasText: 'admin@' }).waitFor({ state: 'detached' });
    expect(await page.locator('#users-list tbody tr').count()).toBe(1);
    await env.seeText(page, '#users-list', 'chen.jing');
    await page.waitForURL(/q=%E9%99%88%E9%9D%99/);

    // Disable inline, then enable again.
    await page.click('#users-list tbody tr >> button:has-text("停用")');
    await env.seeText(page, '#users-list tbody tr', '已停用');

    // Sign out from the user menu.
    await page.click('details.usermenu summary');
    await page.click('text=退出登录');
    await page.waitForURL(`${env.base}/login`);
    await env.seeText(page, '#flash', '您已安全退出');
    await page.goto(`${env.base}/admin/users`);
    await page.waitForURL(/\/login\?next=/);
    await context.close();
    expect(env.problems).toEqual([]);
  });

  it('a sales rep cannot open an admin page', async () => {
    const { page, context } = await env.newPage();
    await env.signIn(page, 'rep1');
    expect(await page.locator('nav').textContent()).not.toContain('用户');
    const res = await page.goto(`${env.base}/admin/users`);
    expect(res?.status()).toBe(404);
    await env.seeText(page, 'body', '页面不存在');
    await context.close();
  });

  it('the new user signs in with the password the admin set', async () => {
    await env.db.updateTable('users').set({ active: 1 }).where('username', '=', 'chen.jing').execute();
    const { page, context } = await env.newPage();
    await env.signIn(page, 'chen.jing', 'chenjing-pass');
    await env.seeText(page, 'main', '西南销售部');
    await context.close();
    expect(env.problems).toEqual([]);
  });
});
