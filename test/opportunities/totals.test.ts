import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { smallOrg, testApp, type TestApp } from '../helpers/app.ts';
import { newCustomer } from '../helpers/customers.ts';
import { checkAllCriteria, dealTotalsFromDeals, demoPipeline } from '../helpers/opportunities.ts';
import { advanceOpportunity, createOpportunity, updateOpportunity } from '../../src/features/opportunities/commands.ts';
import { dealTotals, rebuildDealTotals, splitByMonth, type TotalsQuery } from '../../src/features/opportunities/totals.ts';
import { scope, type Viewer } from '../../src/access/index.ts';
import type { OpportunityInput } from '../../src/features/opportunities/schemas.ts';
import { rebuildRollup, withStats } from '../../src/features/pipeline-analytics/rollup.ts';
import { updateUser } from '../../src/features/users/commands.ts';

// deal_totals (the board's column totals and the overview table read it) must always equal the deals themselves:
// every command that writes a deal keeps it in step, and every way of reading it gives what counting the deals gives.
let t: TestApp;
let org: Awaited<ReturnType<typeof smallOrg>>;
let demo: Awaited<ReturnType<typeof demoPipeline>>;
let customers: { id: number }[];
const ctx = { actorId: null, ip: '127.0.0.1' };

const viewer = (u: { id: number }, role: Viewer['role'], departmentIds: number[] = [], memberOf: string[] = []): Viewer => ({
  id: u.id,
  username: `u${u.id}`,
  displayName: `u${u.id}`,
  role,
  departmentId: departmentIds[0] ?? null,
  departmentIds,
  language: 'zh-CN',
  mustChangePassword: false,
  memberOf: new Set(memberOf),
});

beforeAll(async () => {
  t = await testApp();
  org = await smallOrg(t.db);
  demo = await demoPipeline(t.db);
  customers = [
    await newCustomer(t.db, { owner: org.users.rep1 }),
    await newCustomer(t.db, { owner: org.users.rep2 }),
    await newCustomer(t.db, { owner: org.users.rep3 }),
  ];
});
afterAll(async () => t.close());

// The stage rollup (/pipeline) beside it: what the commands kept equals a rebuild from the stage history, every
// owner key included (the owner, the company, the owner's department). Rows moved away to nothing are left as zeros.
const COUNTERS = ['entered', 'exits', 'advanced', 'lost', 'won', 'days_sum', 'cycle_days_sum', 'won_amount_fen'] as const;
const rollupRows = async () =>
  (await withStats(t.db).selectFrom('stage_month_stats').selectAll().orderBy('pipeline_id').orderBy('owner_id').orderBy('month').orderBy('stage_id').execute())
    .filter((r) => COUNTERS.some((c) => r[c] !== 0))
    .map((r) => ({ ...r }));

async function expectInStep() {
  const { summary, fromDeals } = await dealTotalsFromDeals(t.db);
  expect(summary).toEqual(fromDeals);
  const kept = await rollupRows();
  await rebuildRollup(t.db);
  expect(kept).toEqual(await rollupRows());
  expect(kept.some((r) => r.owner_id < 0)).toBe(true);
}

const input = (over: Partial<OpportunityInput>): OpportunityInput => ({
  name: '测试机会',
  customer_id: customers[0]!.id,
  amount: 1_000_000,
  expected_close_date: '2026-12-15',
  pipeline_id: demo.pipelineId,
  stage_id: demo.byName('初步接洽').id,
  probability: null,
  source: 'referral',
  owner_id: null,
  competitor_ids: [],
  next_step: '',
  description: '',
  ...over,
});

