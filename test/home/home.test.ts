import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApp, signIn, type TestApp } from '../helpers/app.ts';
import { forgetStageTypicals } from '../../src/features/alerts/queries.ts';
import { quarterOf } from '../../src/lib/dates.ts';
import { pageFixture } from '../alerts/fixture.ts';
import { queryPlans } from '../helpers/query-plans.ts';
import { viewerForUser } from '../../src/auth/session.ts';
import { salesDay } from '../../src/features/home/queries.ts';

let t: TestApp;
let f: Awaited<ReturnType<typeof pageFixture>>;
beforeEach(async () => {
  t = await testApp();
  f = await pageFixture(t);
  forgetStageTypicals(t.db);
});
afterEach(async () => t.close());

const section = (body: string, id: string) => {
  const start = body.indexOf(`id="${id}"`);
  expect(start).toBeGreaterThan(-1);
  const end = body.indexOf('</section>', start);
  return body.slice(start, end);
};
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('quarterOf', () => {
  it('gives the calendar quarter', () => {
    expect(quarterOf('2026-11-27')).toEqual({ from: '2026-10-01', to: '2026-12-31' });
    expect(quarterOf('2026-02-14')).toEqual({ from: '2026-01-01', to: '2026-03-31' });
    expect(quarterOf('2024-05-31')).toEqual({ from: '2024-04-01', to: '2024-06-30' });
  });
});

describe('home page', () => {
  it('shows a rep their day with exact figures', async () => {
    const res = await (await signIn(t.app, 'rep1')).get('/');
    expect(res.statusCode).toBe(200);
    const deals = text(section(res.body, 'home-deals'));
    expect(deals).toContain('初步接洽 1 ¥100,000.00');
    expect(deals).toContain('需求确认 2 ¥250,000.00');
    expect(deals).toContain('合计 3 ¥350,000.00');
    expect(res.body).toContain(`href="/opportunities?owner=${f.users.rep1.id}&amp;stage=${f.stages.b}"`);

    const q = text(section(res.body, 'home-quarter'));
    const { from, to } = quarterOf(f.today);
    expect(q).toContain(`${from} 至 ${to}`);
    expect(q).toContain('进行中金额 ¥300,000.00'); // D1 + D2 close this quarter; D3 in 2099
    expect(q).toContain('加权金额（按赢单概率） ¥90,000.00'); // 100,000 × 10% + 200,000 × 40%
    expect(q).toContain('本季度赢单 ¥300,000.00 1 单');

    const tasks = text(section(res.body, 'home-tasks'));
    expect(tasks).toContain('逾期 逾期任务：寄送合同');
    expect(tasks).toContain('今天 今日任务：确认报价');
    expect(tasks).not.toContain('明日任务');
    expect(tasks).not.toContain('已完成任务');
    expect(tasks).not.toContain('他人任务');
    expect(res.body).toContain('href="/tasks"');

    const alerts = text(section(res.body, 'home-alerts'));
    expect(alerts).toContain('D2 明道数据中台');
    expect(alerts).toContain('金额从 ¥30万 降到 ¥20万（-33%）');
    expect(alerts).not.toContain('D1');
    expect(res.body).not.toContain('id="home-team"');
    // What the home page always showed stays.
    expect(res.body).toContain('自己负责的数据');
  });

  it('shows a manager their team’s totals and the at-risk count', async () => {
    const res = await (await signIn(t.app, 'manager1')).get('/');
    expect(res.statusCode).toBe(200);
    expect(text(section(res.body, 'home-deals'))).toContain('还没有进行中的商机。');
    const team = text(section(res.body, 'home-team'));
    // rep1's D1, D2, D3 and rep2's D6: 100,000 + 200,000 + 50,000 + 80,000
    expect(team).toContain('进行中金额 ¥430,000.00 4 个');
    // This quarter: 100,000 + 200,000 + 80,000; weighted 10,000 + 80,000 + 56,000
    expect(team).toContain('¥146,000.00 ¥380,000.00');
    expect(team).toContain('本季度赢单 ¥300,000.00 1 单');
    expect(team).toContain('团队风险商机 2');
    expect(team).toContain('商务谈判 1 ¥80,000.00');
    expect(res.body).toContain('href="/opportunities/at-risk"');
  });

  it("adds the deals a manager is on the team of, outside their department, once each", async () => {
    // manager1 joins the team of rep3's D7 (¥999,999.00, closing 2099) and D8 (¥10,000.00, closed date passed: at
    // risk) in the south; and of rep1's D1, which their team already counts.
    const at = new Date().toISOString();
    const { d1, d7, d8 } = f.deals;
    await t.db.insertInto('record_members').values([d7, d8, d1].map((id) => ({ entity: 'opportunities', record_id: id, user_id: f.users.manager1.id, created_at: at }))).execute();
    const res = await (await signIn(t.app, 'manager1')).get('/');
    const team = text(section(res.body, 'home-team'));
    // 430,000 + 999,999 + 10,000; neither closes this quarter; D8 is at risk.
    expect(team).toContain('进行中金额 ¥1,439,999.00 6 个');
    expect(team).toContain('¥146,000.00 ¥380,000.00');
    expect(team).toContain('团队风险商机 3');

    // D7 is won today: it counts in the team's quarter once, through the membership.
    await t.db.updateTable('opportunities').set({ status: 'won', closed_at: new Date().toISOString() }).where('id', '=', d7).execute();
    const after = text(section((await (await signIn(t.app, 'manager1')).get('/')).body, 'home-team'));
    expect(after).toContain('本季度赢单 ¥1,299,999.00 2 单');
    // The team-member part names the manager's memberships by id (read first), so on a large database SQLite reads
    // those deals by id instead of walking the quarter's won deals (measured: 1.6 ms → 0.004 ms); no subquery is left.
    const manager = (await viewerForUser(t.db, f.users.manager1.id))!;
    const sqls = (await queryPlans(t.sqlite, (db) => salesDay(db, manager, 'Asia/Shanghai'))).map((q) => q.sql);
    const won = sqls.filter((q) => /"o"\."status" = \? and "o"\."closed_at" >= \?/.test(q));
    expect(won.filter((q) => /"o"\."id" in \(\?, \?, \?\)/.test(q))).toHaveLength(1);
    expect(won.some((q) => q.includes('record_members'))).toBe(false);
  });

  it('keeps the admin’s home as it was', async () => {
    const res = await (await signIn(t.app, 'admin')).get('/');
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('id="home-day"');
    expect(res.body).toContain('可用模块');
  });
});
