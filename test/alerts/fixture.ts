import { sql } from 'kysely';
import { smallOrg, type TestApp } from '../helpers/app.ts';
import { newCustomer } from '../helpers/customers.ts';
import { alertDeal, alertPipeline, daysAgo, stageMove } from '../helpers/alerts.ts';
import { dayStartUtc } from '../../src/lib/dates.ts';
import { refreshAllOpenRisk } from '../../src/features/alerts/queries.ts';
import { todayIn } from '../../src/lib/dates.ts';

/**
 * The shared fixture of the page tests (figures in yuan; probabilities from the stages 10/40/70):
 * rep1 (华东): D1 初步接洽 ¥100,000 closing today · D2 需求确认 ¥200,000 closing today, was ¥300,000 (−33%: at risk)
 *              · D3 需求确认 ¥50,000 closing 2099 · D4 won ¥300,000 today · D5 lost ¥70,000;
 *              tasks: one 2 days overdue, one due today, one tomorrow, one done.
 * rep2 (上海组, under 华东): D6 商务谈判 ¥80,000 closing today, in its stage and idle for 40 days (at risk).
 * rep3 (华南): D7 初步接洽 ¥999,999 · D8 初步接洽 ¥10,000 closing 2020-01-01 (at risk).
 */
export async function pageFixture(t: TestApp) {
  const org = await smallOrg(t.db);
  const { users } = org;
  const p = await alertPipeline(t.db);
  const s = p.stages;
  const today = todayIn('Asia/Shanghai', new Date());
  const c1 = (await newCustomer(t.db, { owner: users.rep1, name: '杭州明道软件有限公司' })).id;
  const c2 = (await newCustomer(t.db, { owner: users.rep2, name: '上海浦江电子有限公司' })).id;
  const c3 = (await newCustomer(t.db, { owner: users.rep3, name: '广州南粤物流有限公司' })).id;
  const deal = (owner: number, customerId: number, o: Parameters<typeof alertDeal>[1] extends infer X ? Partial<X> : never) =>
    alertDeal(t.db, { owner, customerId, pipelineId: p.id, stageId: s.a, lastActivityAt: daysAgo(1), ...o });
  const d1 = await deal(users.rep1.id, c1, { name: 'D1 明道 ERP', stageId: s.a, amountFen: 10_000_000, probability: 10, closeDate: today });
  const d2 = await deal(users.rep1.id, c1, { name: 'D2 明道数据中台', stageId: s.b, amountFen: 20_000_000, probability: 40, closeDate: today });
  await stageMove(t.db, d2, { from: null, to: s.a, at: daysAgo(5), days: null, amountFen: 30_000_000, closeDate: today });
  const d3 = await deal(users.rep1.id, c1, { name: 'D3 明道培训', stageId: s.b, amountFen: 5_000_000, probability: 40, closeDate: '2099-12-31' });
  const d4 = await deal(users.rep1.id, c1, { name: 'D4 明道运维', stageId: s.won, status: 'won', amountFen: 30_000_000, probability: 100, closeDate: today, closedAt: new Date().toISOString() });
  const d5 = await deal(users.rep1.id, c1, { name: 'D5 明道安全', stageId: s.lost, status: 'lost', amountFen: 7_000_000, probability: 0, closeDate: today, closedAt: new Date().toISOString() });
  const d6 = await deal(users.rep2.id, c2, { name: 'D6 浦江云服务', stageId: s.c, amountFen: 8_000_000, probability: 70, closeDate: today, createdAt: daysAgo(40.2), stageEnteredAt: daysAgo(40.2), lastActivityAt: daysAgo(40.2) });
  const d7 = await deal(users.rep3.id, c3, { name: 'D7 南粤仓储', stageId: s.a, amountFen: 99_999_900, probability: 10, closeDate: '2099-12-31' });
  const d8 = await deal(users.rep3.id, c3, { name: 'D8 南粤网络', stageId: s.a, amountFen: 1_000_000, probability: 10, closeDate: '2020-01-01' });

  const start = Date.parse(dayStartUtc(today, 'Asia/Shanghai'));
  const task = async (owner: number, subject: string, startsAt: number, status = 'planned') => {
    const at = new Date(startsAt).toISOString();
    await t.db.insertInto('activities').values({ type: 'task', subject, starts_at: at, status, customer_id: c1, owner_id: owner, created_at: at, updated_at: at }).execute();
  };
  await task(users.rep1.id, '逾期任务：寄送合同', start - 2 * 86_400_000 + 3_600_000);
  await task(users.rep1.id, '今日任务：确认报价', start + 60_000);
  await task(users.rep1.id, '明日任务：拜访客户', start + 86_400_000 + 3_600_000);
  await task(users.rep1.id, '已完成任务：整理纪要', start - 86_400_000, 'done');
  await task(users.rep2.id, '他人任务：电话回访', start - 86_400_000);
  // The deals were written straight into the database: compute their stored risk as the app's writes would.
  await refreshAllOpenRisk(t.db);
  return { org, users, pipeline: p, stages: s, today, deals: { d1, d2, d3, d4, d5, d6, d7, d8 } };
}

export async function setLanguage(t: TestApp, username: string, lang: 'zh-CN' | 'en') {
  await sql`update users set language = ${lang} where username = ${username}`.execute(t.db);
}
