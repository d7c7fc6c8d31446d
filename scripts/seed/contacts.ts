import type { SeedContext } from './context.ts';
import { chineseName } from './org.ts';

/** Places for public-relations contacts and for leads without a customer: province, city, postal code prefix, area code. */
export const PLACES = [
  { province: '北京', city: '北京', postal: '100', area: '010', street: '朝阳区建国路' },
  { province: '上海', city: '上海', postal: '200', area: '021', street: '浦东新区世纪大道' },
  { province: '广东', city: '深圳', postal: '518', area: '0755', street: '南山区科技园南路' },
  { province: '广东', city: '广州', postal: '510', area: '020', street: '天河区天河路' },
  { province: '浙江', city: '杭州', postal: '310', area: '0571', street: '西湖区文三路' },
  { province: '江苏', city: '南京', postal: '210', area: '025', street: '鼓楼区中山北路' },
  { province: '江苏', city: '苏州', postal: '215', area: '0512', street: '工业园区星湖街' },
  { province: '四川', city: '成都', postal: '610', area: '028', street: '武侯区天府大道' },
  { province: '湖北', city: '武汉', postal: '430', area: '027', street: '洪山区珞喻路' },
  { province: '山东', city: '青岛', postal: '266', area: '0532', street: '市南区香港中路' },
  { province: '陕西', city: '西安', postal: '710', area: '029', street: '雁塔区高新路' },
  { province: '福建', city: '厦门', postal: '361', area: '0592', street: '思明区鹭江道' },
] as const;

const TITLES = ['总经理', '副总经理', '采购经理', '采购专员', '技术总监', 'IT 经理', '财务总监', '行政主管', '项目经理', '销售总监', '董事长助理', '工程师', '运营经理', '法务专员'];
const DEPARTMENTS = ['采购部', '信息技术部', '财务部', '总经办', '行政部', '生产部', '研发中心', '市场部', '运营部', '法务部'];
const PR_ORGS = [
  ['市发展和改革委员会', '处长'],
  ['市工业和信息化局', '科长'],
  ['高新区管委会', '招商局局长'],
  ['市商务局', '副处长'],
  ['省软件行业协会', '秘书长'],
  ['市工商业联合会', '副主席'],
  ['财经日报', '记者'],
  ['市税务局', '科员'],
  ['海关', '关长助理'],
  ['中国银行分行', '客户经理'],
  ['会计师事务所', '合伙人'],
  ['律师事务所', '律师'],
] as const;
const KEY_DATES = ['结婚纪念日', '入职纪念日', '孩子生日', '公司周年庆'];
const PINYIN = ['wang', 'li', 'zhang', 'liu', 'chen', 'yang', 'huang', 'zhao', 'wu', 'zhou', 'xu', 'sun', 'ma', 'zhu', 'hu', 'guo', 'lin', 'luo', 'zheng', 'xie'];
const GIVEN_PINYIN = ['wei', 'fang', 'na', 'min', 'jing', 'qiang', 'lei', 'jun', 'yang', 'jie', 'tao', 'ming', 'chao', 'ping', 'gang', 'hao', 'xin', 'yu', 'hua', 'dong'];
const MAIL = ['163.com', '126.com', 'qq.com', 'sina.com', 'foxmail.com'];

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
const digits = (r: () => number, n: number): string => Array.from({ length: n }, () => Math.floor(r() * 10)).join('');
export const mobileOf = (r: () => number): string => `1${pick(r, ['3', '5', '7', '8', '9'])}${digits(r, 9)}`;
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * ~800 contacts (300,000 at large scale): most at the seeded customers (owned by the customer's owner, or by a rep when
 * the customer is in the pool), the rest public-relations contacts; about 60% with a birthday, some with key dates.
 * Run after the customers seed; with no customers, every contact is a public-relations one.
 */
export async function seedContacts(ctx: SeedContext): Promise<void> {
  const r = ctx.random;
  const total = ctx.scale === 'large' ? 300_000 : 800;
  const customers = ctx.sqlite.prepare('select id, name, owner_id, address, postal_code, phone from customers order by id').all() as {
    id: number;
    name: string;
    owner_id: number | null;
    address: string;
    postal_code: string;
    phone: string;
  }[];
  const owners = ctx.owners.length > 0 ? ctx.owners : [...ctx.users.values()].map((u) => u.id);
  if (owners.length === 0) return;

  const insert = ctx.sqlite.prepare(
    `insert into contacts (kind, customer_id, name, gender, title, department, organisation, mobile, phone, email, wechat, address, postal_code, birthday, notes, owner_id, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertKeyDate = ctx.sqlite.prepare('insert into contact_key_dates (contact_id, label, date, yearly) values (?, ?, ?, 1)');
  const now = ctx.now.getTime();
  const year = ctx.now.getUTCFullYear();

  for (let i = 0; i < total; i++) {
    const atCustomer = customers.length > 0 && r() < 0.85;
    const customer = atCustomer ? customers[Math.floor(r() * customers.length)]! : null;
    const place = pick(r, PLACES);
    const name = chineseName(r);
    const gender = r() < 0.5 ? 'male' : r() < 0.9 ? 'female' : '';
    const owner = customer?.owner_id ?? pick(r, owners);
    const pr = customer ? null : pick(r, PR_ORGS);
    const organisation = pr ? `${place.city}${pr[0]}` : '';
    const email = r() < 0.7 ? `${pick(r, PINYIN)}${pick(r, GIVEN_PINYIN)}${r() < 0.5 ? digits(r, 2) : ''}@${pick(r, MAIL)}` : '';
    const birthday = r() < 0.6 ? `${1960 + Math.floor(r() * 40)}-${pad(1 + Math.floor(r() * 12))}-${pad(1 + Math.floor(r() * 28))}` : null;
    const address = customer?.address || `${place.province === place.city ? '' : place.province + '省'}${place.city}市${place.street}${1 + Math.floor(r() * 300)}号`;
    const postal = customer?.postal_code || `${place.postal}${digits(r, 3)}`;
    const phone = r() < 0.4 ? `${place.area}-${digits(r, 8)}` : '';
    const created = new Date(now - Math.floor(r() * 540) * 86_400_000 - Math.floor(r() * 86_400_000)).toISOString();
    const updated = new Date(Math.min(now, Date.parse(created) + Math.floor(r() * 90) * 86_400_000)).toISOString();
    const { lastInsertRowid } = insert.run(
      customer ? 'customer' : 'public_relations',
      customer?.id ?? null,
      name,
      gender,
      pr ? pr[1] : pick(r, TITLES),
      pr ? '' : pick(r, DEPARTMENTS),
      organisation,
      r() < 0.9 ? mobileOf(r) : '',
      phone,
      email,
      r() < 0.5 ? `wx_${pick(r, PINYIN)}${digits(r, 4)}` : '',
      address,
      postal,
      birthday,
      r() < 0.15 ? pick(r, ['喜欢喝茶，不喝酒', '关键决策人', '逢年过节寄贺卡', '对价格敏感', '技术出身，重视方案细节']) : '',
      owner,
      created,
      updated,
    );
    if (r() < 0.12) insertKeyDate.run(Number(lastInsertRowid), pick(r, KEY_DATES), `${year - 1 - Math.floor(r() * 15)}-${pad(1 + Math.floor(r() * 12))}-${pad(1 + Math.floor(r() * 28))}`);
  }
}
