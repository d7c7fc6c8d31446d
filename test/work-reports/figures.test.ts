import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshDatabase, newUser } from '../helpers/app.ts';
import { newPipeline, newOpportunityRow, historyRow } from '../helpers/pipeline-analytics.ts';
import { nowIso, type Db } from '../../src/db/index.ts';
import { classifyMoves, computeFigures, type StageMove } from '../../src/features/work-reports/figures.ts';
import { summarySentence } from '../../src/features/work-reports/summary.ts';
import { generateReports } from '../../src/features/work-reports/generate.ts';
import { previousPeriod, periodContaining } from '../../src/features/work-reports/period.ts';

const ZONE = 'Asia/Shanghai';
// Week Mon 2026-11-16 … Sun 2026-11-22 in Shanghai = 2026-11-15T16:00Z … 2026-11-22T16:00Z.
const IN = (day: number, hour = 10) => new Date(Date.UTC(2026, 10, day, hour - 8)).toISOString(); // local time in Shanghai
const period = { kind: 'week' as const, start: '2026-11-16', end: '2026-11-22' };

async function customer(db: Db, name: string, createdAt: string, createdBy: number | null) {
  return (await db.insertInto('customers').values({ name, owner_id: createdBy, created_by: createdBy, created_at: createdAt, updated_at: createdAt }).returning('id').executeTakeFirstOrThrow()).id;
}
async function activity(db: Db, owner: number, o: { type: string; at: string; status: string; customerId?: number; completedAt?: string; subject?: string }) {
  await db
    .insertInto('activities')
    .values({ type: o.type, subject: o.subject ?? `${o.type} ${o.at}`, starts_at: o.at, status: o.status, completed_at: o.completedAt ?? null, customer_id: o.customerId ?? null, owner_id: owner, created_at: nowIso(), updated_at: nowIso() })
    .execute();
}