describe('deal_totals kept in step by the commands', () => {
  it('follows creation, edits (amount, close month, owner), advancement, losing, reopening and winning', async () => {
    const rep1 = viewer(org.users.rep1, 'sales_rep', [org.departments.east.id]);
    const rep3 = viewer(org.users.rep3, 'sales_rep', [org.departments.south.id]);
    const director = viewer(org.users.director, 'sales_director', [org.departments.centre.id]);
    const ids: number[] = [];
    const dates = ['2026-11-30', '2026-12-01', '2026-12-31', '2027-01-15', '2027-03-31'];
    for (let i = 0; i < 10; i++) {
      const r = await createOpportunity(t.db, i % 3 === 2 ? rep3 : rep1, ctx, input({ name: `机会${i}`, amount: 100_000 * (i + 1) + 37, expected_close_date: dates[i % dates.length]!, customer_id: customers[i % 3 === 2 ? 2 : 0]!.id }));
      if (!r.ok) throw new Error(JSON.stringify(r));
      ids.push(r.id);
    }
    await expectInStep();

    const edit = (id: number, over: Partial<OpportunityInput>) => updateOpportunity(t.db, director, ctx, id, input(over));
    const current = (id: number) => t.db.selectFrom('opportunities').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const keep = async (id: number) => {
      const d = await current(id);
      return { name: d.name, customer_id: d.customer_id, amount: d.amount_fen, expected_close_date: d.expected_close_date, stage_id: d.stage_id, owner_id: d.owner_id };
    };
    // The amount alone (same month): only the amounts move. Then the probability alone: only the weighted sums.
    expect((await edit(ids[0]!, { ...(await keep(ids[0]!)), amount: 1 })).ok).toBe(true);
    await expectInStep();
    expect((await edit(ids[2]!, { ...(await keep(ids[2]!)), probability: 15 })).ok).toBe(true);
    expect((await current(ids[2]!)).probability).toBe(15);
    await expectInStep();
    // Into another month, and to another owner.
    expect((await edit(ids[1]!, { ...(await keep(ids[1]!)), expected_close_date: '2027-02-28' })).ok).toBe(true);
    expect((await edit(ids[3]!, { ...(await keep(ids[3]!)), owner_id: org.users.rep2.id })).ok).toBe(true);
    await expectInStep();

    // Forward (criteria met), lost from anywhere, reopened by the director, won.
    const stage = (name: string) => demo.byName(name).id;
    await checkAllCriteria(t.db, ids[4]!, stage('初步接洽'), org.users.rep1.id);
    expect(await advanceOpportunity(t.db, rep1, ctx, ids[4]!, stage('需求确认'))).toEqual({ ok: true });
    expect(await advanceOpportunity(t.db, rep1, ctx, ids[6]!, stage('输单'), { reason: '价格' })).toEqual({ ok: true });
    expect(await advanceOpportunity(t.db, director, ctx, ids[6]!, stage('商务谈判'))).toEqual({ ok: true });
    await checkAllCriteria(t.db, ids[7]!, stage('初步接洽'), org.users.rep1.id);
    expect(await advanceOpportunity(t.db, director, ctx, ids[7]!, stage('签约'), { reason: '方案最优' })).toEqual({ ok: true });
    await expectInStep();
  });

  it("moves a user's figures with them when they change department (or leave every department)", async () => {
    const rep1 = await t.db.selectFrom('users').selectAll().where('id', '=', org.users.rep1.id).executeTakeFirstOrThrow();
    const move = (department_id: number | null) =>
      updateUser(t.db, ctx, rep1.id, { display_name: rep1.display_name, email: rep1.email, phone: rep1.phone, role: rep1.role, language: rep1.language, department_id });
    const departmentRows = async (id: number) => (await t.db.selectFrom('deal_totals').select('deals').where('owner_id', '=', -id).execute()).reduce((a, r) => a + r.deals, 0);
    const eastBefore = await departmentRows(org.departments.east.id);
    expect(eastBefore).toBeGreaterThan(0);
    for (const department of [org.departments.south.id, null, org.departments.east.id]) {
      expect((await move(department)).ok).toBe(true);
      await expectInStep();
    }
    expect(await departmentRows(org.departments.east.id)).toBe(eastBefore);
  });

  it('is rebuilt from the deals after a bulk load (the large seed)', async () => {
    await sql`delete from deal_totals`.execute(t.db);
    await rebuildDealTotals(t.db);
    await expectInStep();
  });
});

describe('splitting a period into whole months and days', () => {
  it.each([
    ['2026-10-01', '2026-12-31', { from: '2026-10', to: '2026-12' }, []],
    ['2026-10-15', '2026-12-31', { from: '2026-11', to: '2026-12' }, [['2026-10-15', '2026-10-31']]],
    ['2026-10-01', '2026-12-20', { from: '2026-10', to: '2026-11' }, [['2026-12-01', '2026-12-20']]],
    ['2026-10-15', '2026-11-20', null, [['2026-10-15', '2026-10-31'], ['2026-11-01', '2026-11-20']]],
    ['2026-10-15', '2026-10-20', null, [['2026-10-15', '2026-10-20']]],
    ['2026-02-01', '2026-02-28', { from: '2026-02', to: '2026-02' }, []],
    ['2028-02-01', '2028-02-28', null, [['2028-02-01', '2028-02-28']]],
    ['2026-12-15', '2027-01-31', { from: '2027-01', to: '2027-01' }, [['2026-12-15', '2026-12-31']]],
    [undefined, '2026-12-20', { from: undefined, to: '2026-11' }, [['2026-12-01', '2026-12-20']]],
    ['2026-10-15', undefined, { from: '2026-11', to: undefined }, [['2026-10-15', '2026-10-31']]],
    [undefined, undefined, { from: undefined, to: undefined }, []],
  ] as const)('%s … %s', (from, to, months, days) => {
    expect(splitByMonth(from, to)).toEqual({ months, days });
  });
});

