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
/** A line of the server's JSON log, shortened: "server 303 POST /opportunities 4 ms", "server error …" with the stack. */
const staticRequests = new Set<string>();
function serverLine(json: string): string | null {
  try {
    const e = JSON.parse(json) as { msg?: string; level?: number; reqId?: string; req?: { method?: string; url?: string }; res?: { statusCode?: number }; responseTime?: number; err?: { stack?: string } };
    // Stylesheets, scripts and icons are left out, as on the browser's side.
    if (e.msg === 'incoming request' && e.req?.url?.startsWith('/public/')) {
      staticRequests.add(e.reqId ?? '');
      return null;
    }
    if (e.reqId && staticRequests.delete(e.reqId)) return null;
    if (e.msg === 'incoming request') return `server ← ${e.reqId} ${e.req?.method} ${e.req?.url}`;
    if (e.msg === 'request completed') return `server → ${e.reqId} ${e.res?.statusCode} in ${Math.round(e.responseTime ?? 0)} ms`;
    return `server ${e.level && e.level >= 50 ? 'ERROR' : 'log'} ${e.reqId ?? ''} ${e.msg ?? ''}${e.err?.stack ? `\n${e.err.stack}` : ''}`;
  } catch {
    return `server ${json.trim()}`;
  }
}
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
  // The server's own log (every request's answer, every error with its stack) goes into the trail, not the console.
  const app = await buildApp({ config: { ...config, logLevel: 'info' }, db: database.db, logStream: {
      write: (line) => {
        const shown = serverLine(line);
        if (shown) note(shown);
      },
    },
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
    page.on('requestfailed', (r) => {
      if (own(r.url())) note(`browser failed ${r.method()} ${r.url().slice(base.length)}: ${r.failure()?.errorText}`);
    });
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
