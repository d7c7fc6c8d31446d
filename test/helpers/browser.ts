import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/index.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { seedDemo, DEMO_PASSWORD } from '../../scripts/seed/index.ts';

export { DEMO_PASSWORD };

/**
 * What the browser and the server did lately (requests, answers, navigations, server errors), printed when a browser
 * test fails (test/helpers/e2e-trail.ts) so a failure that does not repeat still says what happened.
 */
export const trail: string[] = [];
function note(line: string) {
  trail.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
  if (trail.length > 200) trail.splice(0, trail.length - 200);
}

/** The real server on a loopback port with the demo company in a fresh SQLite file, and a headless Chromium. */
export async function startBrowserEnv() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guanxi-e2e-'));
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, PORT: '0' });
  const database = openDatabase(config.databaseFile);
  await migrateToLatest(database.db);
  await seedDemo(database, 'small');
  const app = await buildApp({ config, db: database.db, logger: false });
  app.addHook('onError', async (req, _reply, err) => note(`server error on ${req.method} ${req.url}: ${err.stack ?? String(err)}`));
  app.addHook('onResponse', async (req, reply) => {
    if (!req.url.startsWith('/public/')) note(`server ${reply.statusCode} ${req.method} ${req.url} ${req.headers['hx-request'] ? '(htmx)' : ''}`);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const browser: Browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    // Playwright gives every launch a fresh, temporary --user-data-dir of its own (it refuses one passed in args).
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  const problems: string[] = [];
  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    // CSP violations and script errors are failures, not noise.
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of (404|422|429)/.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(String(e)));
    const own = (url: string) => url.startsWith(base) && !url.startsWith(`${base}/public/`);
    page.on('request', (r) => { if (own(r.url())) note(`browser ${r.method()} ${r.url().slice(base.length)}`); });
    page.on('requestfailed', (r) => note(`browser failed ${r.method()} ${r.url().slice(base.length)}: ${r.failure()?.errorText}`));
    page.on('framenavigated', (f) => { if (f === page.mainFrame()) note(`browser at ${f.url().slice(base.length)}`); });
    page.on('console', (m) => note(`console ${m.type()}: ${m.text()}`));
    return { context, page };
  }
  async function signIn(page: Page, username: string, password = DEMO_PASSWORD) {
    await page.goto(`${base}/login`);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', password);
    await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
  }
  return {
    base,
    /** Waits (up to 5 s) until `selector` shows `text`; fails with what it showed instead. */
    async seeText(page: Page, selector: string, text: string) {
      try {
        await page.locator(selector, { hasText: text }).first().waitFor({ timeout: 5000 });
      } catch {
        const shown = await page.locator(selector).first().textContent().catch(() => null);
        throw new Error(`expected ${selector} to show "${text}", it shows: ${shown?.replace(/\s+/g, ' ').slice(0, 300)}`);
      }
    },
    db: database.db,
    problems,
    newPage,
    signIn,
    async close() {
      await browser.close();
      await app.close();
      await database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
