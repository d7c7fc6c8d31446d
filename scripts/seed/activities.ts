import { dayStartUtc } from '../../src/lib/dates.ts';
import type { SeedContext } from './context.ts';

// Activities (行动) of the demo company: ~3,000 over the last 6 months and the next month for the demo users'
// records (2,000,000 more at --scale large, over four years), meetings with participants, open and overdue tasks, and
// customers.last_activity_at consistent with them. Runs after the customers, contacts and leads generators.

type Type = 'visit' | 'call' | 'meeting' | 'email' | 'task' | 'note';
/** Cumulative weights: calls most often, then visits, tasks, emails, meetings, notes. */
const TYPE_WEIGHTS: [Type, number][] = [
  ['call', 0.3],
  ['visit', 0.5],
  ['task', 0.64],
  ['email', 0.78],
  ['meeting', 0.9],
  ['note', 1],
];

const SUBJECTS: Record<Type, string[]> = {
  visit: ['上门拜访{c}采购部', '拜访{c}，演示新版系统', '到{c}现场勘察', '陪同技术总监拜访{c}', '拜访{c}财务部核对账款'],
  call: ['电话跟进{c}报价', '回访{c}使用情况', '电话确认{c}需求细节', '与{c}沟通交货期', '电话邀约{c}参加展会'],
  meeting: ['{c}项目启动会', '与{c}技术交流会', '{c}商务谈判', '{c}方案评审会', '季度业务回顾（{c}）'],
  email: ['发送产品资料给{c}', '邮件发送{c}报价单', '回复{c}技术问题', '发送合同草稿给{c}', '寄送节日问候（{c}）'],
  task: ['准备{c}报价单', '整理{c}合同条款', '提交{c}样品申请', '跟进{c}回款', '更新{c}联系人资料', '安排{c}售后培训'],
  note: ['{c}组织架构调整', '{c}竞争对手情况', '{c}预算审批进展', '{c}关键决策人变动'],
};
const OUTCOMES = [
  '客户对方案基本认可，需要内部讨论',
  '对方提出价格偏高，希望再给优惠',
  '确认了需求范围，约定下周出方案',
  '决策人出差，改期再谈',
  '客户同意试用一个月',
  '已发送资料，对方确认收到',
  '技术问题已解答，客户满意',
  '对方预算已批，进入采购流程',
];
const NEXT_STEPS = ['下周二前发送正式报价', '安排技术人员上门演示', '约采购经理面谈', '准备合同草稿', '一个月后回访', ''];
const LOCATIONS = ['客户公司会议室', '我司展厅', '线上会议（腾讯会议）', '客户工厂', '咖啡厅', ''];

function pickWeighted(r: number): Type {
  for (const [t, w] of TYPE_WEIGHTS) if (r < w) return t;
  return 'note';
}

