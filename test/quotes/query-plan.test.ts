import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallOrg, testApp, type TestApp } from '../helpers/app.ts';
import { queryPlans } from '../helpers/query-plans.ts';
import type { DB } from '../../src/db/types.ts';
import type { Viewer } from '../../src/access/index.ts';
import { approvalsWaiting, priceReference } from '../../src/features/quotes/queries.ts';
import { newProduct } from '../helpers/quotes.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof smallOrg>>;
beforeAll(async () => {
  t = await testApp();
  org = await smallOrg(t.db);
});
afterAll(async () => t.close());

const viewer = (id: number, role: Viewer['role'], departmentIds: number[] = []): Viewer => ({ id, username: 'x', displayName: 'x', role, departmentId: departmentIds[0] ?? null, departmentIds, language: 'zh-CN', mustChangePassword: false, memberOf: new Set<string>() });

async function plansOf(run: (db: Kysely<DB>) => Promise<unknown>): Promise<string[][]> {
  return (await queryPlans(t.sqlite, run)).map((q) => q.plan.split('\n'));
}

describe('quote query plans', () => {
  it('the home page’s approval to-do list is one lookup on the partial approver index', async () => {
    const plans = await plansOf((db) => approvalsWaiting(db, viewer(org.users.manager1.id, 'sales_manager', [org.departments.east.id])));
    expect(plans).toHaveLength(1);
    expect(plans[0]!.join('\n')).toMatch(/SEARCH q USING INDEX quotes_approver_idx/);
  });
  it('the price reference reads one product’s lines through its index', async () => {
    const p = await newProduct(t.db);
    const plans = await plansOf((db) => priceReference(db, viewer(org.users.director.id, 'sales_director'), p.id, 1, '2025-11-27'));
    expect(plans).toHaveLength(3);
    expect(plans.flat().join('\n')).toMatch(/quote_lines_product_idx/);
  });
});
