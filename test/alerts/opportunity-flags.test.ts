import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApp, signIn, type TestApp } from '../helpers/app.ts';
import { forgetStageTypicals } from '../../src/features/alerts/queries.ts';
import { pageFixture } from './fixture.ts';

let t: TestApp;
let f: Awaited<ReturnType<typeof pageFixture>>;
beforeEach(async () => {
  t = await testApp();
  f = await pageFixture(t);
  forgetStageTypicals(t.db);
});
afterEach(async () => t.close());

describe('flags on the deal page', () => {
  it('lists the flags of a deal at risk, and nothing for a healthy one', async () => {
    const rep1 = await signIn(t.app, 'rep1');
    const risky = await rep1.get(`/opportunities/${f.deals.d2}`);
    expect(risky.statusCode).toBe(200);
    expect(risky.body).toContain('id="opportunity-flags"');
    expect(risky.body).toContain('金额从 ¥30万 降到 ¥20万（-33%）');
    const healthy = await rep1.get(`/opportunities/${f.deals.d1}`);
    expect(healthy.statusCode).toBe(200);
    expect(healthy.body).not.toContain('id="opportunity-flags"');
  });

  it('is 404 for another rep', async () => {
    expect((await (await signIn(t.app, 'rep3')).get(`/opportunities/${f.deals.d2}`)).statusCode).toBe(404);
  });
});