export async function seedActivities(ctx: SeedContext): Promise<void> {
  const { sqlite, random } = ctx;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const company = sqlite.prepare('select time_zone from company where id = 1').get() as { time_zone: string } | undefined;
  const zone = company?.time_zone ?? 'Asia/Shanghai';
  const nowMs = ctx.now.getTime();
  const nowIso = ctx.now.toISOString();

  // Local midnight (as epoch ms) of each working day from `back` days ago to 30 days ahead: times are drawn as a
  // day + a working hour in the company zone.
  const DAYS_AHEAD = 30;
  function workingDays(back: number): number[] {
    const starts: number[] = [];
    for (let d = -back; d <= DAYS_AHEAD; d++) {
      const local = new Date(nowMs + d * 86_400_000).toLocaleDateString('sv-SE', { timeZone: zone });
      // Working days only (Monday–Friday): sales teams rarely schedule weekends.
      const [y, m, dd] = local.split('-').map(Number) as [number, number, number];
      const weekday = new Date(Date.UTC(y, m - 1, dd)).getUTCDay();
      if (weekday === 0 || weekday === 6) continue;
      starts.push(Date.parse(dayStartUtc(local, zone)));
    }
    return starts;
  }

  // The records each owner holds (pool customers have no owner and get no activities).
  const customersByOwner = new Map<number, { id: number; name: string }[]>();
  for (const c of sqlite.prepare('select id, owner_id, short_name, name from customers where owner_id is not null').iterate() as Iterable<{ id: number; owner_id: number; short_name: string; name: string }>) {
    let list = customersByOwner.get(c.owner_id);
    if (!list) customersByOwner.set(c.owner_id, (list = []));
    list.push({ id: c.id, name: c.short_name || c.name });
  }
  const contactsByCustomer = new Map<number, number[]>();
  for (const c of sqlite.prepare('select id, customer_id from contacts where customer_id is not null').iterate() as Iterable<{ id: number; customer_id: number }>) {
    let list = contactsByCustomer.get(c.customer_id);
    if (!list) contactsByCustomer.set(c.customer_id, (list = []));
    list.push(c.id);
  }
  const leadsByOwner = new Map<number, { id: number; name: string }[]>();
  for (const l of sqlite.prepare('select id, owner_id, company, person from leads where converted_at is null').iterate() as Iterable<{ id: number; owner_id: number; company: string; person: string }>) {
    let list = leadsByOwner.get(l.owner_id);
    if (!list) leadsByOwner.set(l.owner_id, (list = []));
    list.push({ id: l.id, name: l.company || l.person });
  }
  // Colleagues in the same department, for meeting participants.
  const deptOf = new Map<number, number | null>();
  for (const u of ctx.users.values()) deptOf.set(u.id, u.department_id);
  const colleagues = new Map<number, number[]>();
  for (const id of ctx.owners) {
    const dept = deptOf.get(id);
    colleagues.set(
      id,
      ctx.owners.filter((o) => o !== id && deptOf.get(o) === dept),
    );
  }

  const insert = sqlite.prepare(
    `insert into activities (type, subject, starts_at, duration_minutes, status, location, outcome, next_step, remind_at, completed_at,
       customer_id, contact_id, lead_id, owner_id, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const member = sqlite.prepare(`insert or ignore into record_members (entity, record_id, user_id, role, created_at) values ('activities', ?, ?, 'participant', ?)`);

  // customers.last_activity_at as the app keeps it (commands.ts, touchCustomerActivity): the latest activity that
  // has happened — done, or planned and already past — tracked while generating and written once at the end.
  const lastActivity = new Map<number, string>();

  function one(owner: number, withParticipants: boolean, startMs: number): void {
    let type = pickWeighted(random());
    // A note records what happened: never in the future.
    if (type === 'note' && startMs >= nowMs) type = 'call';
    const startsAt = new Date(startMs).toISOString();
    const past = startMs < nowMs;
    // About what: mostly a customer of the owner (and one of its contacts), sometimes a lead, a few nothing.
    let customerId: number | null = null;
    let contactId: number | null = null;
    let leadId: number | null = null;
    let about = '客户';
    const roll = random();
    const customers = customersByOwner.get(owner);
    const leads = leadsByOwner.get(owner);
    if (roll < 0.8 && customers?.length) {
      const c = pick(customers);
      customerId = c.id;
      about = c.name;
      const contacts = contactsByCustomer.get(c.id);
      if (contacts?.length && random() < 0.6) contactId = pick(contacts);
    } else if (roll < 0.95 && leads?.length) {
      const l = pick(leads);
      leadId = l.id;
      about = l.name;
    }
    let status = 'planned';
    if (past) {
      const s = random();
      // Tasks: about a third of the past ones still open (overdue); others: mostly done, some cancelled.
      if (type === 'note') status = 'done';
      else if (type === 'task') status = s < 0.35 ? 'planned' : s < 0.95 ? 'done' : 'cancelled';
      else status = s < 0.9 ? 'done' : s < 0.95 ? 'cancelled' : 'planned';
    }
    const done = status === 'done';
    const duration = type === 'task' || type === 'note' || type === 'email' ? 0 : type === 'call' ? 5 + Math.floor(random() * 6) * 5 : 30 + Math.floor(random() * 6) * 30;
    const createdMs = Math.min(nowMs, startMs - Math.floor(random() * 7) * 86_400_000);
    const completedAt = done ? new Date(Math.min(nowMs, startMs + duration * 60_000 + 3_600_000)).toISOString() : null;
    const remindAt = !past && (type === 'meeting' || type === 'visit' || type === 'task') && random() < 0.5 ? new Date(startMs - 3_600_000).toISOString() : null;
    if (customerId && status !== 'cancelled' && past) {
      const prev = lastActivity.get(customerId);
      if (!prev || prev < startsAt) lastActivity.set(customerId, startsAt);
    }
    const info = insert.run(
      type,
      pick(SUBJECTS[type]).replace('{c}', about),
      startsAt,
      duration,
      status,
      type === 'visit' || type === 'meeting' ? pick(LOCATIONS) : '',
      done && type !== 'task' ? pick(OUTCOMES) : '',
      done ? pick(NEXT_STEPS) : '',
      remindAt,
      completedAt,
      customerId,
      contactId,
      leadId,
      owner,
      new Date(createdMs).toISOString(),
      completedAt ?? new Date(createdMs).toISOString(),
    );
    if (withParticipants && type === 'meeting' && random() < 0.4) {
      const mates = colleagues.get(owner) ?? [];
      const n = Math.min(mates.length, 1 + Math.floor(random() * 2));
      for (let i = 0; i < n; i++) member.run(info.lastInsertRowid, pick(mates), nowIso);
    }
  }

  /**
   * `count` activities spread evenly over the working days, written day by day in time order: every index on
   * activities ((owner_id|customer_id|contact_id|lead_id, starts_at)) then grows at the end of each key's run
   * instead of at random places, which keeps the bulk load several times faster.
   */
  function generate(count: number, owner: () => number, participantsEvery: number, dayStarts: number[]): void {
    let made = 0;
    for (let d = 0; d < dayStarts.length; d++) {
      const today = Math.round(((d + 1) * count) / dayStarts.length) - made;
      const times: number[] = [];
      for (let i = 0; i < today; i++) times.push(dayStarts[d]! + ((9 + Math.floor(random() * 9)) * 60 + Math.floor(random() * 4) * 15) * 60_000);
      times.sort((a, b) => a - b);
      for (const t of times) one(owner(), made++ % participantsEvery === 0, t);
    }
  }

  // The demo logins (first in ctx.owners) get most of the ~3,000, so every demo user has a full calendar.
  const demoOwners = ctx.owners.filter((id) => [...ctx.users.entries()].some(([name, u]) => u.id === id && /^(rep|manager)\d$/.test(name)));
  const smallOwners = demoOwners.length > 0 ? demoOwners : ctx.owners;
  if (smallOwners.length > 0) generate(3000, () => smallOwners[Math.floor(random() * smallOwners.length)]!, 1, workingDays(182));

  if (ctx.scale === 'large') {
    const t0 = Date.now();
    const N = 2_000_000;
    // Five indexes on activities take random inserts: a large page cache keeps them in memory for the bulk load.
    const cacheBefore = sqlite.pragma('cache_size', { simple: true }) as number;
    sqlite.pragma('cache_size = -524288'); // 512 MB
    // 2M activities are years of a sales force's work: ~200 people logging about ten a working day (calls, visits,
    // tasks) fill four years. Squeezed into six months they would give every rep ~65 a day and a week calendar of
    // ~350 entries, which no sales team has.
    generate(N, () => ctx.owners[Math.floor(random() * ctx.owners.length)]!, 10, workingDays(4 * 365));
    sqlite.pragma(`cache_size = ${cacheBefore}`);
    console.log(`activities: ${N.toLocaleString('en')} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

  const touch = sqlite.prepare('update customers set last_activity_at = ? where id = ?');
  for (const [id, at] of lastActivity) touch.run(at, id);
}
