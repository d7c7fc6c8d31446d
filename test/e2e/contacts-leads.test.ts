import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserEnv } from '../helpers/browser.ts';

let env: Awaited<ReturnType<typeof startBrowserEnv>>;
beforeAll(async () => {
  env = await startBrowserEnv();
});
afterAll(async () => env?.close());

describe('contacts and leads in the browser', () => {
  it('a rep creates a public-relations contact with a birthday and finds it by a two-character search', async () => {
    const { page, context } = await env.newPage();
    await env.signIn(page, 'rep1');
    await page.click('nav >> text=联系人');
    await page.waitForURL(`${env.base}/contacts`);
    await page.click('text=+ 新建联系人');
    await page.waitForURL(`${env.base}/contacts/new`);
    await page.selectOption('#f-kind', 'public_relations');
    await page.fill('#f-organisation', '苏州工业园区管委会');
    await page.fill('#f-name', '欧阳震华');
    await page.fill('#f-title', '招商处处长');
    await page.fill('#f-mobile', '1391234');
    await page.fill('#f-birthday', '1976-05-20');
    await page.fill('#f-postal_code', '215028');
    await page.fill('#f-address', '江苏省苏州市工业园区现代大道999号');
    // A bad mobile: the error appears beside the field without a page load, and the input is kept.
    await page.click('#contact-form button[type=submit]');
    await env.seeText(page, '#contact-form .error', '请输入有效的手机号码');
    expect(await page.inputValue('#f-name')).toBe('欧阳震华');
    await page.fill('#f-mobile', '13912345678');
    await page.click('#contact-form button[type=submit]');
    await page.waitForURL(/\/contacts\/\d+$/);
    await env.seeText(page, 'h1', '欧阳震华');
    await env.seeText(page, '#flash', '联系人已创建');
    await env.seeText(page, 'main', '1976-05-20');
    await env.seeText(page, '.envelope', '215028');

    // A key date, added in place.
    await page.fill('#contact-key-dates #f-label', '入职纪念日');
    await page.fill('#contact-key-dates #f-date', '2015-09-01');
    await page.click('#contact-key-dates button:has-text("添加")');
    await env.seeText(page, '#contact-key-dates table', '入职纪念日');

    // Active search with a two-character term.
    await page.click('nav >> text=联系人');
    await page.waitForURL(`${env.base}/contacts`);
    await page.fill('#contacts-q', '欧阳');
    await page.waitForURL(/q=%E6%AC%A7%E9%98%B3/);
    await env.seeText(page, '#contacts-list', '欧阳震华');
    await env.seeText(page, '#contacts-list', '苏州工业园区管委会');
    await page.click('#contacts-list a:has-text("欧阳震华")');
    await page.waitForURL(/\/contacts\/\d+$/);
    await context.close();
    expect(env.problems).toEqual([]);
  });

  it('a rep creates a lead, converts it, and lands on the new customer with its contact', async () => {
    const { page, context } = await env.newPage();
    await env.signIn(page, 'rep1');
    await page.click('nav >> text=线索');
    await page.waitForURL(`${env.base}/leads`);
    await page.click('text=+ 新建线索');
    await page.waitForURL(`${env.base}/leads/new`);
    await page.fill('#f-company', '无锡星辰微电子有限公司');
    await page.fill('#f-person', '顾晓峰');
    await page.fill('#f-title', '采购总监');
    await page.fill('#f-mobile', '13861801234');
    await page.selectOption('#f-source', 'exhibition');
    await page.selectOption('#f-province', '江苏');
    await page.fill('#f-city', '无锡');
    await page.selectOption('#f-status', 'disqualified');
    await page.click('#lead-form button[type=submit]');
    await env.seeText(page, '#lead-form .error', '标记为无效时须填写原因');
    await page.selectOption('#f-status', 'contacted');
    await page.click('#lead-form button[type=submit]');
    await page.waitForURL(/\/leads\/\d+$/);
    const leadUrl = page.url();
    await env.seeText(page, 'h1', '无锡星辰微电子有限公司');
    await env.seeText(page, 'h1 .tag', '已联系');

    await page.click('.page-header a[href$="/conversion"]');
    await page.waitForURL(/\/leads\/\d+\/conversion$/);
    expect(await page.inputValue('#f-customer_name')).toBe('无锡星辰微电子有限公司');
    expect(await page.inputValue('#f-contact_name')).toBe('顾晓峰');
    await page.click('#conversion-form button[type=submit]');
    await page.waitForURL(/\/customers\/\d+$/);
    await env.seeText(page, 'h1', '无锡星辰微电子有限公司');
    await env.seeText(page, '#flash', '线索已转化');
    await env.seeText(page, '#customer-contacts', '顾晓峰');
    await page.click('#customer-contacts a:has-text("顾晓峰")');
    await page.waitForURL(/\/contacts\/\d+$/);
    await env.seeText(page, 'h1', '顾晓峰');
    await env.seeText(page, 'main', '采购总监');

    // The lead keeps its links and offers no second conversion.
    await page.goto(leadUrl);
    await env.seeText(page, '#lead-conversion', '无锡星辰微电子有限公司');
    await env.seeText(page, '#lead-conversion', '顾晓峰');
    expect(await page.locator('a[href$="/conversion"]').count()).toBe(0);
    await context.close();
    expect(env.problems).toEqual([]);
  });

  it("a manager assigns a rep's lead to another rep of the department; the first rep then gets 404", async () => {
    const rep1 = await env.db.selectFrom('users').select('id').where('username', '=', 'rep1').executeTakeFirstOrThrow();
    const now = new Date().toISOString();
    const { id } = await env.db
      .insertInto('leads')
      .values({ company: '常州龙城精密模具厂', person: '钱立新', owner_id: rep1.id, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const { page, context } = await env.newPage();
    await env.signIn(page, 'manager1');
    await page.goto(`${env.base}/leads/${id}`);
    await env.seeText(page, '#lead-owner', '张伟');
    const rep2 = await page.locator('#f-owner_id option', { hasText: '周婷' }).getAttribute('value');
    await page.selectOption('#f-owner_id', rep2!);
    await page.click('#lead-owner button[type=submit]');
    await env.seeText(page, '#flash', '线索已分配给 周婷');
    await env.seeText(page, '#lead-owner p', '周婷');
    await context.close();

    const other = await env.newPage();
    await env.signIn(other.page, 'rep1');
    const res = await other.page.goto(`${env.base}/leads/${id}`);
    expect(res?.status()).toBe(404);
    await other.context.close();
  });
});
