import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { nowIso } from '../../src/db/index.ts';
import { signIn, smallOrg, testApp, type Client, type TestApp } from '../helpers/app.ts';
import { batchIdOf, creditCode, csv, importFile, selectedMapping, upload, xlsx } from './support.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof smallOrg>>;
let rep1: Client;
let rep2: Client;
let manager1: Client;

beforeAll(async () => {
  t = await testApp();
  org = await smallOrg(t.db);
  rep1 = await signIn(t.app, 'rep1');
  rep2 = await signIn(t.app, 'rep2');
  manager1 = await signIn(t.app, 'manager1');
});
afterAll(async () => t.close());

// Each test starts without customers or contacts (the org and the signed-in sessions stay).
beforeEach(async () => {
  await t.db.deleteFrom('contacts').execute();
  await t.db.deleteFrom('customer_tags').execute();
  await t.db.deleteFrom('customers').execute();
  await sql`delete from import_batches`.execute(t.db);
});

const customers = () => t.db.selectFrom('customers').selectAll().orderBy('id').execute();
const CODE_A = creditCode('91110108MA01ABCD1');
const CODE_B = creditCode('91310115MA1K2L3M4');
const CODE_C = creditCode('91440300MA5F6G7H8');

async function newCustomer(values: { name: string; owner_id: number | null; credit_code?: string | null; phone?: string; address?: string }) {
  const now = nowIso();
  const row = await t.db
    .insertInto('customers')
    .values({ credit_code: null, ...values, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

function resultOf(location: string) {
  const q = new URL(location, 'http://x').searchParams;
  return { created: Number(q.get('created')), updated: Number(q.get('updated')), skipped: Number(q.get('skipped')), invalid: Number(q.get('invalid')) };
}

describe('import: file formats', () => {
  it('imports a UTF-8 CSV with BOM, auto-mapping Chinese headers, owned by the importer, audited and searchable', async () => {
    const file = csv(
      [
        ['客户名称', '统一社会信用代码', '客户类型', '电话', '省份', '价值等级', '生命周期', '标签', '备注'],
        ['北京字节跳动科技有限公司', CODE_A, '企业', '010-58341234', '北京市', 'A', '潜在', '重点，华北', '=1+2'],
        ['上海浦东软件园有限公司', CODE_B, '政府机构', '021-50801234', '上海', 'b', '新客户', '', "'=HYPERLINK(\"x\")"],
      ],
      { bom: true },
    );
    const up = await upload(rep1, 'customers', file);
    expect(up.statusCode).toBe(303);
    const id = batchIdOf(up);
    const page = await rep1.get(`/imports/customers/${id}/mapping`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('CSV（UTF-8，带 BOM）');
    expect(selectedMapping(page.body)).toMatchObject({ name: '0', credit_code: '1', type: '2', phone: '3', province: '4', grade: '5', lifecycle: '6', tags: '7', notes: '8', city: '' });

    const { run, location } = await importFile(rep1, 'customers', file);
    expect(run.statusCode).toBe(303);
    expect(resultOf(location)).toEqual({ created: 2, updated: 0, skipped: 0, invalid: 0 });
    const result = await rep1.get(location);
    expect(result.body).toContain('导入完成');
    expect(result.body).toMatch(/id="result-created">2</);
    expect(result.body).toContain('href="/customers"');

    const rows = await customers();
    expect(rows.map((r) => [r.name, r.credit_code, r.type, r.province, r.grade, r.lifecycle, r.owner_id, r.created_by])).toEqual([
      ['北京字节跳动科技有限公司', CODE_A, 'enterprise', '北京', 'A', 'prospect', org.users.rep1.id, org.users.rep1.id],
      ['上海浦东软件园有限公司', CODE_B, 'government', '上海', 'B', 'new', org.users.rep1.id, org.users.rep1.id],
    ]);
    // Formula-looking cells are plain text; the apostrophe that kept one as text is dropped.
    expect(rows.map((r) => r.notes)).toEqual(['=1+2', '=HYPERLINK("x")']);
    const tags = await t.db.selectFrom('customer_tags').select('tag').where('customer_id', '=', rows[0]!.id).orderBy('tag').execute();
    expect(tags.map((x) => x.tag).sort()).toEqual(['华北', '重点'].sort());
    const audits = await t.db.selectFrom('audit_log').select(['entity', 'action']).where('entity', 'in', ['customer', 'import']).where('actor_id', '=', org.users.rep1.id).execute();
    expect(audits.filter((a) => a.entity === 'customer' && a.action === 'create').length).toBeGreaterThanOrEqual(2);
    expect(audits.some((a) => a.entity === 'import')).toBe(true);
    const fts = await sql<{ n: number }>`select count(*) as n from customers_fts where customers_fts match '"字节跳动"'`.execute(t.db);
    expect(fts.rows[0]!.n).toBe(1);
    // The upload is gone once imported.
    expect((await rep1.get(`/imports/customers/${id}/preview`)).statusCode).toBe(200); // the first upload was never imported
    const left = await sql<{ n: number }>`select count(*) as n from import_batches`.execute(t.db);
    expect(left.rows[0]!.n).toBe(1);
  });

  it('imports a UTF-8 CSV without BOM with English headers', async () => {
    const file = csv([
      ['Company Name', 'Credit Code', 'Phone', 'Source', 'Grade', 'Industry', 'City'],
      ['Shenzhen Tencent Computer Systems Co., Ltd.', CODE_C, '0755-86013388', 'Exhibition', 'A', 'IT', '深圳'],
    ]);
    const up = await upload(rep1, 'customers', file);
    const page = await rep1.get(`/imports/customers/${batchIdOf(up)}/mapping`);
    expect(page.body).toContain('CSV（UTF-8）');
    expect(selectedMapping(page.body)).toMatchObject({ name: '0', credit_code: '1', phone: '2', source: '3', grade: '4', industry: '5', city: '6' });
    const { location } = await importFile(rep1, 'customers', file);
    expect(resultOf(location).created).toBe(1);
    const [c] = await customers();
    expect([c!.name, c!.source, c!.industry, c!.phone]).toEqual(['Shenzhen Tencent Computer Systems Co., Ltd.', 'exhibition', 'it', '0755-86013388']);
  });

  it('imports a GBK CSV as saved by Chinese Excel', async () => {
    const file = fs.readFileSync(path.join(import.meta.dirname, '../fixtures/imports/customers-gbk.csv'));
    expect(file.subarray(0, 2).toString('hex')).toBe('bfcd'); // 客 in GBK
    const up = await upload(rep1, 'customers', file);
    const page = await rep1.get(`/imports/customers/${batchIdOf(up)}/mapping`);
    expect(page.body).toContain('CSV（GBK/GB18030 编码）');
    expect(selectedMapping(page.body)).toMatchObject({ name: '0', credit_code: '1', industry: '2', province: '3', city: '4', phone: '5', grade: '6', notes: '7' });
    const { location } = await importFile(rep1, 'customers', file);
    expect(resultOf(location)).toEqual({ created: 3, updated: 0, skipped: 0, invalid: 0 });
    const rows = await customers();
    expect(rows.map((r) => [r.name, r.industry, r.province, r.grade])).toEqual([
      ['杭州西湖龙井茶业有限公司', 'agriculture', '浙江', 'A'],
      ['成都锦江文化传媒有限公司', 'media', '四川', 'B'],
      ['广州珠江物流股份有限公司', 'logistics', '广东', 'C'],
    ]);
    expect(rows[0]!.credit_code).toBe('91330106MA2H3K5L10');
  });

  it('imports an .xlsx workbook (by content: the name says .csv), keeping long digit strings as text', async () => {
    const file = await xlsx([
      ['公司名称', '信用代码', '手机', '地址', '邮编', '备注'],
      ['苏州工业园区纳米科技有限公司', CODE_A, '13812345678', '江苏省苏州市工业园区星湖街 328 号', '215123', '00123456789012345678'],
    ]);
    const up = await upload(rep1, 'customers', file, { filename: 'looks-like.csv' });
    const page = await rep1.get(`/imports/customers/${batchIdOf(up)}/mapping`);
    expect(page.body).toContain('Excel 工作簿（.xlsx）');
    const { location } = await importFile(rep1, 'customers', file);
    expect(resultOf(location).created).toBe(1);
    const [c] = await customers();
    expect([c!.name, c!.credit_code, c!.postal_code, c!.notes]).toEqual(['苏州工业园区纳米科技有限公司', CODE_A, '215123', '00123456789012345678']);
  });
});

describe('import: mapping and preview', () => {
  it('lets the user change the mapping and refuses a missing required field beside it', async () => {
    const file = csv([
      ['单位', '电话号码'],
      ['武汉光谷生物城有限公司', '027-87654321'],
    ]);
    const id = batchIdOf(await upload(rep1, 'customers', file));
    const page = await rep1.get(`/imports/customers/${id}/mapping`);
    expect(selectedMapping(page.body).name).toBe('');
    expect(page.body).toContain('武汉光谷生物城有限公司'); // the sample beside the header
    const refused = await rep1.post(`/imports/customers/${id}/mapping`, { map_phone: '1' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('请选择与「客户名称」对应的列');
    const twice = await rep1.post(`/imports/customers/${id}/mapping`, { map_name: '0', map_short_name: '0' });
    expect(twice.statusCode).toBe(422);
    expect(twice.body).toContain('「单位」已对应到另一个字段');
    const ok = await rep1.post(`/imports/customers/${id}/mapping`, { map_name: '0', map_phone: '1' });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe(`/imports/customers/${id}/preview`);
    const preview = await rep1.get(`/imports/customers/${id}/preview`);
    expect(preview.body).toMatch(/id="count-new">1</);
    expect(preview.body).toContain('027-87654321');
  });

  it('shows each row with its errors in the preview and imports only the valid rows', async () => {
    const file = csv([
      ['客户名称', '统一社会信用代码', '电话', '邮编', '价值等级'],
      ['南京紫金山科技有限公司', CODE_A, '025-84561234', '210000', 'A'],
      ['', '', '025-1', '', ''],
      ['合肥滨湖新区建设有限公司', '91340100MA2N0000XX', '', '2300', 'D'],
      ['西安高新技术产业有限公司', '', '', '', ''],
    ]);
    const id = batchIdOf(await upload(rep1, 'customers', file));
    const preview = await rep1.get(`/imports/customers/${id}/preview`);
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toMatch(/id="count-total">4</);
    expect(preview.body).toMatch(/id="count-new">2</);
    expect(preview.body).toMatch(/id="count-invalid">2</);
    // Row 3: name missing, bad phone; row 4: bad credit code, postal code and grade — each beside its row.
    const row3 = /<tr class="row-invalid" data-line="3">([\s\S]*?)<\/tr>/.exec(preview.body)?.[1] ?? '';
    expect(row3).toContain('客户名称：此项为必填');
    expect(row3).toContain('电话：请输入有效的电话号码');
    const row4 = /<tr class="row-invalid" data-line="4">([\s\S]*?)<\/tr>/.exec(preview.body)?.[1] ?? '';
    expect(row4).toContain('统一社会信用代码无效');
    expect(row4).toContain('邮政编码为 6 位数字');
    expect(row4).toContain('价值等级：输入无效');
    const onlyErrors = await rep1.get(`/imports/customers/${id}/preview?show=invalid`);
    expect(onlyErrors.body).not.toContain('data-line="2"');
    expect(onlyErrors.body).toContain('data-line="4"');

    const run = await rep1.post(`/imports/customers/${id}/records`, {});
    expect(resultOf(String(run.headers.location))).toEqual({ created: 2, updated: 0, skipped: 0, invalid: 2 });
    expect((await customers()).map((c) => c.name)).toEqual(['南京紫金山科技有限公司', '西安高新技术产业有限公司']);
  });

  it('pages the preview by row number', async () => {
    const rows = [['客户名称']];
    for (let i = 1; i <= 120; i++) rows.push([`测试客户${String(i).padStart(3, '0')}有限公司`]);
    const id = batchIdOf(await upload(rep1, 'customers', csv(rows)));
    const first = await rep1.get(`/imports/customers/${id}/preview`);
    expect(first.body).toContain('data-line="51"');
    expect(first.body).not.toContain('data-line="52"');
    expect(first.body).toContain(`href="/imports/customers/${id}/preview?from=51"`);
    const second = await rep1.get(`/imports/customers/${id}/preview?from=51`);
    expect(second.body).toContain('data-line="52"');
    expect(second.body).toContain('显示第 52–101 行，共 120 行');
  });
});

describe('import: duplicates', () => {
  const file = () =>
    csv([
      ['客户名称', '统一社会信用代码', '电话', '地址'],
      ['北京星河科技有限公司', CODE_A, '', '北京市海淀区中关村大街 1 号'],
      ['天津渤海船舶有限公司', '', '022-66001234', '天津市滨海新区'],
      ['重庆山城火锅有限公司', '', '', '重庆市渝中区解放碑'],
      ['全新客户有限公司', '', '', ''],
      ['全新客户有限公司', '', '', '重复的一行'],
    ]);

  async function existing() {
    return {
      byCode: await newCustomer({ name: '星河科技（旧名）', owner_id: org.users.rep1.id, credit_code: CODE_A, address: '旧地址' }),
      byPhone: await newCustomer({ name: '渤海船舶', owner_id: org.users.rep1.id, phone: '022-66001234' }),
      byName: await newCustomer({ name: '重庆山城火锅有限公司', owner_id: org.users.rep1.id, address: '旧地址' }),
      // rep2's customer with the same name as row 5: rep1 cannot see it, so it is no duplicate for rep1.
      others: await newCustomer({ name: '全新客户有限公司', owner_id: org.users.rep3.id }),
    };
  }

  it('finds duplicates by credit code, phone and exact name among visible customers and skips them', async () => {
    const ids = await existing();
    const up = await upload(rep1, 'customers', file());
    const id = batchIdOf(up);
    const preview = await rep1.get(`/imports/customers/${id}/preview`);
    expect(preview.body).toMatch(/id="count-duplicate">4</);
    expect(preview.body).toMatch(/id="count-new">1</);
    expect(preview.body).toContain('已有：星河科技（旧名）');
    expect(preview.body).toContain('已有：渤海船舶');
    expect(preview.body).toContain('与第 5 行重复');
    const run = await rep1.post(`/imports/customers/${id}/records`, { duplicates: 'skip' });
    expect(resultOf(String(run.headers.location))).toEqual({ created: 1, updated: 0, skipped: 4, invalid: 0 });
    const byCode = await t.db.selectFrom('customers').selectAll().where('id', '=', ids.byCode).executeTakeFirstOrThrow();
    expect([byCode.name, byCode.address]).toEqual(['星河科技（旧名）', '旧地址']);
    expect((await customers()).length).toBe(5);
  });

  it('updates duplicates with the non-empty cells of the file when asked, auditing each change', async () => {
    const ids = await existing();
    const { location } = await importFile(rep1, 'customers', file(), { duplicates: 'update' });
    expect(resultOf(location)).toEqual({ created: 1, updated: 3, skipped: 1, invalid: 0 });
    const after = await customers();
    const byCode = after.find((c) => c.id === ids.byCode)!;
    expect([byCode.name, byCode.address, byCode.credit_code]).toEqual(['北京星河科技有限公司', '北京市海淀区中关村大街 1 号', CODE_A]);
    const byPhone = after.find((c) => c.id === ids.byPhone)!;
    expect([byPhone.name, byPhone.address]).toEqual(['天津渤海船舶有限公司', '天津市滨海新区']);
    const byName = after.find((c) => c.id === ids.byName)!;
    expect(byName.address).toBe('重庆市渝中区解放碑');
    // Updating changes no owner.
    expect(byName.owner_id).toBe(org.users.rep1.id);
    const log = await t.db.selectFrom('audit_log').select('changes').where('entity', '=', 'customer').where('entity_id', '=', ids.byCode).where('action', '=', 'update').executeTakeFirstOrThrow();
    expect(JSON.parse(log.changes)).toMatchObject({ address: ['旧地址', '北京市海淀区中关村大街 1 号'] });
  });

  it('never updates a public-pool customer (it must be claimed first): it is skipped', async () => {
    const pooled = await newCustomer({ name: '重庆山城火锅有限公司', owner_id: null, address: '公海地址' });
    const f = csv([['客户名称', '地址'], ['重庆山城火锅有限公司', '新地址']]);
    const id = batchIdOf(await upload(rep1, 'customers', f));
    const preview = await rep1.get(`/imports/customers/${id}/preview`);
    expect(preview.body).toContain('公海客户，需先领取，将跳过');
    const run = await rep1.post(`/imports/customers/${id}/records`, { duplicates: 'update' });
    expect(resultOf(String(run.headers.location))).toEqual({ created: 0, updated: 0, skipped: 1, invalid: 0 });
    const c = await t.db.selectFrom('customers').select(['address', 'owner_id']).where('id', '=', pooled).executeTakeFirstOrThrow();
    expect(c).toEqual({ address: '公海地址', owner_id: null });
  });
});

describe('import: one transaction', () => {
  it('imports nothing when the last row fails on insert, and keeps the upload to try again', async () => {
    await sql`create trigger imports_test_boom before insert on customers when new.name = '最后一行会失败有限公司' begin select raise(abort, 'boom'); end`.execute(t.db);
    try {
      const before = await t.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const f = csv([['客户名称'], ['第一家有限公司'], ['第二家有限公司'], ['最后一行会失败有限公司']]);
      const id = batchIdOf(await upload(rep1, 'customers', f));
      const run = await rep1.post(`/imports/customers/${id}/records`, {});
      expect(run.statusCode).toBe(303);
      expect(run.headers.location).toBe(`/imports/customers/${id}/preview`);
      expect(await customers()).toEqual([]);
      const after = await t.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
      const page = await rep1.get(`/imports/customers/${id}/preview`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('导入失败，没有导入任何记录');
    } finally {
      await sql`drop trigger imports_test_boom`.execute(t.db);
    }
  });

  it('imports a batch once: a second submit finds it gone', async () => {
    const id = batchIdOf(await upload(rep1, 'customers', csv([['客户名称'], ['只导入一次有限公司']])));
    expect((await rep1.post(`/imports/customers/${id}/records`, {})).statusCode).toBe(303);
    expect((await rep1.post(`/imports/customers/${id}/records`, {})).statusCode).toBe(404);
    expect((await customers()).length).toBe(1);
  });
});

describe('import: who may do what', () => {
  it('a rep cannot import into another rep’s name', async () => {
    const id = batchIdOf(await upload(rep1, 'customers', csv([['客户名称'], ['别人名下有限公司']])));
    const preview = await rep1.get(`/imports/customers/${id}/preview`);
    expect(preview.body).not.toContain('name="owner_id"'); // a rep has no choice to make
    const res = await rep1.post(`/imports/customers/${id}/records`, { owner_id: String(org.users.rep2.id) });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('只能选择您权限范围内的负责人');
    expect(await customers()).toEqual([]);
  });

  it('a manager may choose an owner in their department, not outside it', async () => {
    const id = batchIdOf(await upload(manager1, 'customers', csv([['客户名称'], ['经理分配有限公司']])));
    const preview = await manager1.get(`/imports/customers/${id}/preview`);
    expect(preview.body).toContain('name="owner_id"');
    const outside = await manager1.post(`/imports/customers/${id}/records`, { owner_id: String(org.users.rep3.id) });
    expect(outside.statusCode).toBe(422);
    const inside = await manager1.post(`/imports/customers/${id}/records`, { owner_id: String(org.users.rep2.id) });
    expect(inside.statusCode).toBe(303);
    const [c] = await customers();
    expect([c!.name, c!.owner_id, c!.created_by]).toEqual(['经理分配有限公司', org.users.rep2.id, org.users.manager1.id]);
  });

  it('an upload is private: another user gets 404 on every step', async () => {
    const id = batchIdOf(await upload(rep1, 'customers', csv([['客户名称'], ['私有上传有限公司']])));
    expect((await rep2.get(`/imports/customers/${id}/mapping`)).statusCode).toBe(404);
    expect((await rep2.get(`/imports/customers/${id}/preview`)).statusCode).toBe(404);
    expect((await rep2.post(`/imports/customers/${id}/mapping`, { map_name: '0' })).statusCode).toBe(404);
    expect((await rep2.post(`/imports/customers/${id}/records`, {})).statusCode).toBe(404);
    // Nor under another entity's URL.
    expect((await rep1.get(`/imports/contacts/${id}/preview`)).statusCode).toBe(404);
    expect(await customers()).toEqual([]);
  });

  it('an administrator has no imports (no business records); unknown entities are 404', async () => {
    const admin = await signIn(t.app, 'admin');
    expect((await admin.get('/imports/customers')).statusCode).toBe(404);
    expect((await rep1.get('/imports/users')).statusCode).toBe(404);
  });

  it('refuses every POST without the CSRF token', async () => {
    const noToken = await upload(rep1, 'customers', csv([['客户名称'], ['无令牌有限公司']]), { csrf: false });
    expect(noToken.statusCode).toBe(403);
    const id = batchIdOf(await upload(rep1, 'customers', csv([['客户名称'], ['无令牌有限公司']])));
    expect((await rep1.post(`/imports/customers/${id}/mapping`, { map_name: '0' }, { csrf: false })).statusCode).toBe(403);
    expect((await rep1.post(`/imports/customers/${id}/records`, {}, { csrf: false })).statusCode).toBe(403);
    expect(await customers()).toEqual([]);
  });
});

describe('import: limits and bad files', () => {
  it('refuses a file over 5 MB with a message beside the field', async () => {
    const big = Buffer.concat([Buffer.from('客户名称,备注\r\n'), Buffer.alloc(5 * 1024 * 1024 + 10, 0x61)]);
    const res = await upload(rep1, 'customers', big);
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('文件超过 5 MB');
  });

  it('refuses more than 20,000 rows', async () => {
    const lines = ['客户名称'];
    for (let i = 0; i < 20_001; i++) lines.push(`客户${i}`);
    const res = await upload(rep1, 'customers', Buffer.from(lines.join('\n')));
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('文件有 20,001 行数据，超过每次 20,000 行的上限');
  });

  it('refuses binaries, empty files and header-only files', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    expect((await upload(rep1, 'customers', png, { filename: 'a.csv' })).body).toContain('无法读取该文件');
    expect((await upload(rep1, 'customers', Buffer.alloc(0))).body).toContain('请选择要上传的文件');
    const headerOnly = await upload(rep1, 'customers', csv([['客户名称']]));
    expect(headerOnly.statusCode).toBe(422);
    expect(headerOnly.body).toContain('没有数据行');
  });

  it('expires uploads after 24 hours', async () => {
    const id = batchIdOf(await upload(rep1, 'customers', csv([['客户名称'], ['过期有限公司']])));
    await sql`update import_batches set created_at = ${new Date(Date.now() - 25 * 3600 * 1000).toISOString()} where id = ${id}`.execute(t.db);
    expect((await rep1.get(`/imports/customers/${id}/preview`)).statusCode).toBe(404);
    await upload(rep1, 'customers', csv([['客户名称'], ['新上传有限公司']]));
    const left = await sql<{ id: number }>`select id from import_batches`.execute(t.db);
    expect(left.rows.map((r) => r.id)).not.toContain(id);
  });

  it('offers templates whose headers map themselves', async () => {
    const tpl = await rep1.get('/imports/customers/template.csv');
    expect(tpl.statusCode).toBe(200);
    expect(tpl.headers['content-type']).toContain('text/csv');
    const id = batchIdOf(await upload(rep1, 'customers', Buffer.concat([tpl.rawPayload, Buffer.from('"模板客户有限公司"\r\n')])));
    const mapping = selectedMapping((await rep1.get(`/imports/customers/${id}/mapping`)).body);
    expect(Object.values(mapping).every((v) => v !== '')).toBe(true);
  });
});

describe('import: contacts', () => {
  it('links contacts to visible customers by name, finds duplicates by mobile and reads Excel dates', async () => {
    const acme = await newCustomer({ name: '宁波港集团有限公司', owner_id: org.users.rep1.id });
    await newCustomer({ name: '看不见的客户有限公司', owner_id: org.users.rep3.id });
    const now = nowIso();
    await t.db.insertInto('contacts').values({ kind: 'public_relations', name: '老联系人', mobile: '13900000001', owner_id: org.users.rep1.id, created_at: now, updated_at: now }).execute();
    const file = await xlsx([
      ['姓名', '所属客户', '手机号', '职务', '生日', 'Email'],
      ['王芳', '宁波港集团有限公司', '13812345678', '采购经理', new Date(Date.UTC(1986, 4, 20)), 'wangfang@nbport.cn'],
      ['李强', '看不见的客户有限公司', '13812345679', '', '', ''],
      ['张伟', '', '13900000001', '总监', '1980年1月2日', ''],
      ['赵敏', '', '1381234', '', '', ''],
    ]);
    const id = batchIdOf(await upload(rep1, 'contacts', file));
    const mapping = selectedMapping((await rep1.get(`/imports/contacts/${id}/mapping`)).body);
    expect(mapping).toMatchObject({ name: '0', customer: '1', mobile: '2', title: '3', birthday: '4', email: '5' });
    const preview = await rep1.get(`/imports/contacts/${id}/preview`);
    expect(preview.body).toContain('找不到客户「看不见的客户有限公司」');
    expect(preview.body).toContain('请输入有效的手机号码');
    expect(preview.body).toContain('已有：老联系人');
    const run = await rep1.post(`/imports/contacts/${id}/records`, { duplicates: 'update' });
    expect(resultOf(String(run.headers.location))).toEqual({ created: 1, updated: 1, skipped: 0, invalid: 2 });
    const rows = await t.db.selectFrom('contacts').selectAll().orderBy('id').execute();
    expect(rows.map((r) => [r.name, r.kind, r.customer_id, r.mobile, r.birthday, r.owner_id])).toEqual([
      ['张伟', 'public_relations', null, '13900000001', '1980-01-02', org.users.rep1.id],
      ['王芳', 'customer', acme, '13812345678', '1986-05-20', org.users.rep1.id],
    ]);
  });
});

describe('import: leads', () => {
  it('imports leads, finding duplicates by mobile or e-mail (case-insensitive) among visible leads', async () => {
    await t.db.deleteFrom('leads').execute();
    const now = nowIso();
    const { id: old } = await t.db
      .insertInto('leads')
      .values({ person: '旧线索', email: 'Chen@Example.cn', owner_id: org.users.rep1.id, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    // rep3's lead with the same mobile: invisible to rep1, so no duplicate.
    await t.db.insertInto('leads').values({ person: '别人的线索', mobile: '13700000000', owner_id: org.users.rep3.id, created_at: now, updated_at: now }).execute();
    const file = csv([
      ['联系人', '公司名称', '手机', '邮箱', '线索来源', '所属行业', '省份'],
      ['陈静', '厦门鹭岛贸易有限公司', '', 'chen@example.cn', '展会', '零售', '福建省'],
      ['刘洋', '青岛啤酒花园有限公司', '13700000000', '', '陌生拜访', '', '山东'],
      ['孙丽', '', '13700000000', '', '', '', ''],
      ['周杰', '', '', 'bad-email', '', '', ''],
    ]);
    const id = batchIdOf(await upload(rep1, 'leads', file));
    const mapping = selectedMapping((await rep1.get(`/imports/leads/${id}/mapping`)).body);
    expect(mapping).toMatchObject({ person: '0', company: '1', mobile: '2', email: '3', source: '4', industry: '5', province: '6' });
    const preview = await rep1.get(`/imports/leads/${id}/preview`);
    expect(preview.body).toContain('已有：旧线索');
    expect(preview.body).toContain('与第 3 行重复');
    expect(preview.body).toContain('请输入有效的电子邮箱');
    const run = await rep1.post(`/imports/leads/${id}/records`, { duplicates: 'update' });
    expect(resultOf(String(run.headers.location))).toEqual({ created: 1, updated: 1, skipped: 1, invalid: 1 });
    const mine = await t.db.selectFrom('leads').selectAll().where('owner_id', '=', org.users.rep1.id).orderBy('id').execute();
    expect(mine.map((l) => [l.id === old, l.person, l.company, l.source, l.industry, l.province, l.status])).toEqual([
      [true, '陈静', '厦门鹭岛贸易有限公司', 'exhibition', 'retail', '福建', 'new'],
      [false, '刘洋', '青岛啤酒花园有限公司', 'cold_call', '', '山东', 'new'],
    ]);
  });
});

describe('import: size', () => {
  it('accepts files above the 1 MB form limit up to 5 MB', async () => {
    const rows = [['客户名称', '备注']];
    for (let i = 0; i < 9000; i++) rows.push([`批量导入客户${i}有限公司`, '备注'.repeat(60)]);
    const file = csv(rows);
    expect(file.length).toBeGreaterThan(2 * 1024 * 1024);
    const up = await upload(rep1, 'customers', file);
    expect(up.statusCode).toBe(303);
    const started = Date.now();
    const run = await rep1.post(`/imports/customers/${batchIdOf(up)}/records`, {});
    expect(resultOf(String(run.headers.location)).created).toBe(9000);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
