import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signIn, smallOrg, testApp, type TestApp } from '../helpers/app.ts';
import { customerRow } from '../helpers/contacts.ts';
import { historyRow, newOpportunityRow, newPipeline } from '../helpers/pipeline-analytics.ts';
import { rebuildRollup, recordStageMove, withStats, monthOf } from '../../src/features/pipeline-analytics/rollup.ts';
import { openFunnelQuery, ownersInScope, pipelineAnalytics, rollupQuery } from '../../src/features/pipeline-analytics/queries.ts';
import { viewerForUser } from '../../src/auth/session.ts';
import { planOf } from '../helpers/query-plans.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof smallOrg>>;
let p: Awaited<ReturnType<typeof newPipeline>>;

/**
 * The fixture (all in Nov 2026, Asia/Shanghai), rep1 owns deals 1–4, rep3 owns deal 5:
 *  1: A → B (4 d) → C (6 d) → Won (10 d), created 11-01, won 11-21 (20 days), ¥10,000
 *  2: A → B (2 d) → Lost (8 d)
 *  3: A → B (6 d) → A (back, 3 d)   — still open in A, ¥3,000
 *  4: A                              — open in A, ¥1,000
 *  5 (rep3): A → Won (5 d), created 11-02, won 11-07 (5 days), ¥20,000
 * rep1 by hand: A exits 3 (1,2,3), advanced 3, days 4+2+6 = 12 → avg 4.0, conversion 100%;
 *   B exits 3 (1,2,3): advanced 1 (to C), lost 1, back 1; days 6+8+3 = 17 → avg 5.67, conversion 33.3%;
 *   C exits 1 → advanced (won) 1, days 10; won 1, lost 1 → win rate 50%; cycle 20 d; avg won ¥10,000;
 *   open deals 2 (3 and 4) → velocity = 2 × 0.5 × 1,000,000 fen ÷ 20 = 50,000 fen = ¥500.00 per day.
 * company: wins 2 (cycles 20 + 5 → 12.5), losses 1 → 66.7%; A exits 4, days 17, advanced 4.
 */
async function fixture() {
  const cust = await customerRow(t.db, { owner: org.users.rep1.id });
  const { a, b, c, won, lost } = p.stages;
  const r1 = org.users.rep1.id;
  const o1 = await newOpportunityRow(t.db, { owner: r1, customerId: cust, pipelineId: p.id, stageId: won, status: 'won', amountFen: 1_000_000, createdAt: '2026-11-01T02:00:00.000Z' });
  await historyRow(t.db, o1, null, a, '2026-11-01T02:00:00.000Z', null, 1_000_000);
  await historyRow(t.db, o1, a, b, '2026-11-05T02:00:00.000Z', 4, 1_000_000);
  await historyRow(t.db, o1, b, c, '2026-11-11T02:00:00.000Z', 6, 1_000_000);
  await historyRow(t.db, o1, c, won, '2026-11-21T02:00:00.000Z', 10, 1_000_000);
  const o2 = await newOpportunityRow(t.db, { owner: r1, customerId: cust, pipelineId: p.id, stageId: lost, status: 'lost', createdAt: '2026-11-01T03:00:00.000Z' });
  await historyRow(t.db, o2, null, a, '2026-11-01T03:00:00.000Z', null);
  await historyRow(t.db, o2, a, b, '2026-11-03T03:00:00.000Z', 2);
  await historyRow(t.db, o2, b, lost, '2026-11-11T03:00:00.000Z', 8);
  const o3 = await newOpportunityRow(t.db, { owner: r1, customerId: cust, pipelineId: p.id, stageId: a, amountFen: 300_000, createdAt: '2026-11-01T04:00:00.000Z' });
  await historyRow(t.db, o3, null, a, '2026-11-01T04:00:00.000Z', null);
  await historyRow(t.db, o3, a, b, '2026-11-07T04:00:00.000Z', 6);
  await historyRow(t.db, o3, b, a, '2026-11-10T04:00:00.000Z', 3);
  const o4 = await newOpportunityRow(t.db, { owner: r1, customerId: cust, pipelineId: p.id, stageId: a, amountFen: 100_000, createdAt: '2026-11-02T04:00:00.000Z' });
  await historyRow(t.db, o4, null, a, '2026-11-02T04:00:00.000Z', null);
  const cust3 = await customerRow(t.db, { owner: org.users.rep3.id });
  const o5 = await newOpportunityRow(t.db, { owner: org.users.rep3.id, customerId: cust3, pipelineId: p.id, stageId: won, status: 'won', amountFen: 2_000_000, createdAt: '2026-11-02T01:00:00.000Z' });
  await historyRow(t.db, o5, null, a, '2026-11-02T01:00:00.000Z', null, 2_000_000);
  await historyRow(t.db, o5, a, won, '2026-11-07T01:00:00.000Z', 5, 2_000_000);
}

