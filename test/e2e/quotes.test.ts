import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserEnv } from '../helpers/browser.ts';

let env: Awaited<ReturnType<typeof startBrowserEnv>>;
beforeAll(async () => {
  env = await startBrowserEnv();
});
afterAll(async () => env?.close());

const SHOTS = process.env.QUOTE_SCREENSHOTS;

describe('a quote in the browser', () => {
  it('a rep builds a quote with two lines, requests approval, the manager approves, the rep downloads the PDF', async () => {
    const rep1 = await env.db.selectFrom('users').select('id').where('username', '=', 'rep1').executeTakeFirstOrThrow();
    const customer = await env.db.selectFrom('customers').select(['id', 'name']).where('owner_id', '=', rep1.id).orderBy('id').executeTakeFirstOrThrow();
    const server = await env.db.selectFrom('products').selectAll().where('code', '=', 'SRV-001').executeTakeFirstOrThrow();
    const service = await env.db.selectFrom('products').selectAll().where('code', '=', 'SVC-001').executeTakeFirstOrThrow();

    const { page, context } = await env.newPage();
    await env.signIn(page, 'rep1');
    await page.goto(`${env.base}/customers/${customer.id}`);
    await page.locator('#customer-quotes').waitFor(); // the quote history loads after the page
    await page.click('#new-quote');
    await page.waitForURL(/\/quotes\/new/);
    await page.fill('#f-payment_terms', '合同签订后 7 日内支付 30% 预付款');
    await page.click('#quote-form button[type=submit]');
    await page.waitForURL(/\/quotes\/\d+$/);
    const quoteId = Number(/\/quotes\/(\d+)$/.exec(page.url())?.[1]);
    await env.seeText(page, '#quote-lines', '还没有明细');

    // Line 1: the server at list price. Choosing the product swaps in a prefilled form with its price reference.
    await page.selectOption('#f-product_id', String(server.id));
    await env.seeText(page, '#price-reference', '标准价');
    await page.locator('#line-form:not(.htmx-settling) #f-unit_price').waitFor();
    expect(await page.inputValue('#f-unit_price')).toBe((server.list_price_fen / 100).toFixed(2));
    await page.fill('#f-quantity', '2');
    await page.click('#add-line-submit');
    await page.locator('#quote-lines tbody tr').first().waitFor();
    await env.seeText(page, '#quote-lines', server.name);

    // Line 2: a service below its floor price — this quote now needs the manager.
    await page.selectOption('#f-product_id', String(service.id));
    await env.seeText(page, '#price-reference', service.name);
    await page.locator('#line-form:not(.htmx-settling) #f-unit_price').waitFor();
    await page.fill('#f-unit_price', String(Math.floor(service.floor_price_fen / 100) - 500));
    await page.click('#add-line-submit');
    await page.locator('#quote-lines tbody tr').nth(1).waitFor();
    expect(page.url()).toBe(`${env.base}/quotes/${quoteId}`); // no reload: still the same page, lines swapped in
    await env.seeText(page, '#quote-lines', '低于底价');
    await env.seeText(page, '#quote-workflow', '需部门经理审批');
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'quote-edit.png'), fullPage: true });

    // Editing a line in place: 2 → 3 servers.
    await page.locator('#quote-lines tbody tr').first().locator('a', { hasText: '编辑' }).click();
    await page.locator('#line-form:not(.htmx-settling) #save-line-submit').waitFor();
    expect(await page.inputValue('#f-quantity')).toBe('2');
    await page.fill('#f-quantity', '3');
    await page.click('#save-line-submit');
    await env.seeText(page, '#quote-lines tbody tr:first-child td:nth-child(4)', '3');
    await page.locator('#add-line-submit').waitFor();

    // Removing a line works in place too (and the quote no longer needs approval); add it back.
    await page.locator('#quote-lines tbody tr').nth(1).locator('button').click();
    await env.seeText(page, '#quote-workflow', '无需审批');
    expect(await page.locator('#quote-lines tbody tr').count()).toBe(1);
    await page.selectOption('#f-product_id', String(service.id));
    await env.seeText(page, '#price-reference', service.name);
    await page.locator('#line-form:not(.htmx-settling) #f-unit_price').waitFor();
    await page.fill('#f-unit_price', String(Math.floor(service.floor_price_fen / 100) - 500));
    await page.click('#add-line-submit');
    await page.locator('#quote-lines tbody tr').nth(1).waitFor();
    await env.seeText(page, '#quote-workflow', '需部门经理审批');
    await page.click('#request-approval');
    await env.seeText(page, '.page-header .tag', '待审批');
    const q = await env.db.selectFrom('quotes').selectAll().where('id', '=', quoteId).executeTakeFirstOrThrow();
    await context.close();

    // The manager finds it in the to-do list on the home page and approves with a comment.
    const m = await env.newPage();
    await env.signIn(m.page, 'manager1');
    await env.seeText(m.page, '#quote-approvals', q.number);
    if (SHOTS) await m.page.screenshot({ path: path.join(SHOTS, 'quote-home.png'), fullPage: true });
    await m.page.click(`#quote-approvals a[href="/quotes/${quoteId}"]`);
    await m.page.waitForURL(`${env.base}/quotes/${quoteId}`);
    await m.page.fill('#f-comment', '同意，战略客户');
    await m.page.click('#approve');
    await env.seeText(m.page, '.page-header .tag', '已审批');
    await env.seeText(m.page, '#quote-history', '同意，战略客户');
    await m.context.close();

    // The rep downloads the PDF.
    const r = await env.newPage();
    await env.signIn(r.page, 'rep1');
    await r.page.goto(`${env.base}/quotes/${quoteId}`);
    await env.seeText(r.page, '.page-header .tag', '已审批');
    if (SHOTS) await r.page.screenshot({ path: path.join(SHOTS, 'quote-show.png'), fullPage: true });
    const [download] = await Promise.all([r.page.waitForEvent('download'), r.page.click('#quote-pdf')]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quote-e2e-'));
    const file = path.join(dir, 'quote.pdf');
    await download.saveAs(file);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(text).toContain(q.number);
    expect(text).toContain(customer.name);
    expect(text.replace(/\s+/g, '')).toContain(server.name.replace(/\s+/g, ''));
    expect(text).toContain('人民币大写');
    await r.context.close();
    expect(env.problems).toEqual([]);
  });
});