describe('reading deal_totals gives what counting the deals gives', () => {
  /** The reference: the deals in scope, counted straight from the opportunities table. */
  async function counted(v: Viewer, q: TotalsQuery) {
    let r = t.db.selectFrom('opportunities as o').where(scope(v, 'opportunities', { alias: 'o' }));
    if (q.pipelineId !== undefined) r = r.where('o.pipeline_id', '=', q.pipelineId);
    if (q.from) r = r.where('o.expected_close_date', '>=', q.from);
    if (q.to) r = r.where('o.expected_close_date', '<=', q.to);
    if (q.owner !== undefined) r = r.where('o.owner_id', '=', q.owner);
    if (q.exceptOwner !== undefined) r = r.where('o.owner_id', '<>', q.exceptOwner);
    const rows = await r
      .select(['o.stage_id', 'o.owner_id', 'o.amount_fen', 'o.probability'])
      .execute();
    const m = new Map<string, [number, number, number]>();
    for (const x of rows) {
      const k = `${x.stage_id}|${q.by === 'owner' ? x.owner_id : null}`;
      const s = m.get(k) ?? [0, 0, 0];
      m.set(k, [s[0] + 1, s[1] + x.amount_fen, s[2] + x.amount_fen * x.probability]);
    }
    return [...m].map(([k, [n, a, w]]) => `${k}: ${n} / ${a} / ${w}`).sort();
  }
  const read = async (v: Viewer, q: TotalsQuery) => (await dealTotals(t.db, v, q)).map((r) => `${r.stage_id}|${r.owner_id}: ${r.deals} / ${r.amountFen} / ${r.weightedFen100}`).sort();

  it('for every kind of viewer, period and filter', async () => {
    // Team members of rep3's deals (outside their own departments): rep2 of two, manager1 of one, and manager1 of one
    // of rep1's, which they already see as the manager (it must not count twice).
    const rep3Deals = await t.db.selectFrom('opportunities').select(['id', 'expected_close_date']).where('owner_id', '=', org.users.rep3.id).orderBy('id').execute();
    const rep1Deal = await t.db.selectFrom('opportunities').select('id').where('owner_id', '=', org.users.rep1.id).orderBy('id').executeTakeFirstOrThrow();
    expect(rep3Deals.length).toBeGreaterThanOrEqual(2);
    const at = new Date().toISOString();
    await t.db
      .insertInto('record_members')
      .values([
        { entity: 'opportunities', record_id: rep3Deals[0]!.id, user_id: org.users.rep2.id, created_at: at },
        { entity: 'opportunities', record_id: rep3Deals[1]!.id, user_id: org.users.rep2.id, created_at: at },
        { entity: 'opportunities', record_id: rep3Deals[1]!.id, user_id: org.users.manager1.id, created_at: at },
        { entity: 'opportunities', record_id: rep1Deal.id, user_id: org.users.manager1.id, created_at: at },
      ])
      .execute();
    const viewers = [
      viewer(org.users.rep1, 'sales_rep', [org.departments.east.id]),
      // Team members of others' deals: the summary for what they own or manage, those deals from the deals themselves.
      viewer(org.users.rep2, 'sales_rep', [org.departments.eastTeam.id], ['opportunities']),
      viewer(org.users.manager1, 'sales_manager', [org.departments.east.id, org.departments.eastTeam.id], ['opportunities']),
      viewer(org.users.manager1, 'sales_manager', [org.departments.east.id, org.departments.eastTeam.id]),
      viewer(org.users.director, 'sales_director', [org.departments.centre.id]),
    ];
    const periods: [string | undefined, string | undefined][] = [
      [undefined, undefined],
      ['2026-12-01', '2026-12-31'],
      ['2026-11-15', '2027-01-20'],
      ['2026-12-01', '2026-12-14'],
      ['2027-01-01', undefined],
      [undefined, '2026-12-10'],
      ['2027-06-01', '2027-06-30'],
    ];
    let nonEmpty = 0;
    for (const v of viewers) {
      for (const [from, to] of periods) {
        for (const extra of [{}, { owner: org.users.rep1.id }, { exceptOwner: v.id }]) {
          for (const [by, pipelineId] of [['stage', demo.pipelineId], ['owner', demo.pipelineId], ['stage', undefined]] as const) {
            const q: TotalsQuery = { pipelineId, from, to, by, weighted: true, ...extra };
            const expected = await counted(v, q);
            if (expected.length) nonEmpty++;
            expect(await read(v, q), `${v.role} ${from}…${to} ${JSON.stringify(extra)} ${by}`).toEqual(expected);
          }
        }
      }
    }
    expect(nonEmpty).toBeGreaterThan(50);
  });
});
