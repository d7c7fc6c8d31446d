import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALWAYS, NEVER, flagsFrom, riskFrom, type Observation, type OpportunityFacts, type StageTypical } from '../../src/features/alerts/queries.ts';
import type { AlertSettings } from '../../src/features/alerts/settings.ts';
import { signIn, smallOrg, testApp, type Client, type TestApp } from '../helpers/app.ts';
import { newCustomer } from '../helpers/customers.ts';
import { demoPipeline } from '../helpers/opportunities.ts';
import { todayIn } from '../../src/lib/dates.ts';

const DAY = 86_400_000;

/**
 * The stored risk (opportunities.risk_at) must say exactly what the flags say: for any later instant t up to the
 * next planned activity after the idle flag starts, "t ≥ risk_at" ⇔ flagsFrom(…, now = t) is not empty.
 */
describe('riskFrom agrees with flagsFrom', () => {
  it('for random deals, settings and instants', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const int = (a: number, b: number) => a + Math.floor(rand() * (b - a + 1));
    const zones = ['Asia/Shanghai', 'America/New_York', 'UTC'];
    const t0 = Date.UTC(2026, 10, 27, 3, 17);
    let checked = 0;
    for (let n = 0; n < 400; n++) {
      const settings: AlertSettings = { idleDays: rand() < 0.4 ? 365 : int(1, 30), stageMultiple: [1, 1.5, 2, 3][int(0, 3)]!, amountDropPct: int(5, 50), pushouts: int(1, 4) };
      const typical: StageTypical | undefined = rand() < 0.2 ? undefined : { days: [0, 3, 7.5, 10, 21][int(0, 4)]!, samples: 9, fromHistory: true };
      const timeZone = zones[int(0, 2)]!;
      const iso = (ms: number) => new Date(ms).toISOString();
      const day = (ms: number) => iso(ms).slice(0, 10);
      const deal: OpportunityFacts = {
        id: n,
        stage_id: 1,
        stage_name: '需求确认',
        amount_fen: int(1, 100) * 10_000,
        expected_close_date: rand() < 0.4 ? '2099-12-31' : day(t0 + int(-20, 60) * DAY),
        stage_entered_at: iso(t0 - int(0, 60) * DAY - int(0, DAY)),
        last_activity_at: null,
        created_at: iso(t0 - 90 * DAY),
        updated_at: iso(t0),
      };
      const observations: Observation[] = [];
      // Sometimes a history that drops the amount or pushes the date out.
      for (let k = 0; k < (rand() < 0.5 ? 0 : int(1, 3)); k++) observations.push({ at: iso(t0 - (10 - k) * DAY), seq: k, amount: int(1, 120) * 10_000, date: day(t0 + int(-30, 30) * DAY) });
      const lastTouch = iso(t0 - int(0, 40) * DAY - int(0, DAY));
      const futureTouches = rand() < 0.4 ? [iso(t0 + int(1, 20) * DAY), iso(t0 + int(21, 50) * DAY)] : [];
      const risk = riskFrom(deal, { settings, typical, lastTouch, futureTouches, observations, timeZone });
      // The window where the stored value holds: until the first planned activity at or after the idle start.
      let idleAt = Date.parse(lastTouch) + settings.idleDays * DAY;
      let until = Number.POSITIVE_INFINITY;
      for (const f of futureTouches) {
        const t = Date.parse(f);
        if (t >= idleAt) {
          until = t;
          break;
        }
        idleAt = t + settings.idleDays * DAY;
      }
      for (let k = 0; k < 40; k++) {
        // Half anywhere in the next four months, half within a day of the stored instant (where an off-by-one shows).
        const near = Date.parse(risk) + int(-DAY, DAY);
        const t = k % 2 === 0 || risk === NEVER || near < t0 ? t0 + int(0, 120) * DAY + int(0, DAY) : near;
        if (t >= until) continue;
        const touch = [lastTouch, ...futureTouches.filter((f) => Date.parse(f) <= t)].sort().at(-1)!;
        const flags = flagsFrom(deal, { settings, typical, lastTouch: touch, observations, today: todayIn(timeZone, new Date(t)), now: new Date(t) });
        expect(flags.length > 0, `deal ${n} at ${iso(t)}: risk ${risk}, flags ${JSON.stringify(flags)}`).toBe(t >= Date.parse(risk));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5000);
  });

  it('marks time-independent flags as always and nothing as never', () => {
    const settings: AlertSettings = { idleDays: 14, stageMultiple: 2, amountDropPct: 20, pushouts: 3 };
    const deal: OpportunityFacts = { id: 1, stage_id: 1, stage_name: 'x', amount_fen: 50_000, expected_close_date: '2099-12-31', stage_entered_at: '2026-11-01T00:00:00.000Z', last_activity_at: null, created_at: '2026-11-01T00:00:00.000Z', updated_at: '2026-11-01T00:00:00.000Z' };
    const dropped = riskFrom(deal, { settings, typical: undefined, lastTouch: '2026-11-26T00:00:00.000Z', futureTouches: [], observations: [{ at: '2026-11-02T00:00:00.000Z', seq: 1, amount: 100_000 }], timeZone: 'Asia/Shanghai' });
    expect(dropped).toBe(ALWAYS);
    expect(NEVER > '2099-12-31').toBe(true);
  });
});

describe('stored risk through the app', () => {
  let t: TestApp;
  let org: Awaited<ReturnType<typeof smallOrg>>;
  let demo: Awaited<ReturnType<typeof demoPipeline>>;
  let rep1: Client;
  let customer: { id: number };
  beforeAll(async () => {
    t = await testApp();
    org = await smallOrg(t.db);
    demo = await demoPipeline(t.db);
    customer = await newCustomer(t.db, { owner: org.users.rep1, name: '苏州工业园区测试有限公司' });
    rep1 = await signIn(t.app, 'rep1');
  });
  afterAll(async () => t.close());

  const risk = async (name: string) => (await t.db.selectFrom('opportunities').select(['id', 'risk_at']).where('name', '=', name).executeTakeFirstOrThrow());
  const form = (over: Record<string, string>) => ({
    name: '风险测试',
    customer_id: String(customer.id),
    amount: '100000',
    expected_close_date: '2099-12-31',
    pipeline_id: String(demo.pipelineId),
    stage_id: String(demo.byName('初步接洽').id),
    probability: '',
    source: 'referral',
    next_step: '',
    description: '',
    ...over,
  });

  it('is stored when a deal is created, moves with an edit, and the home page lists the deal at once', async () => {
    expect((await rep1.post('/opportunities', form({ name: '按期商机' }))).statusCode).toBe(303);
    const onTime = await risk('按期商机');
    expect(onTime.risk_at).not.toBeNull();
    expect(onTime.risk_at! > new Date().toISOString()).toBe(true);

    // The close date already passed: at risk from today's start.
    expect((await rep1.post('/opportunities', form({ name: '逾期商机', expected_close_date: '2020-01-01' }))).statusCode).toBe(303);
    const late = await risk('逾期商机');
    expect(late.risk_at! <= new Date().toISOString()).toBe(true);
    const home = await rep1.get('/');
    expect(home.body).toContain('逾期商机');
    expect(home.body).not.toContain('按期商机');

    // The amount cut by more than 20%: at risk whatever the time (read from the audit entry of the edit).
    const res = await rep1.post(`/opportunities/${onTime.id}`, form({ name: '按期商机', amount: '50000' }));
    expect(res.statusCode).toBe(303);
    expect((await risk('按期商机')).risk_at).toBe(ALWAYS);
    expect((await rep1.get('/')).body).toContain('按期商机');
  });
});
