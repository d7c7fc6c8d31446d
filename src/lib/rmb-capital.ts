/**
 * 人民币大写: an amount in integer fen as Chinese financial capital numerals, the way invoices, contracts and quotes
 * write it (壹万贰仟叁佰肆拾伍元陆角柒分). The rules follow the People's Bank of China's rules for filling in
 * bills and settlement vouchers (正确填写票据和结算凭证的基本规定):
 * - 拾 is always written with its digit: ¥16 → 壹拾陆元整;
 * - a run of zeros inside the amount is one 零 (¥1,005 → 壹仟零伍元; ¥100,010,000 → 壹亿零壹万元整);
 * - 元 with no fen is followed by 整 (¥500 → 伍佰元整; ¥0.50 → 伍角整 — 整 after 角 is allowed and we always write it);
 * - no jiao but fen: 零 after 元 (¥1.05 → 壹元零伍分); below one yuan no 元 at all (¥0.56 → 伍角陆分);
 * - a zero units-of-yuan digit before a non-zero 角 gets no 零 (¥1,680.32 → 壹仟陆佰捌拾元叁角贰分; both are allowed);
 * - zero is 零元整; negative amounts get 负 in front.
 */
const DIGITS = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'] as const;
const IN_GROUP = ['', '拾', '佰', '仟'] as const;
const GROUPS = ['', '万', '亿', '万亿'] as const;

/** One group of up to four digits (1–9999), zeros inside collapsed to one 零, no leading or trailing 零. */
function group(n: number): string {
  let out = '';
  let zero = false;
  for (let pos = 3; pos >= 0; pos--) {
    const d = Math.floor(n / 10 ** pos) % 10;
    if (d === 0) {
      if (out !== '') zero = true;
      continue;
    }
    if (zero) out += '零';
    zero = false;
    out += `${DIGITS[d] ?? ''}${IN_GROUP[pos] ?? ''}`;
  }
  return out;
}

/** Whole yuan (≥ 1) in capital numerals, without 元. */
function yuanText(yuan: number): string {
  const groups: number[] = [];
  for (let y = yuan; y > 0; y = Math.floor(y / 10_000)) groups.push(y % 10_000);
  let out = '';
  let zero = false;
  for (let i = groups.length - 1; i >= 0; i--) {
    const g = groups[i] ?? 0;
    if (g === 0) {
      if (out !== '') zero = true;
      continue;
    }
    // A gap (a zero group) or a short lower group (0xxx) is read with 零: 壹万零伍拾, 壹亿零壹万.
    if (out !== '' && (zero || g < 1000)) out += '零';
    zero = false;
    out += `${group(g)}${GROUPS[i] ?? ''}`;
  }
  return out;
}

export function rmbCapital(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`not an amount in fen: ${fen}`);
  if (fen < 0) return `负${rmbCapital(-fen)}`;
  if (fen === 0) return '零元整';
  const yuan = Math.floor(fen / 100);
  const jiao = Math.floor(fen / 10) % 10;
  const f = fen % 10;
  let out = yuan > 0 ? `${yuanText(yuan)}元` : '';
  if (jiao > 0) out += `${DIGITS[jiao] ?? ''}角`;
  else if (f > 0 && yuan > 0) out += '零';
  if (f > 0) out += `${DIGITS[f] ?? ''}分`;
  else out += '整';
  return out;
}
