/**
 * A quote's sums, in integer fen, with ONE rounding rule (docs/decisions/0012-quote-numbering-and-rounding.md):
 *
 *   Every line is rounded once, to the fen, half away from zero (四舍五入); the quote's subtotal, tax and total are
 *   plain sums of the rounded lines. Nothing is rounded twice and nothing is computed with floats.
 *
 * Units: quantities are integer thousandths (quantity_milli: 1.5 台 = 1500, at most three decimals); unit prices are
 * fen; discounts and tax rates are basis points (12.5% = 1250, 13% = 1300).
 *
 * A line's value = quantity × unit price × (1 − discount), rounded. What that value means depends on the tax mode:
 * - 含税 (inclusive, prices include VAT): the value is the line's amount; its net is amount ÷ (1 + rate), rounded,
 *   and its tax is amount − net (so net + tax is always exactly the amount);
 * - 不含税 (exclusive): the value is the net; its tax is net × rate, rounded, and the amount is net + tax.
 * Per-line VAT is how Chinese VAT invoices compute it too, so the quote and the later invoice agree line by line.
 *
 * Price book prices (list, floor) include VAT. A line is below its floor when its unit price after discount, with
 * VAT, is under the floor price — compared exactly (cross-multiplied), not after rounding.
 */
export type TaxMode = 'inclusive' | 'exclusive';

export interface LineInput {
  quantityMilli: number;
  unitPriceFen: number;
  discountBp: number;
  taxRateBp: number;
  /** The product's list price with VAT; 0 or absent: the line's own undiscounted price is its list value. */
  listPriceFen?: number;
  /** The product's floor price with VAT; 0 or absent: no floor. */
  floorPriceFen?: number;
}

export interface LineAmounts {
  netFen: number;
  taxFen: number;
  /** With VAT. */
  amountFen: number;
  /** One unit after discount, with VAT, rounded: comparable across quotes of either tax mode (the price reference). */
  effectiveUnitFen: number;
  /** The same quantity at list price, with VAT, rounded (the basis of the quote's total discount). */
  listAmountFen: number;
  belowFloor: boolean;
}

export interface QuoteTotals {
  subtotalFen: number;
  taxFen: number;
  totalFen: number;
  listTotalFen: number;
  /** Total discount against the list value, basis points, rounded (never negative). */
  discountBp: number;
  belowFloor: number;
}

const B = BigInt;
const BP = 10_000n;
const MILLI = 1000n;

/** n ÷ d rounded half away from zero (d > 0). */
export function roundDiv(n: bigint, d: bigint): bigint {
  if (d <= 0n) throw new RangeError('divisor must be positive');
  const neg = n < 0n;
  const a = neg ? -n : n;
  const q = (2n * a + d) / (2n * d);
  return neg ? -q : q;
}

const num = (v: bigint): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError('amount out of range');
  return n;
};

export function lineAmounts(line: LineInput, mode: TaxMode): LineAmounts {
  const qty = B(line.quantityMilli);
  const price = B(line.unitPriceFen);
  const keep = BP - B(line.discountBp);
  const rate = B(line.taxRateBp);
  // quantity (÷1000) × price × (1 − discount) (÷10000), rounded once.
  const value = roundDiv(qty * price * keep, MILLI * BP);
  let net: bigint;
  let tax: bigint;
  let amount: bigint;
  if (mode === 'inclusive') {
    amount = value;
    net = roundDiv(amount * BP, BP + rate);
    tax = amount - net;
  } else {
    net = value;
    tax = roundDiv(net * rate, BP);
    amount = net + tax;
  }
  // One unit after discount, with VAT, as an exact fraction: numerator / denominator.
  const unitNum = mode === 'inclusive' ? price * keep : price * keep * (BP + rate);
  const unitDen = mode === 'inclusive' ? BP : BP * BP;
  const floor = B(line.floorPriceFen ?? 0);
  const list = B(line.listPriceFen ?? 0);
  const undiscounted = mode === 'inclusive' ? roundDiv(qty * price, MILLI) : roundDiv(qty * price * (BP + rate), MILLI * BP);
  return {
    netFen: num(net),
    taxFen: num(tax),
    amountFen: num(amount),
    effectiveUnitFen: num(roundDiv(unitNum, unitDen)),
    listAmountFen: num(list > 0n ? roundDiv(qty * list, MILLI) : undiscounted),
    belowFloor: floor > 0n && unitNum < floor * unitDen,
  };
}

export function quoteTotals(lines: readonly LineAmounts[]): QuoteTotals {
  let subtotal = 0;
  let tax = 0;
  let total = 0;
  let list = 0;
  let below = 0;
  for (const l of lines) {
    subtotal += l.netFen;
    tax += l.taxFen;
    total += l.amountFen;
    list += l.listAmountFen;
    if (l.belowFloor) below += 1;
  }
  const discount = list > 0 && total < list ? num(roundDiv(B(list - total) * BP, B(list))) : 0;
  return { subtotalFen: subtotal, taxFen: tax, totalFen: total, listTotalFen: list, discountBp: discount, belowFloor: below };
}

/** Whether the total discount is strictly beyond a threshold (basis points), compared exactly rather than after rounding. */
export function discountBeyond(totals: Pick<QuoteTotals, 'totalFen' | 'listTotalFen'>, thresholdBp: number): boolean {
  if (totals.listTotalFen <= 0 || totals.totalFen >= totals.listTotalFen) return false;
  return B(totals.listTotalFen - totals.totalFen) * BP > B(thresholdBp) * B(totals.listTotalFen);
}

/** At most one million units. */
export const MAX_QUANTITY_MILLI = 1_000_000_000;

/** "1.5", "２", "0.333" → thousandths; null when not a positive number with at most three decimals. */
export function parseQuantity(input: string): number | null {
  const s = input.normalize('NFKC').trim().replace(/,/g, '');
  const m = /^(\d{1,7})(?:\.(\d{0,3}))?$/.exec(s);
  if (!m) return null;
  const milli = Number(m[1]) * 1000 + Number((m[2] ?? '').padEnd(3, '0'));
  return milli > 0 && milli <= MAX_QUANTITY_MILLI ? milli : null;
}

/** 1500 → "1.5", 2000 → "2", 333 → "0.333". */
export function formatQuantity(milli: number): string {
  const whole = Math.floor(milli / 1000);
  const frac = String(milli % 1000).padStart(3, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : String(whole);
}

/** "13", "12.5", "0", "" (→ 0) → basis points 0–10000; null when not a percentage with at most two decimals. */
export function parsePercent(input: string): number | null {
  const s = input.normalize('NFKC').trim().replace(/%$/, '').trim();
  if (s === '') return 0;
  const m = /^(\d{1,3})(?:\.(\d{0,2}))?$/.exec(s);
  if (!m) return null;
  const bp = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return bp <= 10_000 ? bp : null;
}

/** 1300 → "13", 1250 → "12.5", 5 → "0.05". */
export function formatPercent(bp: number): string {
  const whole = Math.floor(bp / 100);
  const frac = String(bp % 100).padStart(2, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : String(whole);
}
