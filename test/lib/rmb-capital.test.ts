import { describe, expect, it } from 'vitest';
import { rmbCapital } from '../../src/lib/rmb-capital.ts';

// Expectations written by hand from the People's Bank of China's filling rules (see the module's comment).
describe('人民币大写', () => {
  it('writes the example from the issue', () => {
    expect(rmbCapital(1_234_567)).toBe('壹万贰仟叁佰肆拾伍元陆角柒分');
  });
  it('writes 零元整 for zero and 整 where there are no jiao and fen', () => {
    expect(rmbCapital(0)).toBe('零元整');
    expect(rmbCapital(50_000)).toBe('伍佰元整');
    expect(rmbCapital(100)).toBe('壹元整');
    expect(rmbCapital(1_600)).toBe('壹拾陆元整');
    expect(rmbCapital(1_000)).toBe('壹拾元整');
  });
  it('handles amounts below one yuan', () => {
    expect(rmbCapital(56)).toBe('伍角陆分');
    expect(rmbCapital(5)).toBe('伍分');
    expect(rmbCapital(50)).toBe('伍角整');
    expect(rmbCapital(1)).toBe('壹分');
  });
  it('collapses runs of zeros into one 零', () => {
    expect(rmbCapital(100_500)).toBe('壹仟零伍元整');
    expect(rmbCapital(100_005)).toBe('壹仟元零伍分');
    expect(rmbCapital(105)).toBe('壹元零伍分');
    expect(rmbCapital(168_032)).toBe('壹仟陆佰捌拾元叁角贰分');
    expect(rmbCapital(10_700_053)).toBe('壹拾万柒仟元伍角叁分');
    expect(rmbCapital(1_001_000)).toBe('壹万零壹拾元整');
    expect(rmbCapital(3_250_090)).toBe('叁万贰仟伍佰元玖角整');
  });
  it('crosses the 万 and 亿 boundaries', () => {
    expect(rmbCapital(1_000_000)).toBe('壹万元整');
    expect(rmbCapital(999_999)).toBe('玖仟玖佰玖拾玖元玖角玖分');
    expect(rmbCapital(1_000_100)).toBe('壹万零壹元整');
    expect(rmbCapital(10_000_000_000)).toBe('壹亿元整');
    expect(rmbCapital(10_001_000_000)).toBe('壹亿零壹万元整');
    expect(rmbCapital(10_000_000_100)).toBe('壹亿零壹元整');
    expect(rmbCapital(12_345_678_900)).toBe('壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元整');
    expect(rmbCapital(1_000_000_000_000)).toBe('壹佰亿元整');
    expect(rmbCapital(100_000_000_000_000)).toBe('壹万亿元整');
    expect(rmbCapital(20_005_000_000)).toBe('贰亿零伍万元整');
    expect(rmbCapital(20_050_000_000)).toBe('贰亿零伍拾万元整');
  });
  it('marks negative amounts with 负 and refuses non-integers', () => {
    expect(rmbCapital(-1_600)).toBe('负壹拾陆元整');
    expect(() => rmbCapital(1.5)).toThrow(RangeError);
  });
});
