import { describe, expect, it } from 'vitest';
import { discountBeyond, formatPercent, formatQuantity, lineAmounts, parsePercent, parseQuantity, quoteTotals, roundDiv } from '../../src/lib/quote-math.ts';

// Every expectation below is worked out by hand in the comment beside it.
describe('rounding', () => {
  it('rounds half away from zero', () => {
    expect(roundDiv(5n, 10n)).toBe(1n); // 0.5 → 1
    expect(roundDiv(4n, 10n)).toBe(0n); // 0.4 → 0
    expect(roundDiv(15n, 10n)).toBe(2n); // 1.5 → 2
    expect(roundDiv(25n, 10n)).toBe(3n); // 2.5 → 3 (not banker's 2)
    expect(roundDiv(-25n, 10n)).toBe(-3n);
  });
});

describe('a line, prices including VAT (含税)', () => {
  it('splits ¥113.00 at 13% into ¥100.00 + ¥13.00', () => {
    expect(lineAmounts({ quantityMilli: 1000, unitPriceFen: 11_300, discountBp: 0, taxRateBp: 1300 }, 'inclusive')).toMatchObject({ amountFen: 11_300, netFen: 10_000, taxFen: 1_300 });
  });
  it('rounds a 1/3 quantity once: 0.333 × ¥100.00 = ¥33.30; 0.667 × ¥0.10 = 6.67 fen → 7 fen', () => {
    expect(lineAmounts({ quantityMilli: 333, unitPriceFen: 10_000, discountBp: 0, taxRateBp: 1300 }, 'inclusive').amountFen).toBe(3_330);
    expect(lineAmounts({ quantityMilli: 667, unitPriceFen: 10, discountBp: 0, taxRateBp: 1300 }, 'inclusive').amountFen).toBe(7);
  });
  it('rounds 0.5 fen up: 1.5 × ¥0.01 = 1.5 fen → 2 fen; 2.5 fen → 3 fen', () => {
    expect(lineAmounts({ quantityMilli: 1500, unitPriceFen: 1, discountBp: 0, taxRateBp: 0 }, 'inclusive').amountFen).toBe(2);
    expect(lineAmounts({ quantityMilli: 2500, unitPriceFen: 1, discountBp: 0, taxRateBp: 0 }, 'inclusive').amountFen).toBe(3);
  });
  it('nets a 0.5-fen case: ¥0.17 at 13% → net 17/1.13 = 15.04 → 15 fen, tax 2 fen', () => {
    expect(lineAmounts({ quantityMilli: 1000, unitPriceFen: 17, discountBp: 0, taxRateBp: 1300 }, 'inclusive')).toMatchObject({ amountFen: 17, netFen: 15, taxFen: 2 });
  });
  it('applies the discount before rounding: 3 × ¥33.33 × (1 − 12.5%) = 87.49125 → ¥87.49', () => {
    const l = lineAmounts({ quantityMilli: 3000, unitPriceFen: 3_333, discountBp: 1250, taxRateBp: 600 }, 'inclusive');
    expect(l.amountFen).toBe(8_749);
    expect(l.netFen).toBe(8_254); // 8749 / 1.06 = 8253.77 → 8254
    expect(l.taxFen).toBe(495);
    expect(l.effectiveUnitFen).toBe(2_916); // 33.33 × 0.875 = 29.16375 → 29.16
  });
});

describe('a line, prices excluding VAT (不含税)', () => {
  it('adds 13% tax to ¥100.00', () => {
    expect(lineAmounts({ quantityMilli: 1000, unitPriceFen: 10_000, discountBp: 0, taxRateBp: 1300 }, 'exclusive')).toMatchObject({ netFen: 10_000, taxFen: 1_300, amountFen: 11_300, effectiveUnitFen: 11_300 });
  });
  it('rounds the tax on a 1/3 quantity: 0.333 × ¥10.00 = ¥3.33 net; tax 3.33 × 13% = 43.29 fen → 43', () => {
    expect(lineAmounts({ quantityMilli: 333, unitPriceFen: 1_000, discountBp: 0, taxRateBp: 1300 }, 'exclusive')).toMatchObject({ netFen: 333, taxFen: 43, amountFen: 376 });
  });
  it('rounds a tax of exactly 0.5 fen up: ¥0.50 at 1% = 0.5 fen → 1 fen', () => {
    expect(lineAmounts({ quantityMilli: 1000, unitPriceFen: 50, discountBp: 0, taxRateBp: 100 }, 'exclusive')).toMatchObject({ netFen: 50, taxFen: 1, amountFen: 51 });
  });
});