beforeEach(async () => {
  t = await testApp();
  org = await smallOrg(t.db);
  p = await newPipeline(t.db);
  await fixture();
  await rebuildRollup(t.db);
});
afterEach(async () => t.close());

const stats = async () =>
  (await withStats(t.db).selectFrom('stage_month_stats').selectAll().orderBy('pipeline_id').orderBy('month').orderBy('owner_id').orderBy('stage_id').execute()).map((r) => ({ ...r }));

describe('pipeline analytics figures', () => {
  it('computes a rep’s conversion, days per stage, win rate, cycle time and velocity by hand', async () => {
    const d = await pipelineAnalytics(t.db, p.id, [org.users.rep1.id], '2026-11', '2026-11');
    const [a, b, c] = d.stages;
    expect([a!.exits, a!.advanced, a!.conversion, a!.avgDays]).toEqual([3, 3, 1, 4]);
    expect([b!.exits, b!.advanced, b!.lost]).toEqual([3, 1, 1]);
    expect(b!.conversion).toBeCloseTo(1 / 3, 10);
    expect(b!.avgDays).toBeCloseTo(17 / 3, 10);
    expect([c!.exits, c!.advanced, c!.won, c!.avgDays, c!.conversion]).toEqual([1, 1, 1, 10, 1]);
    expect([d.wonCount, d.lostCount, d.winRate, d.avgCycleDays, d.avgWonAmountFen]).toEqual([1, 1, 0.5, 20, 1_000_000]);
    expect([d.openCount, d.openAmountFen, a!.openCount, a!.openAmountFen]).toEqual([2, 400_000, 2, 400_000]);
    expect(d.velocityFenPerDay).toBe(50_000);
  });

  it('adds up the company', async () => {
    const d = await pipelineAnalytics(t.db, p.id, [org.users.rep1.id, org.users.rep3.id], '2026-11', '2026-11');
    expect([d.wonCount, d.lostCount, d.avgCycleDays]).toEqual([2, 1, 12.5]);
    expect(d.winRate).toBeCloseTo(2 / 3, 10);
    expect([d.stages[0]!.exits, d.stages[0]!.advanced]).toEqual([4, 4]);
    expect(d.stages[0]!.avgDays).toBe(17 / 4);
  });

  it("keeps the company's rows equal to the sum of every owner's, incrementally and rebuilt", async () => {
    const everyone = await pipelineAnalytics(t.db, p.id, [org.users.rep1.id, org.users.rep3.id], '2026-01', '2026-12');
    const company = await pipelineAnalytics(t.db, p.id, 'company', '2026-01', '2026-12');
    expect(company).toEqual(everyone);
    const rows = await stats();
    const sum = (owner: (o: number) => boolean) =>
      rows.filter((r) => owner(r.owner_id)).reduce((a, r) => a + r.entered * 1_000_000 + r.exits * 1_000 + r.won + r.won_amount_fen, 0);
    expect(sum((o) => o === 0)).toBe(sum((o) => o > 0));
    expect(sum((o) => o === 0)).toBeGreaterThan(0);
  });

  it("reads a department from its own rows: the same figures as adding up its members' rows", async () => {
    const director = (await viewerForUser(t.db, org.users.director.id))!;
    const { east, eastTeam, south, centre } = org.departments;
    const east_ = await ownersInScope(t.db, director, { kind: 'department', id: east.id });
    expect(east_).toEqual([-east.id, -eastTeam.id]);
    const members = [org.users.manager1.id, org.users.rep1.id, org.users.rep2.id];
    expect(await pipelineAnalytics(t.db, p.id, east_!, '2026-01', '2026-12')).toEqual(await pipelineAnalytics(t.db, p.id, members, '2026-01', '2026-12'));
    const south_ = (await ownersInScope(t.db, director, { kind: 'department', id: south.id }))!;
    const southFigures = await pipelineAnalytics(t.db, p.id, south_, '2026-01', '2026-12');
    expect(southFigures).toEqual(await pipelineAnalytics(t.db, p.id, [org.users.rep3.id, org.users.manager2.id], '2026-01', '2026-12'));
    expect(southFigures.wonCount).toBe(1);
    const centre_ = (await ownersInScope(t.db, director, { kind: 'department', id: centre.id }))!;
    expect(await pipelineAnalytics(t.db, p.id, centre_, '2026-01', '2026-12')).toEqual(await pipelineAnalytics(t.db, p.id, 'company', '2026-01', '2026-12'));
    // A manager reaches their own department only.
    const manager2 = (await viewerForUser(t.db, org.users.manager2.id))!;
    expect(await ownersInScope(t.db, manager2, { kind: 'department', id: east.id })).toBeNull();
  });

  it('recounts the rollup when the company changes its time zone or the stages are reordered', async () => {
    const rep1 = org.users.rep1.id;
    const cust = await customerRow(t.db, { owner: rep1 });
    const late = await newOpportunityRow(t.db, { owner: rep1, customerId: cust, pipelineId: p.id, stageId: p.stages.a, createdAt: '2026-11-30T17:00:00.000Z' });
    await historyRow(t.db, late, null, p.stages.a, '2026-11-30T17:00:00.000Z', null);
    await rebuildRollup(t.db);
    const stage = async (id: number, month: string) => (await pipelineAnalytics(t.db, p.id, [rep1], month, month)).stages.find((s) => s.id === id)!;
    // 2026-11-30 17:00 UTC is December in Shanghai, November in UTC.
    expect([(await stage(p.stages.a, '2026-11')).entered, (await stage(p.stages.a, '2026-12')).entered]).toEqual([5, 1]);
    const admin = await signIn(t.app, 'admin');
    const company = { name: '杭州明道科技有限公司', address: '', postal_code: '', phone: '', tax_id: '', bank_name: '', bank_account: '', currency: 'CNY' };
    expect((await admin.post('/admin/company', { ...company, time_zone: 'UTC' })).statusCode).toBe(303);
    expect([(await stage(p.stages.a, '2026-11')).entered, (await stage(p.stages.a, '2026-12')).entered]).toEqual([6, 0]);

    // B before A: rep1's B → A (deal 3) now advances, and A → B (deals 1–3) no longer does.
    expect([(await stage(p.stages.a, '2026-11')).advanced, (await stage(p.stages.b, '2026-11')).advanced]).toEqual([3, 1]);
    expect((await admin.post(`/settings/stages/${p.stages.b}/position`, { direction: 'up' })).statusCode).toBe(303);
    expect([(await stage(p.stages.a, '2026-11')).advanced, (await stage(p.stages.b, '2026-11')).advanced]).toEqual([0, 2]);
    const kept = await stats();
    await rebuildRollup(t.db);
    expect(kept).toEqual(await stats());
  });

  it('leaves months outside the period out', async () => {
    const d = await pipelineAnalytics(t.db, p.id, [org.users.rep1.id], '2026-12', '2027-01');
    expect([d.wonCount, d.stages[0]!.exits, d.winRate]).toEqual([0, 0, null]);
    expect(d.months.map((m) => m.month)).toEqual(['2026-12', '2027-01']);
  });

  it('records moves incrementally exactly as a rebuild computes them', async () => {
    const rebuilt = await stats();
    await withStats(t.db).deleteFrom('stage_month_stats').execute();
    const history = await t.db
      .selectFrom('opportunity_stage_history as h')
      .innerJoin('opportunities as o', 'o.id', 'h.opportunity_id')
      .innerJoin('pipeline_stages as s', 's.id', 'h.to_stage_id')
      .select(['h.opportunity_id', 'h.from_stage_id', 'h.to_stage_id', 'h.changed_at', 'h.days_in_from_stage', 'h.amount_fen', 'o.owner_id', 'o.pipeline_id', 's.kind', 'o.created_at'])
      .orderBy('h.id')
      .execute();
    for (const h of history) {
      await recordStageMove(t.db, {
        pipelineId: h.pipeline_id,
        fromStageId: h.from_stage_id,
        toStageId: h.to_stage_id,
        ownerId: h.owner_id,
        at: h.changed_at,
        daysInFromStage: h.days_in_from_stage,
        toKind: h.kind as 'open' | 'won' | 'lost',
        opportunityId: h.opportunity_id,
        amountFen: h.amount_fen,
      });
    }
    expect(await stats()).toEqual(rebuilt);
    expect(rebuilt.length).toBeGreaterThan(0);
  });

  it('files months in the company time zone', () => {
    // 2026-11-30 17:00 UTC is 12-01 01:00 in Shanghai.
    expect(monthOf('2026-11-30T17:00:00.000Z', 'Asia/Shanghai')).toBe('2026-12');
    expect(monthOf('2026-11-30T17:00:00.000Z', 'UTC')).toBe('2026-11');
  });

  it('reads the rollup through its primary key', async () => {
    const q = rollupQuery(t.db, p.id, '2026-01', '2026-12', [org.users.rep1.id, org.users.rep3.id]).compile();
    const text = planOf(t.sqlite, q);
    expect(text).toMatch(/SEARCH s USING PRIMARY KEY \(pipeline_id=\? AND owner_id=\? AND month>\? AND month<\?\)/);
    expect(text).not.toMatch(/SCAN s\b/);
  });
});

