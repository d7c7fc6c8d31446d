import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { readSheet, toCsv, toXlsx } from '../../src/lib/spreadsheet.ts';

const cols = [
  { header: '客户名称', value: (r: { name: string; id: string }) => r.name },
  { header: '证件号', value: (r: { name: string; id: string }) => r.id },
];
const rows = [
  { name: '深圳华为技术有限公司', id: '440301199001011234' },
  { name: '=HYPERLINK("http://x")', id: '0012345678901234567' },
];

describe('spreadsheets', () => {
  it('writes CSV with BOM, CRLF, full quoting and formula neutralising, and reads it back', async () => {
    const csv = toCsv(rows, cols);
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = csv.subarray(3).toString('utf8');
    expect(text).toContain('"客户名称","证件号"\r\n');
    expect(text).toContain(`"'=HYPERLINK(""http://x"")"`);
    const back = await readSheet(csv);
    expect(back.headers).toEqual(['客户名称', '证件号']);
    expect(back.rows[0]).toEqual(['深圳华为技术有限公司', '440301199001011234']);
  });

  it('reads GBK/GB18030 CSV as saved by Chinese Excel', async () => {
    const gbk = iconv.encode('客户名称,电话\r\n腾讯科技,0755-86013388\r\n', 'gbk');
    const sheet = await readSheet(gbk);
    expect(sheet.headers).toEqual(['客户名称', '电话']);
    expect(sheet.rows).toEqual([['腾讯科技', '0755-86013388']]);
  });

  it('round-trips xlsx keeping long digit strings as text', async () => {
    const xlsx = await toXlsx(rows, cols, '客户');
    const back = await readSheet(xlsx);
    expect(back.headers).toEqual(['客户名称', '证件号']);
    expect(back.rows[1]![1]).toBe('0012345678901234567');
    expect(back.rows[1]![0]).toBe(`'=HYPERLINK("http://x")`);
  });
});
