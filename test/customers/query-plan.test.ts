import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallOrg, testApp, type TestApp } from '../helpers/app.ts';
import { newCustomer } from '../helpers/customers.ts';
import { queryPlans } from '../helpers/query-plans.ts';
import type { Viewer } from '../../src/access/index.ts';
import { listCustomers } from '../../src/features/customers/queries.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof smallOrg>>;
beforeAll(async () => {
  t = await testApp();
  org = await smallOrg(t.db);
  for (let i = 0; i < 30; i++) await newCustomer(t.db, { owner: i % 3 === 0 ? null : org.users.rep1, name: `计划客户${i}` });
});
afterAll(async () => t.close());

/** The plans SQLite picks for the statements listCustomers runs (captured through a logging Kysely on the same handle). */
async function plans(viewer: Viewer, f: Parameters<typeof listCustomers>[2]): Promise<string[]> {
  const seen = await queryPlans(t.sqlite, (db) => listCustomers(db, viewer, f));
  return seen.find((q) => q.sql.includes('order by') && q.sql.includes('"c"."updated_at"'))!.plan.split('\n');
}

const viewer = (id: number, role: Viewer['role'], departmentIds: number[] = []): Viewer => ({
  id,
  username: 'x',
  displayName: 'x',
  role,
  departmentId: departmentIds[0] ?? null,
  departmentIds,
  language: 'zh-CN',
  mustChangePassword: false,
  memberOf: new Set<string>(),
});

describe('the customer list’s query plans', () => {
  it('a director’s default page walks the (updated_at, id) index: no sort of the whole table', async () => {
    const p = (await plans(viewer(org.users.director.id, 'sales_director'), {})).join(' | ');
    expect(p).toMatch(/customers_updated_idx/);
    expect(p).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
  });

  it('a rep’s page starts from the owner', async () => {
    const p = (await plans(viewer(org.users.rep1.id, 'sales_rep', [org.departments.east.id]), { view: 'mine' })).join(' | ');
    expect(p).toMatch(/customers_(owner|pool)_idx \(owner_id=\?/);
  });

  it('the public pool reads the (owner_id, updated_at, id) index without sorting', async () => {
    const p = (await plans(viewer(org.users.rep1.id, 'sales_rep', [org.departments.east.id]), { view: 'pool' })).join(' | ');
    expect(p).toMatch(/customers_pool_idx/);
    expect(p).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
  });
});
