import type { SeedContext } from './context.ts';
import { rebuildDealTotals } from '../../src/features/opportunities/totals.ts';
import { rebuildRollup } from '../../src/features/pipeline-analytics/rollup.ts';

// Demo deals: ~400 on the seeded customers (500,000 more at large scale), each walked through its pipeline from its
// creation date with plausible days per stage, so the stage history, the funnel, the overview and the alerts all
// read from believable data. Runs after seedPipelines, seedCustomers, seedContacts and seedActivities.

const DAY_MS = 24 * 60 * 60 * 1000;

const PRODUCTS = ['ERP 升级', '数字化工厂', '供应链协同平台', '云服务器扩容', '办公网络改造', '安全等保测评', '数据中台', 'CRM 实施', '视频会议系统', '仓储管理系统', '财务共享中心', '智能客服', '生产设备联网', '年度运维服务', '培训服务包'];
const WIN_REASONS = ['方案贴合业务流程，客户高层认可', '价格与交付周期综合最优', '本地化服务团队响应快', '老客户续约，合作口碑好', '技术评估得分第一'];
const LOSS_REASONS = ['价格高于竞争对手约 15%', '客户预算冻结，项目取消', '竞争对手与客户高层关系更深', '交付周期无法满足要求', '客户选择自研'];
const SOURCES = ['lead', 'existing_customer', 'referral', 'partner', 'marketing', 'cold_call', 'other'];
const ROLES = ['decision_maker', 'approver', 'technical_evaluator', 'business_user', 'influencer', 'gatekeeper', 'coach'];
const ATTITUDES = ['supporter', 'neutral', 'opponent'];
const INFLUENCE = ['high', 'medium', 'low'];
const NEXT_STEPS = ['约技术负责人做方案演示', '发送修订版报价', '安排高层拜访', '提交招标文件', '确认合同条款', '回访使用部门收集需求'];
const ACTIVITY_SUBJECTS: Array<[string, string]> = [
  ['visit', '上门拜访，了解项目背景'],
  ['call', '电话沟通需求细节'],
  ['meeting', '方案评审会'],
  ['email', '发送方案与报价'],
  ['visit', '陪同客户参观样板项目'],
  ['call', '跟进商务条款'],
];

