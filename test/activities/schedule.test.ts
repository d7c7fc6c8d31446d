import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, smallOrg, testApp, type Client, type TestApp } from '../helpers/app.ts';
import { newActivity, newCustomerRow } from '../helpers/activities.ts';
import { calendarRange, localToUtc } from '../../src/features/activities/time.ts';
import { planOf } from '../helpers/query-plans.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof smallOrg>>;
let rep1: Client;
let rep3: Client;
let manager1: Client;

beforeAll(async () => {
  t = await testApp();
  org = await smallOrg(t.db);
  [rep1, rep3, manager1] = await Promise.all([signIn(t.app, 'rep1'), signIn(t.app, 'rep3'), signIn(t.app, 'manager1')]);
});
afterAll(async () => t.close());

describe('calendar ranges (pure)', () => {
  it('weeks start on Monday in the company zone; months cover whole weeks', () => {
    const w = calendarRange('week', '2026-11-27', 'Asia/Shanghai'); // a Friday
    expect(w.days).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29']);
    expect([w.start, w.end]).toEqual(['2026-11-22T16:00:00.000Z', '2026-11-29T16:00:00.000Z']);
    expect([w.prev, w.next]).toEqual(['2026-11-20', '2026-12-04']);
    const m = calendarRange('month', '2026-11-27', 'Asia/Shanghai'); // 1 Nov 2026 is a Sunday
    expect(m.days.length).toBe(42);
    expect([m.days[0], m.days[41]]).toEqual(['2026-10-26', '2026-12-06']);
    const d = calendarRange('day', '2026-03-08', 'America/New_York'); // DST starts: a 23-hour day
    expect([d.start, d.end]).toEqual(['2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z']);
    // A month that starts on a Monday and ends on a Tuesday; month steps keep the day or take the shorter month's last.
    const june = calendarRange('month', '2026-06-15', 'Asia/Shanghai');
    expect([june.days[0], june.days.at(-1), june.days.length]).toEqual(['2026-06-01', '2026-07-05', 35]);
    expect([calendarRange('month', '2026-01-31', 'Asia/Shanghai').prev, calendarRange('month', '2026-01-31', 'Asia/Shanghai').next]).toEqual(['2025-12-31', '2026-02-28']);
    expect([calendarRange('month', '2028-02-29', 'Asia/Shanghai').prev, calendarRange('month', '2028-02-29', 'Asia/Shanghai').next]).toEqual(['2028-01-29', '2028-03-29']);
    // A week across a year end and a DST change: seven civil days, bounded by local midnights.
    const w2 = calendarRange('week', '2026-11-01', 'America/New_York'); // a Sunday; DST ends that morning
    expect(w2.days).toEqual(['2026-10-26', '2026-10-27', '2026-10-28', '2026-10-29', '2026-10-30', '2026-10-31', '2026-11-01']);
    expect([w2.start, w2.end]).toEqual(['2026-10-26T04:00:00.000Z', '2026-11-02T05:00:00.000Z']);
    expect(calendarRange('week', '2027-01-01', 'Asia/Shanghai').days[0]).toBe('2026-12-28');
    // Without a date, the view is anchored on today in the company's zone (already the 9th in Shanghai).
    expect(calendarRange('day', undefined, 'Asia/Shanghai', new Date('2026-03-08T16:30:00Z')).date).toBe('2026-03-09');
    // The calendar covers 1900–2199; other dates show today (a week of 9999-12-30 ran into the year 10000).
    const now = new Date('2026-11-27T04:00:00Z');
    for (const far of ['0500-03-10', '1899-12-31', '2200-01-01', '9999-12-30']) expect(calendarRange('week', far, 'Asia/Shanghai', now).date).toBe('2026-11-27');
    expect(calendarRange('month', '1900-01-15', 'Asia/Shanghai', now).days[0]).toBe('1900-01-01'); // a Monday
    expect(calendarRange('month', '2199-12-15', 'Asia/Shanghai', now).next).toBe('2200-01-15');
    expect(localToUtc('2026-11-27T08:05', 'Asia/Shanghai')).toBe('2026-11-27T00:05:00.000Z');
    expect(localToUtc('2026-13-01T08:00', 'Asia/Shanghai')).toBeNull();
  });
});

