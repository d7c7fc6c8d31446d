import type { SeedContext } from './context.ts';
import { chineseName } from './org.ts';
import { PLACES, mobileOf } from './contacts.ts';

const PREFIX = ['华兴', '恒通', '瑞丰', '中诚', '博远', '天成', '金桥', '新源', '鼎盛', '宏达', '安泰', '远景', '汇智', '联创', '星海', '佳和'];
const KINDS = [
  ['科技有限公司', 'it'],
  ['信息技术有限公司', 'it'],
  ['精密机械有限公司', 'manufacturing'],
  ['电子科技股份有限公司', 'manufacturing'],
  ['商贸有限公司', 'retail'],
  ['医疗器械有限公司', 'healthcare'],
  ['物流有限公司', 'logistics'],
  ['建设工程有限公司', 'construction'],
  ['新能源有限公司', 'energy'],
  ['教育科技有限公司', 'education'],
  ['文化传媒有限公司', 'media'],
  ['农业发展有限公司', 'agriculture'],
] as const;
const SOURCES = ['referral', 'exhibition', 'website', 'cold_call', 'campaign', 'other'] as const;
const TITLES = ['总经理', '采购经理', 'IT 经理', '技术总监', '行政主管', '项目经理', '财务经理'];
const REASONS = ['暂无预算', '已选用竞争对手产品', '需求不匹配', '联系不上', '公司规模太小', '重复线索'];

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

/**
 * ~150 leads (50,000 at large scale) across sources and statuses (new 35%, contacted 30%, qualified 20%,
 * disqualified 15% with a reason). Some qualified leads of the small demo are shown as converted: linked to a seeded
 * customer contact whose company they name.
 */
export async function seedLeads(ctx: SeedContext): Promise<void> {
  const r = ctx.random;
  const total = ctx.scale === 'large' ? 50_000 : 150;
  const owners = ctx.owners.length > 0 ? ctx.owners : [...ctx.users.values()].map((u) => u.id);
  if (owners.length === 0) return;
  // Customer contacts a converted demo lead can point at (same owner keeps the lead visible alongside them).
  const converted = ctx.sqlite
    .prepare(
      `select ct.id as contact_id, ct.name as person, ct.title, ct.mobile, c.id as customer_id, c.name as company, c.owner_id, c.province, c.city
       from contacts ct join customers c on c.id = ct.customer_id where c.owner_id is not null and c.type = 'enterprise' order by ct.id limit 200`,
    )
    .all() as { contact_id: number; person: string; title: string; mobile: string; customer_id: number; company: string; owner_id: number; province: string; city: string }[];
  const insert = ctx.sqlite.prepare(
    `insert into leads (source, company, person, title, mobile, phone, email, wechat, province, city, address, industry, status, disqualify_reason, notes, owner_id, converted_at, customer_id, contact_id, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const now = ctx.now.getTime();
  let usedConversions = 0;
  for (let i = 0; i < total; i++) {
    const x = r();
    const status = x < 0.35 ? 'new' : x < 0.65 ? 'contacted' : x < 0.85 ? 'qualified' : 'disqualified';
    const place = pick(r, PLACES);
    const [suffix, industry] = pick(r, KINDS);
    const created = new Date(now - Math.floor(r() * 180) * 86_400_000 - Math.floor(r() * 86_400_000));
    const updated = new Date(Math.min(now, created.getTime() + Math.floor(r() * 30) * 86_400_000));
    const conversion = status === 'qualified' && ctx.scale === 'small' && r() < 0.5 ? converted[usedConversions++] : undefined;
    const person = conversion?.person ?? chineseName(r);
    const company = conversion?.company ?? (r() < 0.9 ? `${place.city}${pick(r, PREFIX)}${suffix}` : '');
    insert.run(
      pick(r, SOURCES),
      company,
      person,
      conversion?.title ?? pick(r, TITLES),
      conversion?.mobile ?? (r() < 0.85 ? mobileOf(r) : ''),
      r() < 0.3 ? `${place.area}-${Math.floor(10_000_000 + r() * 89_999_999)}` : '',
      r() < 0.5 ? `info${Math.floor(r() * 1000)}@example-${i}.cn` : '',
      '',
      conversion ? conversion.province : place.province,
      conversion ? conversion.city : place.city,
      r() < 0.5 ? `${place.street}${1 + Math.floor(r() * 300)}号` : '',
      industry,
      status,
      status === 'disqualified' ? pick(r, REASONS) : '',
      r() < 0.2 ? pick(r, ['官网留言咨询 CRM 方案', '展会上交换了名片', '老客户介绍', '参加了线上研讨会']) : '',
      conversion?.owner_id ?? pick(r, owners),
      conversion ? updated.toISOString() : null,
      conversion?.customer_id ?? null,
      conversion?.contact_id ?? null,
      created.toISOString(),
      updated.toISOString(),
    );
  }
}
