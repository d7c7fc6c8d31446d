import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatter } from '../../src/lib/format.ts';
import { dayRangeUtc, isIsoDate } from '../../src/lib/dates.ts';
import { optionalMobile, optionalPhone, optionalPostalCode, parseForm, requiredText } from '../../src/lib/validation.ts';
import { fill, languageFromHeader, messages } from '../../src/i18n/index.ts';
import { likeContains } from '../../src/db/search.ts';
import { diff } from '../../src/audit/index.ts';

describe('format', () => {
  it('formats fen as money, and times in the given zone', () => {
    const zh = formatter('zh-CN', 'Asia/Shanghai');
    expect(zh.money(1234567)).toBe('¥12,345.67');
    expect(zh.money(5)).toBe('¥0.05');
    expect(zh.dateTime('2026-11-26T16:05:00.000Z')).toBe('2026-11-27 00:05');
    expect(zh.date('2026-11-26T16:05:00.000Z')).toBe('2026-11-27');
    expect(formatter('en', 'UTC').dateTime('2026-11-26T16:05:00.000Z')).toBe('2026-11-26 16:05');
    expect(zh.dateTime(null)).toBe('');
  });

  it('writes money a reader skims in 万 and 亿 for Chinese readers from ¥10,000 up', () => {
    const zh = formatter('zh-CN', 'Asia/Shanghai');
    expect(zh.brief(125_000_00)).toBe('¥12.5万');
    expect(zh.brief(300_000_00)).toBe('¥30万');
    expect(zh.brief(-125_000_00)).toBe('-¥12.5万');
    expect(zh.brief(9_999_00)).toBe('¥9,999.00');
    expect(zh.brief(17_175_925_000_00)).toBe('¥171.8亿'); // not ¥1717592.5万
    expect(zh.brief(100_000_000_00)).toBe('¥1亿');
    expect(zh.brief(99_999_000_00)).toBe('¥9999.9万');
    expect(formatter('en', 'UTC').brief(125_000_00)).toMatch(/125,000\.00/);
  });
});

describe('dates', () => {
  it('turns local days into UTC ranges', () => {
    expect(dayRangeUtc('2026-03-02', '2026-03-02', 'Asia/Shanghai')).toEqual({ start: '2026-03-01T16:00:00.000Z', end: '2026-03-02T16:00:00.000Z' });
    expect(dayRangeUtc('bad', undefined, 'Asia/Shanghai')).toEqual({});
    expect(isIsoDate('2026-02-30')).toBe(false);
    expect(isIsoDate('2024-02-29')).toBe(true);
  });
});

describe('validation', () => {
  const t = messages('zh-CN');
  it('translates issues to messages of the user language', () => {
    const schema = z.object({ name: requiredText(5), mobile: optionalMobile, zip: optionalPostalCode, phone: optionalPhone });
    const r = parseForm(schema, { name: '这个名字太长了', mobile: '1381234567', zip: '31001a', phone: 'abc' }, t);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.name).toBe('不能超过 5 个字符');
      expect(r.errors.mobile).toContain('手机号码');
      expect(r.errors.zip).toBe('邮政编码为 6 位数字');
      expect(r.errors.phone).toBe('请输入有效的电话号码');
    }
    const en = parseForm(schema, {}, messages('en'));
    expect(!en.ok && en.errors.name).toBe('Required');
    const ok = parseForm(schema, { name: ' 张三 ', mobile: '13812345678', zip: '', phone: '0571-8888 6666' }, t);
    expect(ok).toEqual({ ok: true, data: { name: '张三', mobile: '13812345678', zip: '', phone: '0571-8888 6666' } });
  });
});

describe('i18n', () => {
  it('has every zh-CN key in en (compile-time too) and fills placeholders', () => {
    const keys = (o: object, p = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === 'string' ? [p + k] : keys(v as object, `${p}${k}.`)));
    expect(keys(messages('en')).sort()).toEqual(keys(messages('zh-CN')).sort());
    expect(fill('共 {n} 条', { n: 3 })).toBe('共 3 条');
    expect(languageFromHeader('en-US,en;q=0.9')).toBe('en');
    expect(languageFromHeader('zh-CN,zh;q=0.9')).toBe('zh-CN');
    expect(languageFromHeader(undefined)).toBe('zh-CN');
  });
});

describe('search and audit helpers', () => {
  it('escapes LIKE wildcards', () => {
    expect(likeContains('50%_off')).toBe('%50\\%\\_off%');
  });
  it('diffs records field by field, leaving out secrets and timestamps', () => {
    expect(diff({ a: 1, b: 'x', password_hash: 'h', updated_at: '1' }, { a: 2, b: 'x', password_hash: 'k', updated_at: '2' })).toEqual({ a: [1, 2] });
    expect(diff(null, { name: '部' })).toEqual({ name: [null, '部'] });
  });
});