describe('/calendar', () => {
  it('week view shows the viewer’s items on the right local day, bounded by the week', async () => {
    // Sunday 2026-11-29 23:30 Shanghai = 15:30Z: still in the week of 23–29 Nov. Monday 00:30 local is the next week.
    await newActivity(t.db, org.users.rep1, { subject: '周日晚上的电话', type: 'call', startsAt: '2026-11-29T15:30:00.000Z' });
    await newActivity(t.db, org.users.rep1, { subject: '下周一早会', type: 'meeting', startsAt: '2026-11-29T16:30:00.000Z' });
    await newActivity(t.db, org.users.rep3, { subject: '吴刚的拜访', startsAt: '2026-11-25T02:00:00.000Z' });
    await newActivity(t.db, org.users.rep3, { subject: '邀请张伟参加的会议', type: 'meeting', startsAt: '2026-11-26T06:00:00.000Z', participants: [org.users.rep1.id] });
    const res = await rep1.get('/calendar?view=week&date=2026-11-25');
    expect(res.statusCode).toBe(200);
    const sunday = res.body.slice(res.body.indexOf('11-29'));
    expect(sunday).toContain('周日晚上的电话');
    expect(sunday).toContain('23:30');
    expect(res.body).not.toContain('下周一早会');
    expect(res.body).not.toContain('吴刚的拜访');
    expect(res.body).toContain('邀请张伟参加的会议'); // as a participant
    expect(res.body).toContain('href="/calendar?view=week&amp;date=2026-11-18"');
    const next = await rep1.get('/calendar?view=week&date=2026-12-02');
    expect(next.body).toContain('下周一早会');
  });

  it('month view shows up to 3 items a day and "+N more"; day view lists them', async () => {
    for (let h = 1; h <= 5; h++) await newActivity(t.db, org.users.rep1, { subject: `十二月三日事项${h}`, startsAt: `2026-12-03T0${h}:00:00.000Z` });
    const month = await rep1.get('/calendar?view=month&date=2026-12-15');
    expect(month.body).toContain('十二月三日事项3');
    expect(month.body).not.toContain('十二月三日事项4');
    expect(month.body).toContain('还有 2 项');
    const day = await rep1.get('/calendar?view=day&date=2026-12-03');
    expect(day.body).toContain('十二月三日事项5');
    expect(day.body).toContain('13:00'); // 05:00Z in Shanghai
  });

  it('a manager sees a team member’s schedule and the team view; a rep cannot open another rep’s', async () => {
    const one = await manager1.get(`/calendar?view=week&date=2026-11-25&owner=${org.users.rep1.id}`);
    expect(one.statusCode).toBe(200);
    expect(one.body).toContain('周日晚上的电话');
    const team = await manager1.get('/calendar?view=week&date=2026-11-25&team=1');
    expect(team.body).toContain('周日晚上的电话');
    expect(team.body).not.toContain('吴刚的拜访'); // rep3 is in another department
    expect(team.body).toContain('测试用户'); // owner names shown
    expect((await manager1.get(`/calendar?owner=${org.users.rep3.id}`)).statusCode).toBe(404);
    expect((await rep3.get(`/calendar?owner=${org.users.rep1.id}`)).statusCode).toBe(404);
    const repTeam = await rep3.get('/calendar?view=week&date=2026-11-25&team=1');
    expect(repTeam.body).not.toContain('周日晚上的电话');
  });

  it('reads the (owner_id, starts_at) index over the range', async () => {
    const plan = planOf(t.sqlite, "select id from activities where owner_id in (1, 2) and starts_at >= '2026-11-22' and starts_at < '2026-11-29'");
    expect(plan).toContain('activities_owner_time_idx');
  });
});

