import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserEnv } from '../helpers/browser.ts';

let env: Awaited<ReturnType<typeof startBrowserEnv>>;
beforeAll(async () => {
  env = await startBrowserEnv();
});
afterAll(async () => env?.close());

// 单位 is no header the wizard knows, so the name column has to be chosen by hand; row 3 has a bad phone.
const CSV = [
  '单位,联系电话,省份,价值等级',
  '浏览器导入甲有限公司,0571-88886666,浙江省,A',
  '浏览器导入乙有限公司,12,江苏,B',
  '浏览器导入丙有限公司,020-66668888,广东,C',
].join('\r\n');

describe('importing customers in the browser', () => {
  it('uploads a CSV, fixes the mapping, previews one error row and imports the rest', async () => {
    const { page, context } = await env.newPage();
    await env.signIn(page, 'rep1');
    await page.goto(`${env.base}/imports/customers`);
    await env.seeText(page, 'h1', '导入客户');
    await page.setInputFiles('#f-file', { name: '客户.csv', mimeType: 'text/csv', buffer: Buffer.from('\ufeff' + CSV, 'utf8') });
    await page.click('#import-upload button[type=submit]');
    await page.waitForURL(/\/imports\/customers\/\d+\/mapping$/);
    await env.seeText(page, '#import-mapping', '3 行数据');

    // Nothing was matched to 客户名称: going on is refused beside the field, then the column is chosen.
    expect(await page.inputValue('#map-name')).toBe('');
    expect(await page.inputValue('#map-phone')).toBe('1');
    await page.click('#import-mapping button[type=submit]');
    await env.seeText(page, '#import-mapping .error', '请选择与「客户名称」对应的列');
    await page.selectOption('#map-name', '0');
    await page.click('#import-mapping button[type=submit]');
    await page.waitForURL(/\/imports\/customers\/\d+\/preview$/);

    await env.seeText(page, '#count-new', '2');
    await env.seeText(page, '#count-invalid', '1');
    await env.seeText(page, 'tr[data-line="3"]', '请输入有效的电话号码');
    await env.seeText(page, 'tr[data-line="2"]', '浙江');
    await page.click('#import-run button[type=submit]');
    await page.waitForURL(/\/imports\/customers\/result\?/);
    await env.seeText(page, '#result-created', '2');
    await env.seeText(page, '#result-invalid', '1');

    const rows = await env.db.selectFrom('customers').select(['name', 'province', 'grade']).where('name', 'like', '浏览器导入%').orderBy('name').execute();
    expect(rows).toEqual([
      { name: '浏览器导入丙有限公司', province: '广东', grade: 'C' },
      { name: '浏览器导入甲有限公司', province: '浙江', grade: 'A' },
    ]);
    await page.click('#import-result a.btn-primary');
    await page.waitForURL(`${env.base}/customers`);
    await context.close();
    expect(env.problems).toEqual([]);
  });
});
