// npm run screenshots -- [baseUrl] [outDir]   Signs in as each demo role and saves full-page PNGs of the main pages,
// for looking at what we build. Needs a running demo (npm run demo) and Chromium (CHROMIUM_PATH or /usr/bin/chromium).
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://localhost:3000';
const out = process.argv[3] ?? 'data/screenshots';
fs.mkdirSync(out, { recursive: true });
const plan: Record<string, string[]> = {
  admin: ['/admin/jobs', '/admin/outbox', '/', '/admin/users', '/admin/users/new', '/admin/departments', '/admin/company', '/admin/audit', '/me', '/search?q=王'],
  rep1: ['/notifications', '/reports/work', '/quotes', '/products', '/', '/customers', '/customers/pool', '/customers/new', '/contacts', '/leads', '/calendar?view=week', '/calendar?view=month', '/tasks', '/imports/customers', '/search?q=华为', '/admin/users'],
  manager1: ['/reports/work', '/', '/customers?view=dept', '/calendar?view=week&team=1', '/opportunities', '/opportunities/board', '/opportunities/overview?rows=rep', '/opportunities/at-risk', '/pipeline'],
  director: ['/pipeline', '/settings/pipelines'],
};
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
for (const [user, pages] of Object.entries(plan)) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.screenshot({ path: path.join(out, 'login.png') });
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', 'demo12345');
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
  for (const p of pages) {
    await page.goto(base + p);
    const name = `${user}${p.replace(/[/?=&]+/g, '_')}.png`;
    if (p === '/opportunities') {
      // Also the page of the first deal in the list.
      const first = await page.locator('main a[href^="/opportunities/"]').filter({ hasNotText: /看板|总览|新建/ }).first().getAttribute('href');
      if (first && /^\/opportunities\/\d+$/.test(first)) {
        await page.goto(base + first);
        await page.screenshot({ path: path.join(out, `${user}_deal.png`), fullPage: true });
        await page.goto(base + p);
      }
    }
    if (p === '/customers') {
      // Also the 360° page of the first customer in the list.
      const first = await page.locator('#customers-list tbody a[href^="/customers/"]').first().getAttribute('href');
      if (first) {
        await page.goto(base + first);
        await page.screenshot({ path: path.join(out, `${user}_customer_360.png`), fullPage: true });
        await page.goto(base + p);
      }
    }
    await page.screenshot({ path: path.join(out, name), fullPage: true });
    console.log(path.join(out, name));
  }
  await context.close();
}
await browser.close();
