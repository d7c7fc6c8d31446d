import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, smallOrg, testApp, type TestApp } from '../helpers/app.ts';
import { modulesFor } from '../../src/access/modules.ts';
import { demoPipeline } from '../helpers/opportunities.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
  await smallOrg(t.db);
  await demoPipeline(t.db);
});
afterAll(async () => t.close());

describe('the navigation', () => {
  it.each(['admin', 'gm', 'director', 'manager1', 'rep1'] as const)('offers %s only pages that open', async (username) => {
    const c = await signIn(t.app, username);
    const role = (await t.db.selectFrom('users').select('role').where('username', '=', username).executeTakeFirstOrThrow()).role;
    const modules = modulesFor(role);
    expect(modules.length).toBeGreaterThan(1);
    for (const m of modules) expect((await c.get(m.href)).statusCode, `${username} ${m.href}`).toBe(200);
  });
});
