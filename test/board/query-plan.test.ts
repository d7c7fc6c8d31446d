import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/types.ts';
import type { Viewer } from '../../src/access/index.ts';
import { boardColumns, overview } from '../../src/features/board/queries.ts';
import { opportunitiesOfCustomer } from '../../src/features/opportunities/queries.ts';
import { smallOrg, testApp, type TestApp } from '../helpers/app.ts';
import { queryPlans } from '../helpers/query-plans.ts';
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

/** The plans of every query `run` makes. */
const plans = (run: (db: Kysely<DB>) => Promise<unknown>) => queryPlans(t.sqlite, run);

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
  it("reads a rep's board by owner: cards per stage, and the stage totals from the summary by owner", async () => {
    const all = await plans((db) => boardColumns(db, rep(), pipelineId, {}));
    const totals = all.filter((q) => /group by/.test(q.sql));
    expect(totals).toHaveLength(1);
    expect(totals[0]!.sql).toContain('from "deal_totals"');
    expect(totals[0]!.plan).toMatch(/SEARCH t USING PRIMARY KEY \(owner_id=\? AND pipeline_id=\?\)/);
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
    // The totals: the summary rows of the manager's departments (decision 0020), by key — not a scan.
    const totals = all.find((q) => /group by/.test(q.sql))!;
    expect(totals.sql).toContain('from "deal_totals"');
    expect(totals.plan).toMatch(/SEARCH t USING PRIMARY KEY \(owner_id=\? AND pipeline_id=\?\)/);
    expect(totals.plan).not.toMatch(/SCAN t\b/);
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
  const director = (): Viewer => ({ ...rep(), id: org.users.director.id, role: 'sales_director', departmentIds: [] });

  it("reads a whole quarter of the company's overview from the company's summary rows alone", async () => {
    const all = await plans((db) => overview(db, director(), { pipelineId, rows: 'company', from: '2026-10-01', to: '2026-12-31', noDepartment: '-', companyLabel: '公司' }));
    const grouped = all.filter((x) => /group by/.test(x.sql));
    expect(grouped).toHaveLength(1);
    expect(grouped[0]!.sql).toContain('from "deal_totals"');
    expect(grouped[0]!.plan).toMatch(/SEARCH t USING PRIMARY KEY \(owner_id=\? AND pipeline_id=\? AND close_month>\? AND close_month<\?\)/);
  });

  it('reads the days of a period that are not a whole month from the covering close-date index', async () => {
    const all = await plans((db) => overview(db, director(), { pipelineId, rows: 'company', from: '2026-10-15', to: '2026-12-31', noDepartment: '-', companyLabel: '公司' }));
    const raw = all.filter((x) => /group by/.test(x.sql) && /from "opportunities"/.test(x.sql));
    expect(raw).toHaveLength(1);
    expect(raw[0]!.plan).toContain('COVERING INDEX opportunities_overview_idx');
  });

  it("reads a rep's overview from their own summary rows, and the ends of the period from their close-date index", async () => {
    const all = await plans((db) => overview(db, rep(), { pipelineId, rows: 'rep', from: '2026-10-10', to: '2026-12-20', noDepartment: '-', companyLabel: '公司' }));
    const summary = all.find((x) => /from "deal_totals"/.test(x.sql))!;
    expect(summary.plan).toMatch(/SEARCH t USING PRIMARY KEY \(owner_id=\? AND pipeline_id=\? AND close_month>\? AND close_month<\?\)/);
    const raw = all.filter((x) => /group by/.test(x.sql) && /from "opportunities"/.test(x.sql));
    expect(raw).toHaveLength(2);
    for (const q of raw) expect(q.plan).toContain('COVERING INDEX opportunities_owner_overview_idx');
  });
});
