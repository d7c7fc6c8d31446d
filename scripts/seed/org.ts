import type { Db } from '../../src/db/index.ts';
import { nowIso } from '../../src/db/index.ts';
import type { Role } from '../../src/db/types.ts';
import { hashPassword } from '../../src/auth/password.ts';

export const DEMO_PASSWORD = 'demo12345';

export interface DemoLogin {
  username: string;
  name: string;
  role: Role;
  department: string | null;
}

/** The demo company's people: the logins the README lists. */
export const DEMO_LOGINS: DemoLogin[] = [
  { username: 'admin', name: '赵敏', role: 'admin', department: '信息技术部' },
  { username: 'gm', name: '陈建国', role: 'general_manager', department: '总经办' },
  { username: 'director', name: '李志强', role: 'sales_director', department: '销售中心' },
  { username: 'manager1', name: '王海燕', role: 'sales_manager', department: '华东销售部' },
  { username: 'manager2', name: '刘洋', role: 'sales_manager', department: '华南销售部' },
  { username: 'rep1', name: '张伟', role: 'sales_rep', department: '华东销售部' },
  { username: 'rep2', name: '周婷', role: 'sales_rep', department: '华东销售部' },
  { username: 'rep3', name: '吴刚', role: 'sales_rep', department: '华南销售部' },
  { username: 'rep4', name: '郑丽', role: 'sales_rep', department: '华南销售部' },
  { username: 'rep5', name: '孙浩', role: 'sales_rep', department: '华北销售部' },
  { username: 'rep6', name: '黄敏', role: 'sales_rep', department: '华北销售部' },
];

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN = ['伟', '芳', '娜', '秀英', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀兰', '霞', '平', '刚', '桂英', '晨', '浩然', '子涵', '欣怡', '梓轩', '一诺', '思远', '嘉怡', '宇航', '雨桐', '俊杰', '佳琪', '志远', '晓东', '海波', '丹丹', '建华'];

/** Deterministic pseudo-random numbers, so the demo and the bench dataset are the same on every machine. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function chineseName(r: () => number): string {
  return SURNAMES[Math.floor(r() * SURNAMES.length)]! + GIVEN[Math.floor(r() * GIVEN.length)]!;
}

async function insertDepartment(db: Db, name: string, parent: { id: number; path: string } | null, sort: number, now: string) {
  const { id } = await db
    .insertInto('departments')
    .values({ name, parent_id: parent?.id ?? null, path: '', sort_order: sort, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const path = `${parent?.path ?? '/'}${id}/`;
  await db.updateTable('departments').set({ path }).where('id', '=', id).execute();
  return { id, path };
}

/** The company, its org chart (3 sales departments under a sales centre) and the demo users. */
export async function seedOrg(db: Db, scale: 'small' | 'large'): Promise<void> {
  const now = nowIso();
  await db
    .insertInto('company')
    .values({
      id: 1,
      name: '杭州明道科技有限公司',
      address: '浙江省杭州市西湖区文三路 90 号东部软件园 3 号楼',
      postal_code: '310012',
      phone: '0571-8888 6666',
      tax_id: '91330106MA2B3C4D5E',
      bank_name: '招商银行杭州高新支行',
      bank_account: '571912345610801',
      time_zone: 'Asia/Shanghai',
      currency: 'CNY',
      created_at: now,
      updated_at: now,
    })
    .execute();

  const depts = new Map<string, { id: number; path: string }>();
  depts.set('总经办', await insertDepartment(db, '总经办', null, 1, now));
  const centre = await insertDepartment(db, '销售中心', null, 2, now);
  depts.set('销售中心', centre);
  depts.set('华东销售部', await insertDepartment(db, '华东销售部', centre, 1, now));
  depts.set('华南销售部', await insertDepartment(db, '华南销售部', centre, 2, now));
  depts.set('华北销售部', await insertDepartment(db, '华北销售部', centre, 3, now));
  depts.set('信息技术部', await insertDepartment(db, '信息技术部', null, 3, now));

  const hash = await hashPassword(DEMO_PASSWORD);
  const ids = new Map<string, number>();
  const r = rng(42);
  for (const login of DEMO_LOGINS) {
    const mobile = `13${String(Math.floor(r() * 1e9)).padStart(9, '0')}`;
    const { id } = await db
      .insertInto('users')
      .values({
        username: login.username,
        display_name: login.name,
        email: `${login.username}@mingdao-tech.cn`,
        phone: mobile,
        department_id: login.department ? depts.get(login.department)!.id : null,
        role: login.role,
        password_hash: hash,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.set(login.username, id);
  }
  const setManager = (dept: string, user: string) =>
    db.updateTable('departments').set({ manager_id: ids.get(user)! }).where('id', '=', depts.get(dept)!.id).execute();
  await setManager('总经办', 'gm');
  await setManager('销售中心', 'director');
  await setManager('华东销售部', 'manager1');
  await setManager('华南销售部', 'manager2');
  await setManager('华北销售部', 'director');
  await setManager('信息技术部', 'admin');

  if (scale === 'large') await seedLargeOrg(db, depts, hash, now);
}

/**
 * Benchmark scale: a company at the top of the product's range (PRODUCT.md: teams of 5–200) — 15 more branch
 * offices and 180 more people, who own the large record sets of the other modules.
 */
async function seedLargeOrg(db: Db, depts: Map<string, { id: number; path: string }>, hash: string, now: string) {
  const r = rng(7);
  const cities = ['上海', '南京', '苏州', '杭州', '宁波', '合肥', '广州', '深圳', '厦门', '福州', '南宁', '海口', '北京', '天津', '石家庄', '济南', '青岛'];
  const regions = ['华东销售部', '华南销售部', '华北销售部'];
  const offices: number[] = [];
  for (let i = 0; i < 15; i++) {
    const region = depts.get(regions[i % 3]!)!;
    const city = cities[i % cities.length]!;
    const office = await insertDepartment(db, `${city}${Math.floor(i / cities.length) + 1}组`, region, i, now);
    offices.push(office.id);
  }
  const rows = [];
  for (let i = 1; i <= 180; i++) {
    rows.push({
      username: `user${String(i).padStart(4, '0')}`,
      display_name: chineseName(r),
      email: `user${i}@mingdao-tech.cn`,
      phone: `139${String(Math.floor(r() * 1e8)).padStart(8, '0')}`,
      department_id: offices[i % offices.length]!,
      role: (i % 15 === 0 ? 'sales_manager' : 'sales_rep') as Role,
      active: i % 40 === 0 ? 0 : 1,
      password_hash: hash,
      created_at: now,
      updated_at: now,
    });
  }
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('users').values(rows.slice(i, i + 500)).execute();
}
