/**
 * Money is integer fen. Yuan typed by people ("12,345.67", "1,234.5", "¥800", "１２３") becomes fen with integer
 * arithmetic only — no floats, so 0.1 + 0.2 never leaks into an amount.
 */

/** Largest amount accepted: ¥10,000,000,000.00 (keeps every sum far inside Number.MAX_SAFE_INTEGER). */
export const MAX_FEN = 1_000_000_000_000;

/** Yuan text → integer fen, or null when it is not a non-negative amount with at most two decimals. */
export function parseYuanToFen(input: string): number | null {
  let s = input.normalize('NFKC').trim().replace(/^[¥￥]\s*/, '').replace(/\s+/g, '');
  if (s === '') return null;
  // Thousands separators only between groups of three digits.
  if (s.includes(',')) {
    if (!/^\d{1,3}(,\d{3})+(\.\d*)?$/.test(s)) return null;
    s = s.replace(/,/g, '');
  }
  const m = /^(\d+)(?:\.(\d{0,2}))?$/.exec(s);
  if (!m) return null;
  const whole = m[1] ?? '0';
  const frac = (m[2] ?? '').padEnd(2, '0');
  if (whole.replace(/^0+/, '').length > 11) return null;
  const fen = Number(whole) * 100 + Number(frac);
  return fen <= MAX_FEN ? fen : null;
}

/** Integer fen → plain yuan text for an input's value ("123450" → "1234.50"; no separators, no currency sign). */
export function fenToYuanInput(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(fen));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