describe('/tasks', () => {
  it('lists open tasks soonest first, overdue highlighted, and marks one done inline', async () => {
    const c = await newCustomerRow(t.db, org.users.rep1, '苏州工业园区测试有限公司');
    const overdue = await newActivity(t.db, org.users.rep1, { type: 'task', subject: '发送报价单', startsAt: '2020-01-01T02:00:00.000Z', customerId: c.id });
    await newActivity(t.db, org.users.rep1, { type: 'task', subject: '准备合同草稿', startsAt: '2099-01-01T02:00:00.000Z' });
    await newActivity(t.db, org.users.rep1, { type: 'task', subject: '已完成的任务', startsAt: '2020-01-01T02:00:00.000Z', status: 'done' });
    await newActivity(t.db, org.users.rep3, { type: 'task', subject: '别人的任务', startsAt: '2020-01-01T02:00:00.000Z' });
    const res = await rep1.get('/tasks');
    expect(res.statusCode).toBe(200);
    expect(res.body.indexOf('发送报价单')).toBeLessThan(res.body.indexOf('准备合同草稿'));
    expect(res.body).not.toContain('已完成的任务');
    expect(res.body).not.toContain('别人的任务');
    expect(res.body).toMatch(new RegExp(`id="task-${overdue.id}" class="task-row task-overdue"`));
    expect(res.body).toContain('tag-danger');

    const row = await rep1.post(`/activities/${overdue.id}/completion`, { back: 'tasks' }, { headers: { 'hx-request': 'true', 'hx-target': `task-${overdue.id}` } });
    expect(row.statusCode).toBe(200);
    expect(row.body.trimStart().startsWith(`<tr id="task-${overdue.id}"`)).toBe(true);
    expect(row.body).toContain('已完成');
    expect((await t.db.selectFrom('activities').select('status').where('id', '=', overdue.id).executeTakeFirstOrThrow()).status).toBe('done');
    // A done task is past activity on the customer.
    expect((await t.db.selectFrom('customers').select('last_activity_at').where('id', '=', c.id).executeTakeFirstOrThrow()).last_activity_at).toBe('2020-01-01T02:00:00.000Z');
    expect((await rep1.get('/tasks')).body).not.toContain('发送报价单');

    // Without JS: back to /tasks. Another rep: 404.
    const other = await newActivity(t.db, org.users.rep1, { type: 'task', subject: '回电话', startsAt: '2099-02-01T02:00:00.000Z' });
    expect((await rep3.post(`/activities/${other.id}/completion`, { back: 'tasks' })).statusCode).toBe(404);
    const plain = await rep1.post(`/activities/${other.id}/completion`, { back: 'tasks' });
    expect([plain.statusCode, plain.headers.location]).toEqual([303, '/tasks']);
  });

  it('pages with a keyset cursor, and a manager filters by team', async () => {
    for (let i = 0; i < 55; i++) await newActivity(t.db, org.users.rep2, { type: 'task', subject: `批量任务${String(i).padStart(2, '0')}`, startsAt: `2098-01-01T00:${String(i).padStart(2, '0')}:00.000Z` });
    const rep2 = await signIn(t.app, 'rep2');
    const first = await rep2.get('/tasks');
    expect(first.body).toContain('批量任务49');
    expect(first.body).not.toContain('批量任务50');
    const next = /href="\/tasks\?after=([^"]+)"/.exec(first.body)?.[1];
    expect(next).toBeTruthy();
    const second = await rep2.get(`/tasks?after=${next}`);
    expect(second.body).toContain('批量任务50');
    expect(second.body).toContain('批量任务54');
    expect(second.body).not.toContain('批量任务49');
    const team = await manager1.get('/tasks?team=1');
    expect(team.body).toContain('批量任务00'); // rep2's (sub-team), sooner than rep1's 2099 task
    expect(team.body).not.toContain('别人的任务');
    const one = await manager1.get(`/tasks?owner=${org.users.rep1.id}`);
    expect(one.body).toContain('准备合同草稿');
    expect(one.body).not.toContain('批量任务00');
    expect((await manager1.get(`/tasks?owner=${org.users.rep3.id}`)).statusCode).toBe(404);
  });
});
