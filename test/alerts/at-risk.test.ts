import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApp, signIn, type TestApp } from '../helpers/app.ts';
import { flagsForOpportunities, forgetStageTypicals, listAtRisk, refreshAllOpenRisk } from '../../src/features/alerts/queries.ts';
import { viewerForUser } from '../../src/auth/session.ts';
import { scope } from '../../src/access/index.ts';
import { alertDeal, daysAgo } from '../helpers/alerts.ts';
import { pageFixture, setLanguage } from './fixture.ts';
import { queryPlans } from '../helpers/query-plans.ts';

let t: TestApp;
let f: Awaited<ReturnType<typeof pageFixture>>;
beforeEach(async () => {
  t = await testApp();
  f = await pageFixture(t);
  forgetStageTypicals(t.db);
});
afterEach(async () => t.close());

const names = (body: string) => [...body.matchAll(/href="\/opportunities\/\d+">(D\d)[^<]*</g)].map((m) => m[1]);

describe('/opportunities/at-risk', () => {
  it('is 404 for reps and admins', async () => {
    expect((await (await signIn(t.app, 'rep1')).get('/opportunities/at-risk')).statusCode).toBe(404);
    expect((await (await signIn(t.app, 'admin')).get('/opportunities/at-risk')).statusCode).toBe(404);
  });

  it('shows a manager the flagged deals of their team only, largest first', async () => {
    const res = await (await signIn(t.app, 'manager1')).get('/opportunities/at-risk');
    expect(res.statusCode).toBe(200);
    expect(names(res.body)).toEqual(['D2', 'D6']);
    const south = await (await signIn(t.app, 'manager2')).get('/opportunities/at-risk');
    expect(names(south.body)).toEqual(['D8']);
  });

  it('shows the director and the GM every flagged deal', async () => {
    for (const who of ['director', 'gm']) {
      const res = await (await signIn(t.app, who)).get('/opportunities/at-risk');
      expect(names(res.body)).toEqual(['D2', 'D6', 'D8']);
    }
  });

  it('filters by flag type and by owner', async () => {
    const c = await signIn(t.app, 'director');
    expect(names((await c.get('/opportunities/at-risk?kind=amount')).body)).toEqual(['D2']);
    expect(names((await c.get('/opportunities/at-risk?kind=slipped')).body)).toEqual(['D8']);
    expect(names((await c.get(`/opportunities/at-risk?owner=${f.users.rep2.id}`)).body)).toEqual(['D6']);
    const none = await c.get(`/opportunities/at-risk?kind=pushed`);
    expect(none.body).toContain('没有符合条件的风险商机。');
    expect(none.body).toContain('href="/opportunities/at-risk"');
  });

  it('says why in Chinese', async () => {
    const body = (await (await signIn(t.app, 'director')).get('/opportunities/at-risk')).body;
    expect(body).toContain('金额从 ¥30万 降到 ¥20万（-33%）');
    expect(body).toContain('在「商务谈判」已停留 40 天，超过该阶段预计用时 18 天的 2 倍');
    expect(body).toContain('已 40 天没有行动（提醒阈值 14 天）');
    expect(body).toMatch(/预计成交日期 2020-01-01 已过 \d+ 天/);
  });

  it('says why in English', async () => {
    await setLanguage(t, 'director', 'en');
    const body = (await (await signIn(t.app, 'director')).get('/opportunities/at-risk')).body;
    expect(body).toContain('Amount dropped from CN¥300,000.00 to CN¥200,000.00 (-33%)');
    expect(body).toContain('In “商务谈判” for 40 days, more than 2 × the stage’s expected 18 days');
    expect(body).toContain('No activity for 40 days (alert after 14 days)');
    expect(body).toMatch(/Expected close date 2020-01-01 passed \d+ days ago/);
  });

  it('renders the list fragment for htmx', async () => {
    const res = await (await signIn(t.app, 'director')).get('/opportunities/at-risk?kind=amount', { 'hx-request': 'true', 'hx-target': 'at-risk-list' });
    expect(res.body.trimStart().startsWith('<div id="at-risk-list">')).toBe(true);
    expect(names(res.body)).toEqual(['D2']);
  });
});