describe('floor price and list value', () => {
  it('is below the floor only when the discounted unit price with VAT is under it, compared exactly', () => {
    // ¥1,000 list, floor ¥900 (with VAT). 10% off ¥1,000 = ¥900: not below. 10.01% off: below.
    const base = { quantityMilli: 1000, unitPriceFen: 100_000, taxRateBp: 1300, listPriceFen: 100_000, floorPriceFen: 90_000 };
    expect(lineAmounts({ ...base, discountBp: 1000 }, 'inclusive').belowFloor).toBe(false);
    expect(lineAmounts({ ...base, discountBp: 1001 }, 'inclusive').belowFloor).toBe(true);
    // Exclusive: ¥796.46 net × 1.13 = ¥899.9998 → below ¥900 even though it rounds to ¥900.00.
    expect(lineAmounts({ ...base, unitPriceFen: 79_646, discountBp: 0 }, 'exclusive')).toMatchObject({ belowFloor: true, effectiveUnitFen: 90_000 });
    expect(lineAmounts({ ...base, unitPriceFen: 79_647, discountBp: 0 }, 'exclusive').belowFloor).toBe(false);
  });
  it('values a line at list price for the total discount, or at its own price without a product', () => {
    expect(lineAmounts({ quantityMilli: 2000, unitPriceFen: 80_000, discountBp: 0, taxRateBp: 1300, listPriceFen: 100_000 }, 'inclusive').listAmountFen).toBe(200_000);
    expect(lineAmounts({ quantityMilli: 2000, unitPriceFen: 10_000, discountBp: 2000, taxRateBp: 1300 }, 'exclusive').listAmountFen).toBe(22_600);
  });
});

describe('quote totals', () => {
  it('sums rounded lines with mixed tax rates (13%, 6%, 9%)', () => {
    const lines = [
      lineAmounts({ quantityMilli: 1000, unitPriceFen: 11_300, discountBp: 0, taxRateBp: 1300 }, 'inclusive'), // 100.00 + 13.00
      lineAmounts({ quantityMilli: 1000, unitPriceFen: 10_600, discountBp: 0, taxRateBp: 600 }, 'inclusive'), // 100.00 + 6.00
      lineAmounts({ quantityMilli: 333, unitPriceFen: 10_900, discountBp: 0, taxRateBp: 900 }, 'inclusive'), // 0.333 × 109 = 36.297 → 36.30; net 36.30/1.09 = 33.30, tax 3.00
    ];
    const t = quoteTotals(lines);
    expect(t).toMatchObject({ subtotalFen: 23_330, taxFen: 2_200, totalFen: 25_530 });
    expect(t.subtotalFen + t.taxFen).toBe(t.totalFen);
  });
  it('sums three thirds to the rounded thirds, not to the whole (one rule: lines first)', () => {
    const third = lineAmounts({ quantityMilli: 333, unitPriceFen: 100, discountBp: 0, taxRateBp: 0 }, 'exclusive'); // 33.3 fen → 33
    expect(quoteTotals([third, third, third]).totalFen).toBe(99);
  });
  it('computes the total discount against the list value and compares thresholds exactly', () => {
    const l = lineAmounts({ quantityMilli: 1000, unitPriceFen: 90_000, discountBp: 0, taxRateBp: 1300, listPriceFen: 100_000 }, 'inclusive');
    const t = quoteTotals([l]);
    expect(t.discountBp).toBe(1000);
    expect(discountBeyond(t, 1000)).toBe(false); // exactly 10% is not beyond 10%
    expect(discountBeyond(t, 999)).toBe(true);
    expect(quoteTotals([lineAmounts({ quantityMilli: 1000, unitPriceFen: 120_000, discountBp: 0, taxRateBp: 1300, listPriceFen: 100_000 }, 'inclusive')]).discountBp).toBe(0);
  });
  it('stays exact on large amounts (BigInt inside)', () => {
    const l = lineAmounts({ quantityMilli: 999_999_999, unitPriceFen: 100_000_000, discountBp: 1, taxRateBp: 1300 }, 'exclusive');
    expect(l.netFen).toBe(99_989_999_900_010); // 99,999,999,900,000 fen − 0.01% (9,999,999,990) — exact, no float drift
    expect(l.amountFen).toBe(l.netFen + l.taxFen);
  });
});

describe('parsing', () => {
  it('reads quantities with up to three decimals', () => {
    expect(parseQuantity('1.5')).toBe(1500);
    expect(parseQuantity('０.３３３')).toBe(333);
    expect(parseQuantity('2')).toBe(2000);
    expect(parseQuantity('1.2345')).toBeNull();
    expect(parseQuantity('0')).toBeNull();
    expect(parseQuantity('-1')).toBeNull();
    expect(formatQuantity(1500)).toBe('1.5');
    expect(formatQuantity(333)).toBe('0.333');
    expect(formatQuantity(2000)).toBe('2');
  });
  it('reads percentages as basis points', () => {
    expect(parsePercent('13')).toBe(1300);
    expect(parsePercent('12.5%')).toBe(1250);
    expect(parsePercent('')).toBe(0);
    expect(parsePercent('100.01')).toBeNull();
    expect(parsePercent('abc')).toBeNull();
    expect(formatPercent(1250)).toBe('12.5');
    expect(formatPercent(1300)).toBe('13');
  });
});
