import type { SeedContext } from './context.ts';

interface StageSeed {
  name: string;
  probability: number;
  days: number;
  kind: 'open' | 'won' | 'lost';
  criteria: string[];
  tasks: [string, number][];
}

const DIRECT: StageSeed[] = [
  {
    name: '初步接洽',
    probability: 10,
    days: 14,
    kind: 'open',
    criteria: ['已与关键联系人建立联系', '确认客户存在明确业务需求', '初步了解预算范围'],
    tasks: [['首次拜访客户，了解现状', 3], ['发送公司介绍与成功案例', 5]],
  },
  {
    name: '需求确认',
    probability: 25,
    days: 21,
    kind: 'open',
    criteria: ['完成需求调研并形成需求文档', '确认决策人与决策流程', '确认预算已立项'],
    tasks: [['组织需求调研会', 5], ['整理需求确认书并请客户签字', 10]],
  },
  {
    name: '方案报价',
    probability: 50,
    days: 21,
    kind: 'open',
    criteria: ['解决方案已演示并获认可', '正式报价单已提交', '技术评估通过'],
    tasks: [['准备解决方案与产品演示', 7], ['提交正式报价单', 10]],
  },
  {
    name: '商务谈判',
    probability: 75,
    days: 14,
    kind: 'open',
    criteria: ['价格与付款条件达成一致', '合同条款经法务审核', '客户确认采购流程时间表'],
    tasks: [['与客户商务负责人谈判价格', 3], ['提交合同草案送法务审核', 7]],
  },
  { name: '签约', probability: 100, days: 0, kind: 'won', criteria: [], tasks: [['安排项目启动会并移交实施', 5]] },
  { name: '输单', probability: 0, days: 0, kind: 'lost', criteria: [], tasks: [] },
];

const CHANNEL: StageSeed[] = [
  { name: '渠道报备', probability: 10, days: 7, kind: 'open', criteria: ['合作伙伴已提交项目报备', '报备信息无冲突'], tasks: [['审核渠道报备信息', 2]] },
  { name: '联合拜访', probability: 30, days: 21, kind: 'open', criteria: ['已与合作伙伴联合拜访客户', '确认客户需求与预算'], tasks: [['约合作伙伴共同拜访客户', 7]] },
  { name: '伙伴报价', probability: 60, days: 21, kind: 'open', criteria: ['合作伙伴已提交报价', '价格审批通过'], tasks: [['审批渠道特价申请', 3]] },
  { name: '签约', probability: 100, days: 0, kind: 'won', criteria: [], tasks: [['确认渠道返利与订单', 5]] },
  { name: '输单', probability: 0, days: 0, kind: 'lost', criteria: [], tasks: [] },
];

const COMPETITORS: [string, string, string][] = [
  ['用友网络', 'https://www.yonyou.com', '大型企业 ERP 与财务软件，国企客户多'],
  ['金蝶软件', 'https://www.kingdee.com', '中小企业财务与云 ERP，价格有优势'],
  ['销售易', 'https://www.xiaoshouyi.com', '移动 CRM，互联网与制造业客户多'],
  ['纷享销客', 'https://www.fxiaoke.com', '连接型 CRM，渠道管理较强'],
  ['Salesforce', 'https://www.salesforce.com', '国际 CRM 厂商，外企与大型集团客户'],
  ['SAP', 'https://www.sap.com', 'ERP 套件，高端制造与大型集团'],
  ['Oracle', 'https://www.oracle.com', 'CX 云与数据库，金融与电信客户'],
  ['微软 Dynamics 365', 'https://dynamics.microsoft.com', '与 Office 生态集成，外企客户'],
  ['浪潮软件', 'https://www.inspur.com', '政务与国企信息化'],
  ['悟空 CRM', 'https://www.5kcrm.com', '开源 CRM，低价竞争'],
];

async function insertPipeline(ctx: Pick<SeedContext, 'db'>, name: string, isDefault: boolean, order: number, stages: StageSeed[], now: string): Promise<number> {
  // A handful of rows: Kysely on the seed's transaction is fast enough and needs no raw handle.
  const { id: pipelineId } = await ctx.db
    .insertInto('pipelines')
    .values({ name, is_default: isDefault ? 1 : 0, active: 1, sort_order: order, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const [i, st] of stages.entries()) {
    const { id } = await ctx.db
      .insertInto('pipeline_stages')
      .values({ pipeline_id: pipelineId, name: st.name, sort_order: i + 1, probability: st.probability, expected_days: st.days, kind: st.kind, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (st.criteria.length) await ctx.db.insertInto('stage_exit_criteria').values(st.criteria.map((label, j) => ({ stage_id: id, label, sort_order: j + 1 }))).execute();
    if (st.tasks.length) await ctx.db.insertInto('stage_task_templates').values(st.tasks.map(([subject, due], j) => ({ stage_id: id, subject, due_days: due, sort_order: j + 1 }))).execute();
  }
  return pipelineId;
}

/** The demo pipelines (直销, the default; 渠道销售) with exit criteria and stage tasks, and the competitor list. */
export async function seedPipelines(ctx: Pick<SeedContext, 'db' | 'now'>): Promise<{ direct: number; channel: number }> {
  const now = ctx.now.toISOString();
  const direct = await insertPipeline(ctx, '直销', true, 1, DIRECT, now);
  const channel = await insertPipeline(ctx, '渠道销售', false, 2, CHANNEL, now);
  await ctx.db
    .insertInto('competitors')
    .values(COMPETITORS.map(([name, website, notes]) => ({ name, website, notes, active: 1, created_at: now, updated_at: now })))
    .execute();
  return { direct, channel };
}
