import { describe, expect, it } from 'vitest';
import { fenToYuanInput, parseYuanToFen } from '../../src/lib/money.ts';

describe('parseYuanToFen', () => {
  it('parses yuan with separators and decimals into integer fen', () => {
    expect(parseYuanToFen('1,234.5')).toBe(123450);
    expect(parseYuanToFen('12,345.67')).toBe(1234567);
    expect(parseYuanToFen('0.1')).toBe(10);
    expect(parseYuanToFen('0.29')).toBe(29);
    expect(parseYuanToFen('800')).toBe(80000);
    expect(parseYuanToFen('¥ 1,000,000')).toBe(100000000);
    expect(parseYuanToFen('１２３.４')).toBe(12340);
    expect(parseYuanToFen('5.')).toBe(500);
    expect(parseYuanToFen('0')).toBe(0);
  });
  it('refuses what is not an amount', () => {
    for (const bad of ['', 'abc', '-5', '1.234', '12,34', '1,2345', '1e5', '1.2.3', '100000000001', ',100']) expect(parseYuanToFen(bad), bad).toBeNull();
  });
  it('formats fen back for an input', () => {
    expect(fenToYuanInput(123450)).toBe('1234.50');
    expect(fenToYuanInput(5)).toBe('0.05');
  });
});
