import type { SeedContext } from './context.ts';
import { chineseName } from './org.ts';
import { creditCodeCheckChar } from '../../src/lib/credit-code.ts';

/** Cities with their province, postal code, telephone area code and a district's administrative code. */
const CITIES = [
  { province: '北京', city: '北京', postal: '100', area: '010', region: '110105' },
  { province: '上海', city: '上海', postal: '200', area: '021', region: '310115' },
  { province: '广东', city: '深圳', postal: '518', area: '0755', region: '440305' },
  { province: '广东', city: '广州', postal: '510', area: '020', region: '440106' },
  { province: '浙江', city: '杭州', postal: '310', area: '0571', region: '330106' },
  { province: '浙江', city: '宁波', postal: '315', area: '0574', region: '330212' },
  { province: '江苏', city: '南京', postal: '210', area: '025', region: '320105' },
  { province: '江苏', city: '苏州', postal: '215', area: '0512', region: '320594' },
  { province: '四川', city: '成都', postal: '610', area: '028', region: '510107' },
  { province: '湖北', city: '武汉', postal: '430', area: '027', region: '420106' },
  { province: '山东', city: '济南', postal: '250', area: '0531', region: '370102' },
  { province: '山东', city: '青岛', postal: '266', area: '0532', region: '370212' },
  { province: '福建', city: '厦门', postal: '361', area: '0592', region: '350203' },
  { province: '陕西', city: '西安', postal: '710', area: '029', region: '610113' },
  { province: '天津', city: '天津', postal: '300', area: '022', region: '120116' },
  { province: '重庆', city: '重庆', postal: '400', area: '023', region: '500112' },
  { province: '河南', city: '郑州', postal: '450', area: '0371', region: '410105' },
  { province: '湖南', city: '长沙', postal: '410', area: '0731', region: '430104' },
  { province: '安徽', city: '合肥', postal: '230', area: '0551', region: '340104' },
  { province: '辽宁', city: '沈阳', postal: '110', area: '024', region: '210102' },
  { province: '云南', city: '昆明', postal: '650', area: '0871', region: '530102' },
];

const BRANDS = ['明道', '恒信', '华瑞', '天成', '鼎新', '博远', '宏达', '金桥', '启明', '卓越', '联创', '瑞丰', '正泰', '海纳', '星辰', '远景', '嘉禾', '盛世', '中科', '汇通', '凯盛', '锦程', '同方', '信达', '东方', '新元', '智远', '万象', '安泰', '德润', '云帆'];
const BRAND_CHARS = '华瑞恒信天成鼎新博远宏达金桥启明卓越联创丰正泰海纳星辰景嘉禾盛世中科汇通凯锦程同方东元智万象安德润昌隆泽宇弘毅嘉航富源永康鸿晟';
const INDUSTRY_WORDS: Record<string, string[]> = {
  it: ['软件', '信息技术', '网络科技', '数据科技', '智能科技'],
  manufacturing: ['机械制造', '精密仪器', '电子', '新材料', '汽车零部件'],
  finance: ['投资管理', '融资租赁', '保险代理'],
  retail: ['商贸', '百货', '连锁超市', '电子商务'],
  healthcare: ['医疗器械', '生物科技', '医药'],
  education: ['教育科技', '职业培训'],
  construction: ['建设工程', '置业', '装饰工程'],
  energy: ['新能源', '电力设备', '光伏科技'],
  logistics: ['物流', '供应链管理', '货运代理'],
  agriculture: ['农业科技', '生态农业', '食品'],
  media: ['文化传媒', '广告', '影视'],
  other: ['咨询服务', '实业'],
};
const GOVERNMENT_UNITS = ['教育局', '交通运输局', '卫生健康委员会', '人民医院', '公共资源交易中心', '住房和城乡建设局', '自来水公司', '第一中学'];
const LEGAL = ['有限公司', '有限公司', '有限公司', '股份有限公司', '有限责任公司', '集团有限公司'];
const STREETS = ['人民路', '建设路', '中山路', '解放路', '长江路', '科技园路', '高新大道', '南京路', '文三路', '创业路', '滨江大道', '学院路'];
const TAGS = ['重点客户', '战略合作', '老客户转介绍', '展会2025', '招投标', 'VIP', '需回访', '价格敏感', '决策链长', '年度框架'];
const NOTES = ['年初有采购计划，预算待批。', '对价格敏感，关注售后服务响应时间。', '决策人是分管副总，采购部负责比价。', '去年合作过一期项目，回款及时。', '需要在下季度安排上门拜访。', ''];
const SOURCES = ['referral', 'exhibition', 'website', 'cold_call', 'campaign', 'other'];
const SIZES = ['1-49', '50-199', '200-999', '1000+', ''];
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** Customers the demo walks through (the README and the browser tests refer to some of them). */
const FEATURED = [
  { name: '深圳华为技术有限公司', short: '华为', industry: 'it', city: 2, grade: 'A', lifecycle: 'loyal', tags: ['重点客户', '战略合作'] },
  { name: '杭州海康智能科技有限公司', short: '海康智能', industry: 'it', city: 4, grade: 'A', lifecycle: 'retained', tags: ['重点客户'] },
  { name: '苏州工业园区精工机械有限公司', short: '精工机械', industry: 'manufacturing', city: 7, grade: 'B', lifecycle: 'satisfied', tags: ['年度框架'] },
  { name: '上海张江生物医药股份有限公司', short: '张江生物', industry: 'healthcare', city: 1, grade: 'B', lifecycle: 'new', tags: ['展会2025'] },
  { name: '南京长江物流有限公司', short: '长江物流', industry: 'logistics', city: 6, grade: 'C', lifecycle: 'prospect', tags: [] },
];

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
function weighted<T>(r: () => number, items: [T, number][]): T {
  let x = r() * items.reduce((s, [, w]) => s + w, 0);
  for (const [v, w] of items) if ((x -= w) < 0) return v;
  return items[items.length - 1]![0];
}

