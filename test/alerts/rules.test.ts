import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApp, smallOrg, type TestApp } from '../helpers/app.ts';
import { newCustomer } from '../helpers/customers.ts';
import { alertDeal, alertPipeline, daysAgo, dealEdit, pastStays, setAlertSettings, stageMove } from '../helpers/alerts.ts';
import { countPushouts, flagsForOpportunities, flagsForOpportunity, forgetStageTypicals, median, stageTypicals } from '../../src/features/alerts/queries.ts';

// 2026-06-15 12:00 in Shanghai (the company's zone): "today" is 2026-06-15.
const NOW = new Date('2026-06-15T04:00:00Z');
const ago = (d: number) => daysAgo(d, NOW.getTime());

let t: TestApp;
let base: { owner: number; customerId: number; pipelineId: number };
let stages: Awaited<ReturnType<typeof alertPipeline>>['stages'];

beforeEach(async () => {
  t = await testApp();
  const org = await smallOrg(t.db);
  const { id: customerId } = await newCustomer(t.db, { owner: org.users.rep1 });
  const p = await alertPipeline(t.db);
  stages = p.stages;
  base = { owner: org.users.rep1.id, customerId, pipelineId: p.id };
  forgetStageTypicals(t.db);
});
afterEach(async () => t.close());

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3])).toBe(3);
    expect(median([4, 6, 8, 10, 12])).toBe(8);
    expect(median([4, 6, 8, 10])).toBe(7);
  });
});

describe('stage duration (k × typical)', () => {
  it('falls back to the stage’s expected days while history is thin (4 samples < 5)', async () => {
    await pastStays(t.db, { ...base, stage: stages.b, next: stages.c }, [30, 30, 30, 30]);
    const typical = (await stageTypicals(t.db)).get(stages.b)!;
    expect(typical).toEqual({ days: 10, samples: 4, fromHistory: false });
    // 25 days in 需求确认 > 2 × 10 expected days.
    const id = await alertDeal(t.db, { ...base, stageId: stages.b, stageEnteredAt: ago(25.2), lastActivityAt: ago(1) });
    expect(await flagsForOpportunity(t.db, id, NOW)).toEqual([{ kind: 'stage', stage: '需求确认', days: 25, typical: 10, multiple: 2, fromHistory: false }]);
  });

  it('uses the median of past stays once there are 5, and flags only beyond k × median', async () => {
    await pastStays(t.db, { ...base, stage: stages.b, next: stages.c }, [12, 4, 10, 6, 8]);
    expect((await stageTypicals(t.db)).get(stages.b)).toEqual({ days: 8, samples: 5, fromHistory: true });
    const at16 = await alertDeal(t.db, { ...base, stageId: stages.b, stageEnteredAt: ago(16.5), lastActivityAt: ago(1) });
    const at17 = await alertDeal(t.db, { ...base, stageId: stages.b, stageEnteredAt: ago(17.5), lastActivityAt: ago(1) });
    const flags = await flagsForOpportunities(t.db, [at16, at17], NOW);
    expect(flags.get(at16)).toEqual([]); // 16 = 2 × 8: not beyond
    expect(flags.get(at17)).toEqual([{ kind: 'stage', stage: '需求确认', days: 17, typical: 8, multiple: 2, fromHistory: true }]);
    // k = 1.5 → beyond 12 days.
    await setAlertSettings(t.db, { stageMultiple: 1.5 });
    const at13 = await alertDeal(t.db, { ...base, stageId: stages.b, stageEnteredAt: ago(13.5), lastActivityAt: ago(1) });
    expect((await flagsForOpportunity(t.db, at13, NOW)).map((f) => f.kind)).toEqual(['stage']);
  });

  it('reads medians per stage: another stage’s history does not count', async () => {
    await pastStays(t.db, { ...base, stage: stages.a, next: stages.b }, [1, 1, 1, 1, 1, 1]);
    const typ = await stageTypicals(t.db);
    expect(typ.get(stages.a)).toEqual({ days: 1, samples: 6, fromHistory: true });
    expect(typ.get(stages.c)).toEqual({ days: 18, samples: 0, fromHistory: false });
  });
});

describe('no activity for N days', () => {
  it('flags at N days since the latest activity, stage entry or creation', async () => {
    const fresh = await alertDeal(t.db, { ...base, stageId: stages.a, createdAt: ago(30), stageEnteredAt: ago(5), lastActivityAt: ago(13.5) });
    const stale = await alertDeal(t.db, { ...base, stageId: stages.a, createdAt: ago(30), stageEnteredAt: ago(14.5), lastActivityAt: ago(20) });
    const flags = await flagsForOpportunities(t.db, [fresh, stale], NOW);
    expect(flags.get(fresh)).toEqual([]);
    expect(flags.get(stale)).toEqual([{ kind: 'idle', days: 14, limit: 14 }]);
  });

  it('counts activities linked to the deal', async () => {
    const id = await alertDeal(t.db, { ...base, stageId: stages.a, createdAt: ago(30), stageEnteredAt: ago(15) });
    expect((await flagsForOpportunity(t.db, id, NOW)).map((f) => f.kind)).toEqual(['idle']);
    await t.db.insertInto('activities').values({ type: 'call', subject: '电话', starts_at: ago(2), status: 'done', customer_id: base.customerId, owner_id: base.owner, opportunity_id: id, created_at: ago(2), updated_at: ago(2) }).execute();
    expect(await flagsForOpportunity(t.db, id, NOW)).toEqual([]);
  });
});

