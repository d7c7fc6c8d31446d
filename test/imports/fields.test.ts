import { describe, expect, it } from 'vitest';
import { autoMapping, cellText, normaliseDate, normaliseHeader, rowValues } from '../../src/features/imports/fields.ts';
import { detectFormat } from '../../src/features/imports/upload.ts';

describe('automatic column mapping', () => {
  it('matches Chinese headers and their synonyms, ignoring marks and hints', () => {
    expect(autoMapping('customers', ['*公司名称', '信用代码（18位）', '联系电话', '所属行业', '客户级别'])).toEqual({ name: 0, credit_code: 1, phone: 2, industry: 3, grade: 4 });
    expect(autoMapping('contacts', ['姓名', '手机号码', '电子邮件', '微信号', '出生日期'])).toEqual({ name: 0, mobile: 1, email: 2, wechat: 3, birthday: 4 });
  });

  it('matches English headers case- and space-insensitively', () => {
    expect(autoMapping('customers', ['Company Name', 'CREDIT CODE', 'Tel', 'Zip Code'])).toEqual({ name: 0, credit_code: 1, phone: 2, postal_code: 3 });
    expect(autoMapping('leads', ['Full Name', 'Company', 'Mobile Phone', 'E-mail'])).toEqual({ person: 0, company: 1, mobile: 2, email: 3 });
  });

  it('gives a column to the field that names it exactly, not to a generic synonym', () => {
    // 名称 is a generic synonym of name; 客户名称 is its exact one; 公司 is the contact's customer.
    expect(autoMapping('customers', ['名称', '客户名称'])).toEqual({ name: 1 });
    expect(autoMapping('contacts', ['联系人', '公司'])).toEqual({ name: 0, customer: 1 });
  });

  it('normalises headers', () => {
    expect(normaliseHeader(' 手机 号码 ')).toBe('手机号码');
    expect(normaliseHeader('Ｅｍａｉｌ')).toBe('email');
  });
});

describe('cells', () => {
  it('keeps formula-looking text as text and drops the apostrophe that protected it', () => {
    expect(cellText('=SUM(A1:A3)')).toBe('=SUM(A1:A3)');
    expect(cellText("'=SUM(A1:A3)")).toBe('=SUM(A1:A3)');
    expect(cellText("'+8613812345678")).toBe('+8613812345678');
    expect(cellText("'abc")).toBe("'abc");
  });

  it('reads dates as people and Excel write them', () => {
    expect(normaliseDate('1985/3/12')).toBe('1985-03-12');
    expect(normaliseDate('1985年3月2日')).toBe('1985-03-02');
    expect(normaliseDate('1985.12.01')).toBe('1985-12-01');
    expect(normaliseDate('Tue Mar 12 1985 00:00:00 GMT+0000 (Coordinated Universal Time)')).toBe('1985-03-12');
    expect(normaliseDate('下周')).toBe('下周');
  });

  it('turns labels into codes: 政府机构 → government, B类 → B, 广东省 → 广东, 1–49 人 → 1-49', () => {
    const v = rowValues('customers', { type: 0, grade: 1, province: 2, size: 3, source: 4, industry: 5 }, ['政府机构', 'B类', '广东省', '1–49 人', 'Cold call', '互联网']);
    expect(v).toEqual({ type: 'government', grade: 'B', province: '广东', size: '1-49', source: 'cold_call', industry: 'it' });
    expect(rowValues('customers', { type: 0 }, ['外星企业'])).toEqual({ type: '外星企业' }); // unknown: left for the schema to refuse
  });

  it('tells files apart by content', () => {
    expect(detectFormat(Buffer.from('504b030414000000', 'hex'))).toBe('xlsx');
    expect(detectFormat(Buffer.from('d0cf11e0a1b11ae1000000', 'hex'))).toBeNull(); // old binary .xls
    expect(detectFormat(Buffer.from([0xef, 0xbb, 0xbf, 0x61]))).toBe('csvUtf8Bom');
    expect(detectFormat(Buffer.from('名称\n', 'utf8'))).toBe('csvUtf8');
    expect(detectFormat(Buffer.from([0xc3, 0xfb, 0xb3, 0xc6, 0x0a]))).toBe('csvGb18030');
  });
});

describe('templates', () => {
  it('map themselves: every field label, in both languages, is one of its own synonyms', async () => {
    const { messages } = await import('../../src/i18n/index.ts');
    const { TARGET_FIELDS, IMPORT_ENTITIES } = await import('../../src/features/imports/fields.ts');
    for (const lang of ['zh-CN', 'en'] as const) {
      for (const entity of IMPORT_ENTITIES) {
        const labels = messages(lang).imports.fields[entity] as Record<string, string>;
        const headers = TARGET_FIELDS[entity].map((f) => labels[f.key]!);
        const expected = Object.fromEntries(TARGET_FIELDS[entity].map((f, i) => [f.key, i]));
        expect({ lang, entity, mapping: autoMapping(entity, headers) }).toEqual({ lang, entity, mapping: expected });
      }
    }
  });
});
