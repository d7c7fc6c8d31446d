import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserEnv, trail } from '../helpers/browser.ts';

// The trail a failing browser test prints (test/helpers/e2e-trail.ts) holds both sides: what the browser asked and
// what the server answered, errors included.
let env: Awaited<ReturnType<typeof startBrowserEnv>>;
beforeAll(async () => {
  env = await startBrowserEnv();
});
afterAll(async () => env?.close());

describe('the trail of a browser test', () => {
  it('records the browser’s requests and navigations and the server’s answers, without static files', async () => {
    const { page } = await env.newPage();
    await env.signIn(page, 'rep1');
    await page.goto(`${env.base}/no-such-page`);
    const text = trail.join('\n');
    expect(text).toMatch(/browser POST \/login/);
    expect(text).toMatch(/server ← \S+ POST \/login/);
    expect(text).toMatch(/server → \S+ 204 in \d+ ms/);
    expect(text).toMatch(/browser at \/no-such-page/);
    expect(text).toMatch(/server → \S+ 404 in \d+ ms/);
    expect(text).not.toMatch(/\/public\//);
  });
});