/** A well-formed code: 91 = an enterprise registered with market regulation, 11 = a government body. */
function creditCode(r: () => number, region: string, kind: '91' | '11'): string {
  let body = `${kind}${region}`;
  for (let i = 0; i < 9; i++) body += ALPHABET[Math.floor(r() * (i === 8 ? 10 : 31))];
  return body + creditCodeCheckChar(body)!;
}

/**
 * The demo's customers: ~300 across industries and provinces (about 10% in the public pool), with tags, grades and
 * lifecycle stages spread as a real book of business; at large scale 100,000 more. Bulk rows go through prepared
 * statements on the seed's open transaction.
 */
export async function seedCustomers(ctx: SeedContext): Promise<void> {
  const r = ctx.random;
  const now = ctx.now.getTime();
  const DAY = 86_400_000;
  const iso = (t: number) => new Date(t).toISOString();
  const insert = ctx.sqlite.prepare(
    `insert into customers (name, short_name, type, credit_code, industry, province, city, address, postal_code, phone, website, size, source, grade, lifecycle, notes, owner_id, pooled_at, last_activity_at, created_by, created_at, updated_at)
     values (@name, @short_name, @type, @credit_code, @industry, @province, @city, @address, @postal_code, @phone, @website, @size, @source, @grade, @lifecycle, @notes, @owner_id, @pooled_at, null, @owner_id, @created_at, @updated_at)`,
  );
  const insertTag = ctx.sqlite.prepare('insert or ignore into customer_tags (customer_id, tag) values (?, ?)');
  const insertAudit = ctx.sqlite.prepare(
    `insert into audit_log (at, actor_id, action, entity, entity_id, summary, changes, ip) values (?, ?, 'create', 'customer', ?, ?, ?, '')`,
  );
  const demoOwners = ctx.owners.filter((id) => [...ctx.users.values()].some((u) => u.id === id));
  const rep1 = ctx.users.get('rep1')?.id ?? ctx.owners[0]!;

  function make(i: number, owners: number[], large: boolean, featured?: (typeof FEATURED)[number]) {
    const place = featured ? CITIES[featured.city]! : pick(r, CITIES);
    const type = featured ? 'enterprise' : weighted(r, [['enterprise', 90], ['government', 6], ['individual', 4]]);
    const industry = featured?.industry ?? (type === 'government' ? 'government' : pick(r, Object.keys(INDUSTRY_WORDS)));
    let name: string;
    let short = '';
    if (featured) {
      name = featured.name;
      short = featured.short;
    } else if (type === 'government') {
      name = `${place.city}市${pick(r, GOVERNMENT_UNITS)}`;
    } else if (type === 'individual') {
      name = chineseName(r);
    } else {
      const brand = large ? pick(r, [...BRAND_CHARS]) + pick(r, [...BRAND_CHARS]) : pick(r, BRANDS);
      const prefix = r() < 0.4 ? `${place.city}市` : place.city;
      name = `${prefix}${brand}${pick(r, INDUSTRY_WORDS[industry] ?? INDUSTRY_WORDS.other!)}${pick(r, LEGAL)}`;
      short = r() < 0.5 ? brand : '';
    }
    const pooled = !featured && r() < 0.1;
    const owner = featured ? rep1 : pooled ? null : pick(r, owners);
    const created = now - Math.floor((30 + r() * 700) * DAY);
    // Most owned customers were touched in the last few weeks; about 5% have gone quiet for over a month.
    const updated = pooled ? now - Math.floor(r() * 60 * DAY) : r() < 0.05 ? now - Math.floor((31 + r() * 60) * DAY) : now - Math.floor(r() * 25 * DAY);
    const phone = type === 'individual' ? `1${pick(r, ['3', '5', '7', '8', '9'])}${String(Math.floor(r() * 1e9)).padStart(9, '0')}` : `${place.area}-${String(Math.floor(60000000 + r() * 29999999))}`;
    return {
      row: {
        name,
        short_name: short,
        type,
        credit_code: type === 'individual' ? null : creditCode(r, place.region, type === 'government' ? '11' : '91'),
        industry,
        province: place.province,
        city: place.city,
        address: `${place.city}市${pick(r, STREETS)}${1 + Math.floor(r() * 899)}号${r() < 0.5 ? `${1 + Math.floor(r() * 30)}楼` : ''}`,
        postal_code: `${place.postal}${String(Math.floor(r() * 1000)).padStart(3, '0')}`,
        phone,
        website: type === 'enterprise' && r() < 0.3 ? `www.${Array.from({ length: 4 }, () => pick(r, [...'abcdefghjkmnpqrstwxyz'])).join('')}.com.cn` : '',
        size: type === 'individual' ? '' : pick(r, SIZES),
        source: pick(r, SOURCES),
        grade: featured?.grade ?? weighted(r, [['A', 15], ['B', 35], ['C', 50]]),
        lifecycle: featured?.lifecycle ?? weighted(r, [['prospect', 30], ['new', 25], ['satisfied', 20], ['retained', 15], ['loyal', 10]]),
        notes: large ? '' : pick(r, NOTES),
        owner_id: owner,
        pooled_at: pooled ? iso(updated) : null,
        created_at: iso(Math.min(created, updated)),
        updated_at: iso(updated),
      },
      tags: featured?.tags ?? (r() < 0.45 ? [pick(r, TAGS), ...(r() < 0.3 ? [pick(r, TAGS)] : [])] : []),
      i,
    };
  }

  const small = 300;
  for (let i = 0; i < small; i++) {
    const { row, tags } = make(i, demoOwners.length > 0 ? demoOwners : ctx.owners, false, FEATURED[i]);
    const id = Number(insert.run(row).lastInsertRowid);
    for (const tag of tags) insertTag.run(id, tag);
    insertAudit.run(row.created_at, row.owner_id, id, row.name, JSON.stringify({ name: [null, row.name], owner_id: [null, row.owner_id] }));
  }
  if (ctx.scale === 'large') {
    for (let i = 0; i < 100_000; i++) {
      const { row, tags } = make(i, ctx.owners, true);
      const id = Number(insert.run(row).lastInsertRowid);
      for (const tag of tags) insertTag.run(id, tag);
    }
  }
}