describe('a weekly work report from a fixture with known counts', () => {
  let database: ReturnType<typeof freshDatabase>;
  beforeEach(() => {
    database = freshDatabase();
  });
  afterEach(async () => {
    await database.close();
  });

  async function fixture() {
    const { db } = database;
    await db.insertInto('company').values({ id: 1, name: '测试', created_at: nowIso(), updated_at: nowIso() }).execute();
    const rep = await newUser(db, { username: 'rep' });
    const other = await newUser(db, { username: 'other' });
    // Customers: 2 created by the rep in the week, 1 before, 1 by someone else in the week.
    const newA = await customer(db, '华为技术', IN(16), rep.id);
    const newB = await customer(db, '比亚迪', IN(18), rep.id);
    const old1 = await customer(db, '腾讯科技', '2026-10-01T00:00:00.000Z', rep.id);
    const old2 = await customer(db, '阿里巴巴', '2026-10-02T00:00:00.000Z', rep.id);
    const old3 = await customer(db, '小米科技', '2026-10-03T00:00:00.000Z', rep.id);
    await customer(db, '别人的客户', IN(17), other.id);
    // Visits done in the week: 6 visits to 5 distinct customers (newA twice), 2 of them new.
    for (const [c, d] of [[newA, 16], [newA, 19], [newB, 18], [old1, 17], [old2, 20], [old3, 21]] as const) await activity(db, rep.id, { type: 'visit', at: IN(d), status: 'done', customerId: c });
    // Not counted: a planned visit, a cancelled visit, a visit the Sunday before (local), another rep's visit.
    await activity(db, rep.id, { type: 'visit', at: IN(19), status: 'planned', customerId: old1 });
    await activity(db, rep.id, { type: 'visit', at: IN(20), status: 'cancelled', customerId: old1 });
    await activity(db, rep.id, { type: 'visit', at: IN(15, 23), status: 'done', customerId: old1 });
    await activity(db, other.id, { type: 'visit', at: IN(17), status: 'done', customerId: old1 });
    // 3 calls and 1 meeting done; the last call is at 23:30 local on Sunday — still in the week.
    await activity(db, rep.id, { type: 'call', at: IN(16), status: 'done', customerId: old1 });
    await activity(db, rep.id, { type: 'call', at: IN(17), status: 'done', customerId: old2 });
    await activity(db, rep.id, { type: 'call', at: new Date(Date.UTC(2026, 10, 22, 15, 30)).toISOString(), status: 'done' });
    await activity(db, rep.id, { type: 'meeting', at: IN(18), status: 'done', customerId: newB });
    // Next Monday 00:30 local is next week: a planned visit there counts as next period's schedule.
    await activity(db, rep.id, { type: 'visit', at: new Date(Date.UTC(2026, 10, 22, 16, 30)).toISOString(), status: 'planned', customerId: old1 });
    await activity(db, rep.id, { type: 'meeting', at: IN(25), status: 'planned' });
    await activity(db, rep.id, { type: 'call', at: IN(30), status: 'planned' }); // after next week: not counted
    // Tasks: 2 done in the week, 1 done the week before; overdue at the week's end: 1 still open, 1 done only after.
    await activity(db, rep.id, { type: 'task', at: IN(17), status: 'done', completedAt: IN(17, 15) });
    await activity(db, rep.id, { type: 'task', at: IN(20), status: 'done', completedAt: IN(19, 15) });
    await activity(db, rep.id, { type: 'task', at: IN(10), status: 'done', completedAt: IN(11) });
    await activity(db, rep.id, { type: 'task', at: IN(18), status: 'planned', subject: '发送方案' });
    await activity(db, rep.id, { type: 'task', at: IN(21), status: 'done', completedAt: IN(24), subject: '催合同' });
    await activity(db, rep.id, { type: 'task', at: IN(26), status: 'planned', subject: '下周任务' }); // next week: schedule, not overdue
    // Leads: 3 in the week, 1 outside.
    for (const d of [16, 17, 22]) await db.insertInto('leads').values({ person: `线索${d}`, company: '某公司', owner_id: rep.id, created_at: IN(d), updated_at: IN(d) }).execute();
    await db.insertInto('leads').values({ person: '旧线索', owner_id: rep.id, created_at: IN(9), updated_at: IN(9) }).execute();
    // Deals.
    const p = await newPipeline(db);
    const s = p.stages;
    const d1 = await newOpportunityRow(db, { owner: rep.id, customerId: newA, pipelineId: p.id, stageId: s.b, amountFen: 50_000_00, createdAt: IN(16), name: '华为 ERP' });
    const d2 = await newOpportunityRow(db, { owner: rep.id, customerId: newB, pipelineId: p.id, stageId: s.a, amountFen: 8_000_00, createdAt: IN(18), name: '比亚迪 CRM' });
    const d3 = await newOpportunityRow(db, { owner: rep.id, customerId: old1, pipelineId: p.id, stageId: s.won, status: 'won', amountFen: 125_000_00, createdAt: '2026-09-01T00:00:00.000Z', name: '腾讯 云服务' });
    const d4 = await newOpportunityRow(db, { owner: rep.id, customerId: old2, pipelineId: p.id, stageId: s.lost, status: 'lost', amountFen: 30_000_00, createdAt: '2026-09-01T00:00:00.000Z', name: '阿里 数据' });
    const d5 = await newOpportunityRow(db, { owner: rep.id, customerId: old3, pipelineId: p.id, stageId: s.c, amountFen: 20_000_00, createdAt: '2026-09-01T00:00:00.000Z', name: '小米 安全' });
    const d6 = await newOpportunityRow(db, { owner: rep.id, customerId: old3, pipelineId: p.id, stageId: s.a, amountFen: 1_000_00, createdAt: '2026-09-01T00:00:00.000Z', name: '小米 退回' });
    await historyRow(db, d1, null, s.a, IN(16), null, 50_000_00); // creation: not an advance
    await historyRow(db, d1, s.a, s.b, IN(19), 3, 50_000_00); // advanced
    await historyRow(db, d3, s.c, s.won, IN(20), 10, 125_000_00); // won ¥12.5万
    await historyRow(db, d4, s.b, s.lost, IN(21), 4, 30_000_00); // lost ¥3万
    await historyRow(db, d5, s.a, s.b, IN(17), 5, 20_000_00); // advanced twice: counts once
    await historyRow(db, d5, s.b, s.c, IN(20), 3, 20_000_00);
    await historyRow(db, d6, s.b, s.a, IN(19), 3, 1_000_00); // moved back: not an advance
    await historyRow(db, d2, s.a, s.b, IN(23), 3, 8_000_00); // next Monday: not this week
    // Won and reopened in the week: neither won nor lost, and reopening is not an advance.
    const d7 = await newOpportunityRow(db, { owner: rep.id, customerId: old1, pipelineId: p.id, stageId: s.c, amountFen: 60_000_00, createdAt: '2026-09-01T00:00:00.000Z', name: '腾讯 重开' });
    await historyRow(db, d7, s.c, s.won, IN(17), 3, 60_000_00);
    await historyRow(db, d7, s.won, s.c, IN(18), 1, 60_000_00);
    // Quotes sent: 2 in the week, 1 draft never sent, 1 sent the week before.
    const quote = async (number: string, sentAt: string | null, total: number) =>
      db.insertInto('quotes').values({ number, customer_id: newA, owner_id: rep.id, status: sentAt ? 'sent' : 'draft', quote_date: '2026-11-16', valid_until: '2026-12-16', total_fen: total, sent_at: sentAt, created_at: IN(16), updated_at: IN(16) }).execute();
    await quote('Q-1', IN(17), 50_000_00);
    await quote('Q-2', IN(21), 8_000_00);
    await quote('Q-3', null, 1_00);
    await quote('Q-0', IN(12), 1_00);
    return { rep, other };
  }

  it('has exactly the expected figures and summary sentence', async () => {
    const { db } = database;
    const { rep } = await fixture();
    const f = await computeFigures(db, rep.id, period, ZONE);
    expect(f.visits).toHaveLength(6);
    expect(f.customersVisited).toBe(5);
    expect(f.newCustomersVisited).toBe(2);
    expect(f.visits.map((v) => v.customer)).toEqual(['华为技术', '腾讯科技', '比亚迪', '华为技术', '阿里巴巴', '小米科技']);
    expect(f.calls).toHaveLength(3);
    expect(f.meetings).toHaveLength(1);
    expect(f.newCustomers.map((c) => c.name)).toEqual(['华为技术', '比亚迪']);
    expect(f.newLeads.map((l) => l.person)).toEqual(['线索16', '线索17', '线索22']);
    expect(f.dealsCreated.map((d) => d.name)).toEqual(['华为 ERP', '比亚迪 CRM']);
    expect(f.dealsAdvanced.map((d) => [d.name, d.from, d.to])).toEqual([['小米 安全', '初步接洽', '商务谈判'], ['华为 ERP', '初步接洽', '需求确认']]);
    expect(f.dealsWon.map((d) => [d.name, d.amountFen])).toEqual([['腾讯 云服务', 125_000_00]]);
    expect(f.dealsLost.map((d) => [d.name, d.amountFen])).toEqual([['阿里 数据', 30_000_00]]);
    expect(f.quotesSent.map((q) => q.number)).toEqual(['Q-1', 'Q-2']);
    expect(f.tasksDone).toHaveLength(2);
    expect(f.tasksOverdue.map((t) => t.subject)).toEqual(['发送方案', '催合同']);
    expect(f.nextActivities.map((a) => a.type)).toEqual(['visit', 'meeting', 'task']);
    expect(f.nextPeriod).toEqual({ start: '2026-11-23', end: '2026-11-29' });

    expect(summarySentence(f, 'week', 'zh-CN', ZONE)).toBe(
      '本周拜访客户 5 家，其中新客户 2 家；电话 3 次，会议 1 次；新增客户 2 家、线索 3 条；新建商机 2 个，推进商机 2 个，赢单 1 个 ¥12.5万，丢单 1 个 ¥3万；发出报价 2 份；完成任务 2 项，逾期 2 项；下周已安排活动 3 项。',
    );
    expect(summarySentence(f, 'week', 'en', ZONE)).toBe(
      'This week: visited 5 customers, 2 of them new; 3 calls, 1 meetings; 2 new customers and 3 new leads; 2 deals created, 2 advanced, 1 won CN¥125,000.00, 1 lost CN¥30,000.00; 2 quotes sent; 2 tasks done, 2 overdue; 3 activities scheduled for next week.',
    );
  });

  it('the Monday job writes last week’s report once per rep, however often it runs', async () => {
    const { db } = database;
    const { rep, other } = await fixture();
    const monday8 = new Date('2026-11-23T00:00:00.000Z'); // Monday 08:00 in Shanghai
    expect(previousPeriod('week', monday8, ZONE)).toEqual(period);
    expect(await generateReports(db, 'week', monday8)).toBe(2);
    expect(await generateReports(db, 'week', monday8)).toBe(2);
    const rows = await db.selectFrom('work_reports').selectAll().orderBy('user_id').execute();
    expect(rows.map((r) => [r.user_id, r.period, r.period_start, r.period_end])).toEqual([
      [rep.id, 'week', '2026-11-16', '2026-11-22'],
      [other.id, 'week', '2026-11-16', '2026-11-22'],
    ]);
    expect(JSON.parse(rows[0]!.figures).visits).toHaveLength(6);
    // A submitted report is not regenerated.
    await db.updateTable('work_reports').set({ submitted_at: nowIso(), summary: '完成' }).where('id', '=', rows[0]!.id).execute();
    await db.updateTable('work_reports').set({ figures: '{"kept":true}' }).where('id', '=', rows[0]!.id).execute();
    await generateReports(db, 'week', monday8);
    expect((await db.selectFrom('work_reports').select('figures').where('id', '=', rows[0]!.id).executeTakeFirstOrThrow()).figures).toBe('{"kept":true}');
  });

  it('periods: weeks start on Monday, months on the 1st, in the company’s time zone', () => {
    expect(periodContaining('week', '2026-11-22', ZONE)).toEqual(period);
    expect(periodContaining('month', '2026-02-10', ZONE)).toEqual({ kind: 'month', start: '2026-02-01', end: '2026-02-28' });
    expect(previousPeriod('month', new Date('2026-11-30T16:30:00.000Z'), ZONE)).toEqual({ kind: 'month', start: '2026-11-01', end: '2026-11-30' });
    expect(previousPeriod('month', new Date('2026-11-30T15:30:00.000Z'), ZONE)).toEqual({ kind: 'month', start: '2026-10-01', end: '2026-10-31' });
  });
});