describe('listAtRisk paging', () => {
  it('walks every flagged deal a manager sees (team and team-member deals) once, largest first, across pages and batches', async () => {
    const { users, pipeline, stages } = f;
    const customer = (await t.db.selectFrom('customers').select('id').where('owner_id', '=', users.rep2.id).executeTakeFirstOrThrow()).id;
    const south = (await t.db.selectFrom('customers').select('id').where('owner_id', '=', users.rep3.id).executeTakeFirstOrThrow()).id;
    // 130 idle deals in manager1's team (amounts repeat, so ties are broken by id), 6 of rep3's in the south.
    for (let i = 0; i < 130; i++) {
      await alertDeal(t.db, { owner: i % 2 ? users.rep1.id : users.rep2.id, customerId: customer, pipelineId: pipeline.id, stageId: stages.a, name: `P${i}`, amountFen: 1_000_00 * (i % 17), closeDate: '2099-12-31', createdAt: daysAgo(40), stageEnteredAt: daysAgo(40), lastActivityAt: daysAgo(40) });
    }
    const southIds: number[] = [];
    for (let i = 0; i < 6; i++) {
      southIds.push(await alertDeal(t.db, { owner: users.rep3.id, customerId: south, pipelineId: pipeline.id, stageId: stages.a, name: `S${i}`, amountFen: 3_000_00 * i, closeDate: '2099-12-31', createdAt: daysAgo(40), stageEnteredAt: daysAgo(40), lastActivityAt: daysAgo(40) }));
    }
    // manager1 is on the team of three of rep3's deals.
    const at = new Date().toISOString();
    await t.db.insertInto('record_members').values(southIds.slice(0, 3).map((id) => ({ entity: 'opportunities', record_id: id, user_id: users.manager1.id, created_at: at }))).execute();
    await refreshAllOpenRisk(t.db);
    const manager = (await viewerForUser(t.db, users.manager1.id))!;
    expect(manager.memberOf.has('opportunities')).toBe(true);

    // The reference: every open deal in scope, its flags computed, largest first.
    const inScope = await t.db.selectFrom('opportunities as o').select(['o.id', 'o.amount_fen']).where('o.status', '=', 'open').where(scope(manager, 'opportunities', { alias: 'o' })).execute();
    const flags = await flagsForOpportunities(t.db, inScope.map((d) => d.id));
    for (const kind of [undefined, 'idle'] as const) {
      const expected = inScope
        .filter((d) => (flags.get(d.id) ?? []).some((x) => !kind || x.kind === kind))
        .sort((a, b) => b.amount_fen - a.amount_fen || b.id - a.id)
        .map((d) => d.id);
      expect(expected.length).toBeGreaterThan(120);
      expect(expected).toEqual(expect.arrayContaining(southIds.slice(0, 3)));
      const seen: number[] = [];
      let after: string | undefined;
      for (let page = 0; page < 10; page++) {
        const r = await listAtRisk(t.db, manager, { kind, after });
        seen.push(...r.rows.map((x) => x.id));
        if (!r.nextAfter) break;
        after = r.nextAfter;
      }
      expect(seen, String(kind)).toEqual(expected);
    }
    // Every statement of a page reads by index: ids from the owner-first risk index and the memberships, then names by
    // primary key through the scope. None walks the deals (a status condition on the names made SQLite do that).
    const plans = await queryPlans(t.sqlite, (db) => listAtRisk(db, manager, {}));
    const byId = plans.filter((p) => p.sql.includes('as "customer_name"'));
    expect(byId).toHaveLength(1);
    expect(byId[0]!.plan).toMatch(/SEARCH o USING INTEGER PRIMARY KEY \(rowid=\?\)/);
    for (const p of plans) expect(p.plan, p.sql).not.toMatch(/SCAN o\b/);
  });
});