interface Stage {
  id: number;
  pipeline_id: number;
  name: string;
  kind: string;
  probability: number;
  expected_days: number;
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Creates the demo opportunities, their stage histories, buying committees, team members and linked activities. */
export async function seedOpportunities(ctx: SeedContext): Promise<void> {
  const { sqlite, random } = ctx;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const nowMs = ctx.now.getTime();

  const stageRows = sqlite.prepare('select id, pipeline_id, name, kind, probability, expected_days from pipeline_stages order by pipeline_id, sort_order, id').all() as Stage[];
  const pipelineRows = sqlite.prepare('select id, is_default from pipelines where active = 1 order by sort_order, id').all() as Array<{ id: number; is_default: number }>;
  if (pipelineRows.length === 0) throw new Error('seedOpportunities needs the pipelines (seedPipelines) first');
  const pipelines = pipelineRows.map((p) => {
    const stages = stageRows.filter((s) => s.pipeline_id === p.id);
    return { id: p.id, isDefault: p.is_default === 1, open: stages.filter((s) => s.kind === 'open'), won: stages.find((s) => s.kind === 'won')!, lost: stages.find((s) => s.kind === 'lost')! };
  }).filter((p) => p.open.length > 0 && p.won && p.lost);
  const owners = new Set(ctx.owners);
  const deptOf = new Map([...ctx.users.values()].map((u) => [u.id, u.department_id]));
  const ownersByDept = new Map<number | null, number[]>();
  for (const id of ctx.owners) {
    const d = deptOf.get(id) ?? null;
    ownersByDept.set(d, [...(ownersByDept.get(d) ?? []), id]);
  }

  const customers = sqlite.prepare('select id, owner_id, short_name, name from customers where owner_id is not null order by id').all() as Array<{ id: number; owner_id: number; short_name: string; name: string }>;
  if (customers.length === 0) return;
  const contactsOf = new Map<number, number[]>();
  for (const c of sqlite.prepare('select id, customer_id from contacts where customer_id is not null order by id').iterate() as Iterable<{ id: number; customer_id: number }>) {
    const list = contactsOf.get(c.customer_id);
    if (list) list.push(c.id);
    else contactsOf.set(c.customer_id, [c.id]);
  }

  const insertDeal = sqlite.prepare(
    `insert into opportunities (name, customer_id, pipeline_id, stage_id, status, amount_fen, probability, expected_close_date, source, next_step,
       description, close_reason, closed_at, owner_id, stage_entered_at, last_activity_at, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertHistory = sqlite.prepare(
    `insert into opportunity_stage_history (opportunity_id, from_stage_id, to_stage_id, changed_at, changed_by, amount_fen, expected_close_date, days_in_from_stage)
     values (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertMember = sqlite.prepare(`insert or ignore into record_members (entity, record_id, user_id, role, created_at) values ('opportunities', ?, ?, 'member', ?)`);
  const insertCommittee = sqlite.prepare(
    `insert into opportunity_contacts (opportunity_id, contact_id, role, attitude, influence, reports_to_id, notes, created_at, updated_at) values (?, ?, ?, ?, ?, ?, '', ?, ?)`,
  );
  const insertActivity = sqlite.prepare(
    `insert into activities (type, subject, starts_at, duration_minutes, status, location, outcome, next_step, remind_at, completed_at,
       customer_id, contact_id, lead_id, owner_id, opportunity_id, created_at, updated_at) values (?, ?, ?, ?, ?, '', ?, '', null, ?, ?, ?, null, ?, ?, ?, ?)`,
  );

  const linkActivities = sqlite.prepare('update activities set opportunity_id = ? where customer_id = ? and opportunity_id is null and starts_at >= ? and starts_at <= ?');
  const auditEdit = sqlite.prepare(`insert into audit_log (at, actor_id, action, entity, entity_id, summary, changes, ip) values (?, ?, 'update', 'opportunity', ?, ?, ?, '')`);

  /**
   * One deal walked through its pipeline. `stall` keeps it open in an early stage long after its typical time
   * (with an old close date, pushed out a few times, and sometimes a shrunken amount): the alerts' examples.
   */
  function deal(customer: (typeof customers)[number], opts: { createdMs: number; stall: boolean; rich: boolean }): void {
    const pipeline = random() < 0.8 ? (pipelines.find((p) => p.isDefault) ?? pipelines[0]!) : pick(pipelines);
    const owner = owners.has(customer.owner_id) ? customer.owner_id : pick(ctx.owners);
    // Amounts: 2万 to ~500万 yuan, most deals small, a few large (log-uniform), whole hundreds of yuan.
    let amount = Math.round(Math.exp(Math.log(20_000) + random() * Math.log(250)) / 100) * 100 * 100;
    let t = opts.createdMs;
    const plannedDays = pipeline.open.reduce((a, s) => a + s.expected_days, 0);
    let close = isoDay(t + (plannedDays + 10 + Math.floor(random() * 30)) * DAY_MS);
    const history: Array<[number | null, number, number, number, string, number | null]> = [[null, pipeline.open[0]!.id, t, amount, close, null]];
    let idx = 0;
    let status = 'open';
    let final: Stage = pipeline.open[0]!;
    const stallAt = opts.stall ? Math.min(pipeline.open.length - 1, 1 + Math.floor(random() * 2)) : -1;
    for (;;) {
      const stage = pipeline.open[idx]!;
      if (idx === stallAt) break;
      const days = Math.max(1, Math.round(stage.expected_days * (0.4 + random() * 1.4)));
      const leaveMs = t + days * DAY_MS + Math.floor(random() * 8 * 60 * 60 * 1000);
      if (leaveMs > nowMs) break; // still in this stage today
      // Now and then the amount is cut back in negotiation, or the customer moves the close date out.
      if (random() < 0.12) amount = Math.round((amount * (0.7 + random() * 0.25)) / 10000) * 10000;
      if (random() < 0.15) close = isoDay(Date.parse(close) + (15 + Math.floor(random() * 30)) * DAY_MS);
      let next: Stage;
      const roll = random();
      if (idx > 0 && roll < 0.06) next = pipeline.open[idx - 1]!; // back a step: the customer reopened a question
      else if (roll < 0.14) next = pipeline.lost;
      else if (idx === pipeline.open.length - 1) next = random() < 0.65 ? pipeline.won : pipeline.lost;
      else next = pipeline.open[idx + 1]!;
      history.push([stage.id, next.id, leaveMs, amount, close, days]);
      t = leaveMs;
      if (next.kind !== 'open') {
        status = next.kind;
        final = next;
        break;
      }
      idx = pipeline.open.indexOf(next);
    }
    if (status === 'open') final = pipeline.open[idx]!;
    if (opts.stall) {
      // Pushed out three times (the later ones often already past); a third of them also lost a slice of the amount.
      for (let k = 0; k < 3; k++) {
        close = isoDay(Date.parse(close) + 20 * DAY_MS);
        history.push([final.id, final.id, t + (k + 1) * DAY_MS, amount, close, null]);
      }
      if (random() < 0.35) amount = Math.round((amount * 0.6) / 10000) * 10000;
    }
    const stageEntered = new Date(status === 'open' ? history.filter((h) => h[0] !== h[1]).at(-1)![2] : t).toISOString();
    const closedAt = status === 'open' ? null : new Date(t).toISOString();
    // Active deals were touched lately; stalled ones not since they entered their stage.
    const lastActivityMs = status === 'open' ? (opts.stall ? Date.parse(stageEntered) + DAY_MS : Math.min(nowMs - DAY_MS, Math.max(t, nowMs - Math.floor(random() * 9 + 1) * DAY_MS))) : t;
    const lastActivity = new Date(lastActivityMs).toISOString();
    const name = `${customer.short_name || customer.name}${pick(PRODUCTS)}项目`;
    const reason = status === 'won' ? pick(WIN_REASONS) : status === 'lost' ? pick(LOSS_REASONS) : '';
    const createdAt = new Date(opts.createdMs).toISOString();
    const updatedAt = new Date(Math.max(Date.parse(stageEntered), status === 'open' ? lastActivityMs : t)).toISOString();
    const info = insertDeal.run(
      name, customer.id, pipeline.id, final.id, status, amount, final.probability, status === 'open' ? close : isoDay(t), pick(SOURCES),
      status === 'open' ? pick(NEXT_STEPS) : '', '', reason, closedAt, owner, stageEntered, lastActivity, createdAt, updatedAt,
    );
    const id = Number(info.lastInsertRowid);
    for (const [from, to, at, amt, cd, days] of history) {
      // A stall's push-outs are kept in memory as same-stage rows; they are written to the audit log below.
      if (from !== null && from === to) continue;
      insertHistory.run(id, from, to, new Date(at).toISOString(), owner, amt, cd, days);
    }
    if (opts.stall) {
      // The three push-outs as the app records them: audited edits of the close date.
      const dates = history.filter((h) => h[0] !== null && h[0] === h[1]);
      let prev = history.filter((h) => h[0] !== h[1]).at(-1)![4];
      for (const h of dates) {
        auditEdit.run(new Date(h[2]).toISOString(), owner, id, name, JSON.stringify({ expected_close_date: [prev, h[4]] }));
        prev = h[4];
      }
      const lastHist = history.at(-1)![3];
      if (lastHist !== amount) auditEdit.run(new Date(Date.parse(stageEntered) + 5 * DAY_MS).toISOString(), owner, id, name, JSON.stringify({ amount_fen: [lastHist, amount] }));
    }
    if (!opts.rich) return;
    // The customer's existing activities during the deal's life become the deal's (a stalled deal keeps none).
    if (!opts.stall) linkActivities.run(id, customer.id, createdAt, closedAt ?? new Date(nowMs).toISOString());
    // Team members on about one deal in eight: a colleague from the owner's department.
    if (random() < 0.12) {
      const mates = (ownersByDept.get(deptOf.get(owner) ?? null) ?? []).filter((u) => u !== owner);
      if (mates.length > 0) insertMember.run(id, pick(mates), createdAt);
    }
    // The buying committee on the larger deals (≥ 50万): the customer's contacts, reporting to the decision maker.
    const contacts = contactsOf.get(customer.id) ?? [];
    if (amount >= 50_000_000 && contacts.length > 0) {
      let head: number | null = null;
      contacts.slice(0, 5).forEach((contactId, i) => {
        const role = i === 0 ? 'decision_maker' : ROLES[1 + ((i + Math.floor(random() * 3)) % (ROLES.length - 1))]!;
        const r = insertCommittee.run(id, contactId, role, pick(ATTITUDES), i === 0 ? 'high' : pick(INFLUENCE), head, createdAt, createdAt);
        if (i === 0) head = Number(r.lastInsertRowid);
      });
    }
    // Activities on the deal: one or three along its life, and for open ones a planned follow-up task.
    const contact = contacts[0] ?? null;
    const n = 1 + Math.floor(random() * 3);
    for (let k = 0; k < n; k++) {
      const at = opts.createdMs + Math.floor(((lastActivityMs - opts.createdMs) * (k + 1)) / n);
      const [type, subject] = pick(ACTIVITY_SUBJECTS);
      const iso = new Date(at).toISOString();
      insertActivity.run(type, subject, iso, 60, 'done', '客户认可方案方向，待确认预算', iso, customer.id, contact, owner, id, iso, iso);
    }
    if (status === 'open' && !opts.stall) {
      // Due from three days ago to a week ahead: the home page's "today and overdue" has something to show.
      const due = new Date(nowMs + (Math.floor(random() * 10) - 3) * DAY_MS);
      due.setUTCHours(2, 0, 0, 0);
      insertActivity.run('task', `跟进：${name}`, due.toISOString(), 30, 'planned', '', null, customer.id, contact, owner, id, lastActivity, lastActivity);
    }
  }

  const yearMs = 365 * DAY_MS;

  // The demo company: ~400 deals over the last four quarters, on the demo logins' customers first.
  const demo = customers.slice(0, Math.max(1, Math.min(customers.length, 2000)));
  for (let i = 0; i < 400; i++) {
    const customer = demo[Math.floor(random() * demo.length)]!;
    const stall = i % 33 === 7; // a dozen stalled deals
    const createdMs = stall ? nowMs - (120 + Math.floor(random() * 90)) * DAY_MS : nowMs - Math.floor(random() ** 1.5 * yearMs) - DAY_MS; // more recent deals than old ones
    deal(customer, { createdMs, stall, rich: true });
  }

  if (ctx.scale === 'large') {
    const t0 = Date.now();
    const N = 500_000;
    const cacheBefore = sqlite.pragma('cache_size', { simple: true }) as number;
    sqlite.pragma('cache_size = -524288'); // 512 MB: the history's indexes take random inserts
    // Created in time order, so the opportunities' time-ordered indexes grow at their ends.
    for (let i = 0; i < N; i++) {
      const customer = customers[Math.floor(random() * customers.length)]!;
      const createdMs = nowMs - yearMs + Math.floor((yearMs * i) / N) - DAY_MS;
      deal(customer, { createdMs, stall: i % 2000 === 11, rich: false });
    }
    sqlite.pragma(`cache_size = ${cacheBefore}`);
    const rows = (sqlite.prepare('select count(*) as n from opportunity_stage_history').get() as { n: number }).n;
    console.log(`opportunities: ${N.toLocaleString('en')} deals, ${rows.toLocaleString('en')} stage-history rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

  await rebuildRollup(ctx.db);
  await rebuildDealTotals(ctx.db);
}