describe('classifyMoves: what a period’s stage moves mean, for work reports and digests alike', () => {
  // Stages: 1, 2, 3 open in that order; 4 won; 5 lost.
  const KIND: Record<number, string> = { 1: 'open', 2: 'open', 3: 'open', 4: 'won', 5: 'lost' };
  let id = 0;
  const move = (opportunityId: number, from: number | null, to: number, changedAt: string, moveId = ++id): StageMove => ({
    id: moveId,
    opportunityId,
    changedAt,
    fromKind: from === null ? null : KIND[from]!,
    fromOrder: from,
    toKind: KIND[to]!,
    toOrder: to,
  });
  const at = (day: number) => `2026-11-${day}T02:00:00.000Z`;

  it('a deal is won or lost when the period leaves it so; won and then reopened is neither', () => {
    const moves = [
      move(1, 3, 4, at(17)), move(1, 4, 3, at(18)), // won, reopened: neither
      move(2, 3, 5, at(17)), move(2, 5, 3, at(18)), move(2, 3, 4, at(19)), // lost, reopened, won: won by the last move
      move(3, 3, 4, at(17)), move(3, 4, 5, at(19)), // won, then lost: lost
      move(4, 1, 2, at(17)), move(4, 2, 3, at(19)), // advanced twice: once, first "from" and latest "to"
      move(5, 3, 2, at(17)), // moved back: nothing
      move(6, null, 1, at(17)), // created: nothing
      move(7, 4, 1, at(17)), // reopened after a win before the period: nothing
    ];
    const c = classifyMoves(moves);
    expect([...c.won.keys()]).toEqual([2]);
    expect(c.won.get(2)!.changedAt).toBe(at(19));
    expect([...c.lost.keys()]).toEqual([3]);
    expect([...c.advanced.keys()]).toEqual([4]);
    expect(c.advanced.get(4)!.first.fromOrder).toBe(1);
    expect(c.advanced.get(4)!.last.toOrder).toBe(3);
  });

  it('takes moves in time order, then by id, whatever order they come in', () => {
    const won = move(1, 3, 4, at(17), 10);
    const reopened = move(1, 4, 3, at(17), 11);
    expect(classifyMoves([reopened, won]).won.size).toBe(0);
    const later = move(2, 3, 4, at(19));
    const earlier = move(2, 3, 5, at(18));
    expect([...classifyMoves([later, earlier]).won.keys()]).toEqual([2]);
    expect(classifyMoves([later, earlier]).lost.size).toBe(0);
  });
});