describe('close date', () => {
  it('slipped: before today in the company’s zone', async () => {
    const yesterday = await alertDeal(t.db, { ...base, stageId: stages.a, closeDate: '2026-06-14' });
    const today = await alertDeal(t.db, { ...base, stageId: stages.a, closeDate: '2026-06-15' });
    const flags = await flagsForOpportunities(t.db, [yesterday, today], NOW);
    expect(flags.get(yesterday)).toEqual([{ kind: 'slipped', date: '2026-06-14', days: 1 }]);
    expect(flags.get(today)).toEqual([]);
    // 2026-06-14 20:00 UTC is already 06-15 04:00 in Shanghai: the 14th has passed there.
    expect((await flagsForOpportunity(t.db, yesterday, new Date('2026-06-14T20:00:00Z'))).map((f) => f.kind)).toEqual(['slipped']);
  });

  it('pushed out twice is not flagged, three times is (M = 3), from history and audited edits together', async () => {
    const twice = await alertDeal(t.db, { ...base, stageId: stages.b, closeDate: '2026-09-30' });
    await stageMove(t.db, twice, { from: null, to: stages.a, at: ago(40), days: null, closeDate: '2026-07-31' });
    await stageMove(t.db, twice, { from: stages.a, to: stages.b, at: ago(30), days: 10, closeDate: '2026-08-31' }); // 1
    await dealEdit(t.db, twice, ago(20), { expected_close_date: ['2026-08-31', '2026-09-30'] }); // 2
    const thrice = await alertDeal(t.db, { ...base, stageId: stages.b, closeDate: '2026-10-31' });
    await stageMove(t.db, thrice, { from: null, to: stages.a, at: ago(40), days: null, closeDate: '2026-07-31' });
    await stageMove(t.db, thrice, { from: stages.a, to: stages.b, at: ago(30), days: 10, closeDate: '2026-08-31' }); // 1
    await dealEdit(t.db, thrice, ago(20), { expected_close_date: ['2026-08-31', '2026-07-15'] }); // earlier: not a push-out
    await dealEdit(t.db, thrice, ago(10), { expected_close_date: ['2026-07-15', '2026-09-30'] }); // 2
    await dealEdit(t.db, thrice, ago(5), { expected_close_date: ['2026-09-30', '2026-10-31'] }); // 3
    const flags = await flagsForOpportunities(t.db, [twice, thrice], NOW);
    expect(flags.get(twice)).toEqual([]);
    expect(flags.get(thrice)).toEqual([{ kind: 'pushed', times: 3 }]);
    await setAlertSettings(t.db, { pushouts: 2 });
    expect(await flagsForOpportunity(t.db, twice, NOW)).toEqual([{ kind: 'pushed', times: 2 }]);
  });

  it('an edit followed by a stage change carrying the same date counts once', () => {
    const obs = [
      { at: '2026-01-01T00:00:00Z', seq: 2, date: '2026-03-01' },
      { at: '2026-01-10T00:00:00Z', seq: 3, date: '2026-03-01' },
      { at: '2026-01-10T00:00:00Z', seq: 4, date: '2026-04-01' },
      { at: '2026-01-20T00:00:00Z', seq: 6, date: '2026-04-01' },
    ];
    expect(countPushouts(obs, '2026-04-01')).toBe(1);
  });
});

describe('amount drop (X = 20%)', () => {
  it('flags a drop of more than X% from the highest recorded amount', async () => {
    const exactly20 = await alertDeal(t.db, { ...base, stageId: stages.b, amountFen: 80_000_000 });
    await stageMove(t.db, exactly20, { from: null, to: stages.a, at: ago(30), days: null, amountFen: 100_000_000 });
    const dropped = await alertDeal(t.db, { ...base, stageId: stages.b, amountFen: 30_000_000 });
    await stageMove(t.db, dropped, { from: null, to: stages.a, at: ago(30), days: null, amountFen: 40_000_000 });
    await dealEdit(t.db, dropped, ago(20), { amount_fen: [40_000_000, 50_000_000] });
    await dealEdit(t.db, dropped, ago(10), { amount_fen: [50_000_000, 30_000_000] });
    const flags = await flagsForOpportunities(t.db, [exactly20, dropped], NOW);
    expect(flags.get(exactly20)).toEqual([]);
    expect(flags.get(dropped)).toEqual([{ kind: 'amount', fromFen: 50_000_000, toFen: 30_000_000, pct: 40 }]);
  });
});

describe('closed deals', () => {
  it('are never flagged', async () => {
    const id = await alertDeal(t.db, { ...base, stageId: stages.won, status: 'won', closeDate: '2020-01-01', stageEnteredAt: ago(400) });
    expect(await flagsForOpportunity(t.db, id, NOW)).toEqual([]);
  });
});
