import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kysely, SqliteDialect } from 'kysely';
import type { DB } from '../../src/db/types.ts';
import type { Viewer } from '../../src/access/index.ts';
import { boardColumns, overview } from '../../src/features/board/queries.ts';
import { opportunitiesOfCustomer } from '../../src/features/opportunities/queries.ts';
import { smallOrg, testApp, type TestApp } from '../helpers/app.ts';
import { newCustomer } from '../helpers/customers.ts';
import { demoPipeline } from '../helpers/opportunities.ts';

// A rep's board and a customer's deals panel read through owner-first / customer-first indexes (migration 0016):
// measured on the large dataset, the stage-first plans read a whole stage (19,000 deals) per column.
let t: TestApp;
let org: Awaited<ReturnType<typeof smallOrg>>;
let pipelineId: number;
beforeAll(async () => {
  t = await testApp();
  org = await smallOrg(t.db);
  pipelineId = (await demoPipeline(t.db)).pipelineId;
});
afterAll(async () => t.close());

/** The plans of every query `run` makes, keyed by a fragment of the SQL that picks the query out. */
async function plans(run: (db: Kysely<DB>) => Promise<unknown>): Promise<{ sql: string; plan: string }[]> {
  const queries: { sql: string; params: readonly unknown[] }[] = [];
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: t.sqlite }), log: (e) => void queries.push({ sql: e.query.sql, params: e.query.parameters }) });
  await run(db);
  return queries.map((q) => ({
    sql: q.sql,
    plan: (t.sqlite.prepare(`explain query plan ${q.sql}`).all(...(q.params as unknown[])) as { detail: string }[]).map((r) => r.detail).join('\n'),
  }));
}

const rep = (): Viewer => ({
  id: org.users.rep1.id,
  username: 'rep1',
  displayName: 'rep1',
  role: 'sales_rep',
  departmentId: org.departments.eastTeam.id,
  departmentIds: [],
  language: 'zh-CN',
  mustChangePassword: false,
  memberOf: new Set(),
});

describe('board and deals-panel query plans', () => {
  it("reads a rep's board by owner: cards per stage and the stage totals", async () => {
    const all = await plans((db) => boardColumns(db, rep(), pipelineId, {}));
    const totals = all.find((q) => /group by/.test(q.sql))!;
    expect(totals.plan).toContain('opportunities_owner_pipeline_idx');
    const open = all.filter((q) => /order by "o"\."expected_close_date"/.test(q.sql));
    expect(open.length).toBeGreaterThan(0);
    for (const q of open) {
      expect(q.plan).toContain('opportunities_owner_board_close_idx');
      expect(q.plan).not.toContain('TEMP B-TREE');
    }
    const closed = all.filter((q) => /order by "o"\."closed_at"/.test(q.sql));
    for (const q of closed) expect(q.plan).toContain('opportunities_owner_board_closed_idx');
  });

  it("walks a stage's own index for a manager's column (the pipeline is implied by the stage)", async () => {
    const manager: Viewer = { ...rep(), id: org.users.manager1.id, role: 'sales_manager', departmentIds: [org.departments.east.id, org.departments.eastTeam.id] };
    const all = await plans((db) => boardColumns(db, manager, pipelineId, {}));
    const cards = all.filter((q) => /order by "o"\."(expected_close_date|closed_at)"/.test(q.sql));
    expect(cards.length).toBeGreaterThan(0);
    for (const q of cards) {
      expect(q.sql).not.toContain('"o"."pipeline_id"');
      expect(q.plan).toMatch(/opportunities_(owner_)?board_close(d)?_idx/);
    }
  });

  it("finds a customer's deals through the customer, in order", async () => {
    const customer = await newCustomer(t.db, { owner: org.users.rep1 });
    const [q] = await plans((db) => opportunitiesOfCustomer(db, rep(), customer.id));
    expect(q!.plan).toContain('opportunities_customer_status_idx');
    expect(q!.plan).not.toContain('TEMP B-TREE');
  });
});

describe('overview query plan', () => {
  it('reads the period of a whole-company overview from the covering close-date index', async () => {
    const director: Viewer = { ...rep(), id: org.users.director.id, role: 'sales_director', departmentIds: [] };
    const all = await plans((db) =>
      overview(db, director, { pipelineId, rows: 'company', from: '2026-10-01', to: '2026-12-31', noDepartment: '-', companyLabel: '公司' }),
    );
    const q = all.find((x) => /group by/.test(x.sql))!;
    expect(q.plan).toContain('COVERING INDEX opportunities_overview_idx');
  });

  it("reads a rep's overview from their own close-date index", async () => {
    const all = await plans((db) => overview(db, rep(), { pipelineId, rows: 'rep', from: '2026-10-01', to: '2026-12-31', noDepartment: '-', companyLabel: '公司' }));
    const q = all.find((x) => /group by/.test(x.sql))!;
    expect(q.plan).toContain('COVERING INDEX opportunities_owner_overview_idx');
  });
});