describe('the current funnel query', () => {
  it('reads the deal totals of the owners (or the company) by key', () => {
    // One rep, and a whole company's worth of owners.
    for (const owners of [[org.users.rep1.id], Array.from({ length: 80 }, (_, i) => i + 1), 'company' as const]) {
      const q = openFunnelQuery(t.db, p.id, owners).compile();
      const plan = planOf(t.sqlite, q);
      expect(plan).toMatch(/SEARCH t USING PRIMARY KEY \(owner_id=\? AND pipeline_id=\?\)/);
      expect(plan).not.toMatch(/SCAN t\b/);
    }
  });
});

describe('GET /pipeline', () => {
  it('shows a rep their own numbers with the formula, and 404s another rep’s scope', async () => {
    const rep1 = await signIn(t.app, 'rep1');
    const res = await rep1.get('/pipeline?from=2026-11&to=2026-11');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('id="kpi-win-rate">50.0%');
    expect(res.body).toContain('id="kpi-cycle">20.0');
    expect(res.body).toContain('¥500.00');
    expect(res.body).toContain('管线速度 = 未关闭机会数 × 赢单率 × 平均赢单金额 ÷ 平均成交周期');
    expect(res.body).toContain('<svg');
    expect(res.body).not.toContain('value="company"');
    expect((await rep1.get(`/pipeline?scope=rep:${org.users.rep3.id}`)).statusCode).toBe(404);
    expect((await rep1.get('/pipeline?scope=company')).statusCode).toBe(404);
    expect((await rep1.get(`/pipeline?scope=department:${org.departments.east.id}`)).statusCode).toBe(404);
  });

  it('lets the director see the company and a manager their department only', async () => {
    const director = await signIn(t.app, 'director');
    const res = await director.get('/pipeline?scope=company&from=2026-11&to=2026-11');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('id="kpi-win-rate">66.7%');
    const manager2 = await signIn(t.app, 'manager2');
    const south = await manager2.get(`/pipeline?scope=department:${org.departments.south.id}&from=2026-11&to=2026-11`);
    expect(south.statusCode).toBe(200);
    expect(south.body).toContain('id="kpi-win-rate">100.0%');
    expect((await manager2.get(`/pipeline?scope=department:${org.departments.east.id}`)).statusCode).toBe(404);
    expect((await manager2.get(`/pipeline?scope=rep:${org.users.rep1.id}`)).statusCode).toBe(404);
  });

  it('returns the report fragment for htmx', async () => {
    const director = await signIn(t.app, 'director');
    const res = await director.get('/pipeline?from=2026-11&to=2026-11', { 'hx-request': 'true', 'hx-target': 'pipeline-report' });
    expect(res.statusCode).toBe(200);
    expect(res.body.trimStart().startsWith('<div id="pipeline-report"')).toBe(true);
  });
});
