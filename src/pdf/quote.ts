import { rmbCapital } from '../lib/rmb-capital.ts';
import { formatPercent, formatQuantity } from '../lib/quote-math.ts';
import { COLORS, createFrame, PAGE } from './frame.ts';

/** The words of the quote document, in the reader's language (from the quotes dictionary's `pdf` section). */
export interface QuotePdfLabels {
  title: string;
  number: string;
  date: string;
  validUntil: string;
  customer: string;
  contact: string;
  phone: string;
  email: string;
  address: string;
  salesRep: string;
  taxMode: string;
  taxModes: { inclusive: string; exclusive: string };
  columns: { no: string; item: string; unit: string; quantity: string; unitPrice: string; discount: string; taxRate: string; amount: string; amountExcl: string };
  subtotal: string;
  tax: string;
  total: string;
  capital: string;
  terms: string;
  payment: string;
  delivery: string;
  warranty: string;
  notes: string;
  supplier: string;
  buyer: string;
  seal: string;
  signature: string;
  signDate: string;
  page: string;
  taxId: string;
  intro: string;
  currencyNote: string;
  revision: string;
  /** '：' in Chinese, ': ' in English. */
  colon: string;
}

export interface QuotePdfData {
  number: string;
  revision: number;
  quoteDate: string;
  validUntil: string;
  taxMode: 'inclusive' | 'exclusive';
  customer: { name: string; address: string; phone: string };
  contact: { name: string; mobile: string; phone: string; email: string } | null;
  owner: { name: string; phone: string; email: string };
  company: { name: string; address: string; phone: string; taxId: string; logo: Buffer | null };
  lines: { name: string; spec: string; unit: string; quantityMilli: number; unitPriceFen: number; discountBp: number; taxRateBp: number; amountFen: number }[];
  subtotalFen: number;
  taxFen: number;
  totalFen: number;
  terms: { payment: string; delivery: string; warranty: string; notes: string };
}

const grouped = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
/** Fen as 12,345.67 (the division is for display only; nothing is computed from it). */
const yuan = (fen: number): string => grouped.format(fen / 100);
/** One line of text placed in a cell of width `w`, aligned by measuring it (no line wrapper: see the item table). */
function cell(doc: PDFKit.PDFDocument, text: string, x: number, y: number, w: number, align: 'left' | 'right' | 'center' | string = 'left'): void {
  const dx = align === 'right' ? w - doc.widthOfString(text) : align === 'center' ? (w - doc.widthOfString(text)) / 2 : 0;
  doc.text(text, x + dx, y, { lineBreak: false });
}
const fill = (s: string, p: Record<string, string | number>) => s.replace(/\{(\w+)\}/g, (m, k: string) => (k in p ? String(p[k]) : m));

/** Renders a quote as an A4 PDF in the Chinese business format (or English labels for English users). */
export async function renderQuotePdf(q: QuotePdfData, t: QuotePdfLabels): Promise<Buffer> {
  const numberText = q.revision > 1 ? `${q.number}${fill(t.revision, { n: q.revision })}` : q.number;
  const frame = createFrame({
    title: `${t.title} ${numberText}`,
    author: q.company.name,
    header: { name: q.company.name, address: q.company.address, phone: q.company.phone, taxId: q.company.taxId, logo: q.company.logo, labels: { phone: t.phone, taxId: t.taxId, colon: t.colon } },
  });
  const { doc, regular, bold } = frame;
  const left = PAGE.margin;
  const right = PAGE.width - PAGE.margin;
  const width = right - left;
  let y = frame.newPage();

  // ---- title and the two blocks: to whom, and the quote's particulars
  // Chinese titles are spaced out (报 价 单); Latin ones barely.
  bold(20, COLORS.text).text(t.title, left, y, { width, align: 'center', characterSpacing: /[\u4e00-\u9fff]/.test(t.title) ? 6 : 1 });
  y += 34;
  const colW = width / 2 - 10;
  const info = (rows: [string, string][], x: number, top: number): number => {
    let yy = top;
    for (const [k, v] of rows) {
      if (!v) continue;
      regular(9, COLORS.muted).text(k, x, yy, { width: 64 });
      const hgt = regular(9.5).heightOfString(v, { width: colW - 66 });
      regular(9.5).text(v, x + 66, yy - 0.5, { width: colW - 66 });
      yy += Math.max(15, hgt + 3);
    }
    return yy;
  };
  const contactLine = q.contact ? q.contact.name : '';
  const contactPhone = q.contact ? q.contact.mobile || q.contact.phone : '';
  const leftEnd = info(
    [
      [t.customer, q.customer.name],
      [t.contact, contactLine],
      [t.phone, contactPhone || q.customer.phone],
      [t.email, q.contact?.email ?? ''],
      [t.address, q.customer.address],
    ],
    left,
    y,
  );
  const rightEnd = info(
    [
      [t.number, numberText],
      [t.date, q.quoteDate],
      [t.validUntil, q.validUntil],
      [t.salesRep, [q.owner.name, q.owner.phone].filter(Boolean).join('  ')],
      [t.email, q.owner.email],
      [t.taxMode, t.taxModes[q.taxMode]],
    ],
    left + width / 2 + 10,
    y,
  );
  y = Math.max(leftEnd, rightEnd) + 6;
  regular(9, COLORS.text).text(t.intro, left, y, { width });
  y += regular(9).heightOfString(t.intro, { width }) + 8;

  // ---- the item table, its header repeated on every page
  const cols = [
    { key: 'no', w: 26, align: 'center' as const },
    { key: 'item', w: 0, align: 'left' as const },
    { key: 'unit', w: 32, align: 'center' as const },
    { key: 'quantity', w: 48, align: 'right' as const },
    { key: 'unitPrice', w: 70, align: 'right' as const },
    { key: 'discount', w: 40, align: 'right' as const },
    { key: 'taxRate', w: 36, align: 'right' as const },
    { key: 'amount', w: 80, align: 'right' as const },
  ];
  const fixed = cols.reduce((s, c) => s + c.w, 0);
  const itemCol = cols[1];
  if (itemCol) itemCol.w = width - fixed;
  const xs: number[] = [];
  let cx = left;
  for (const c of cols) {
    xs.push(cx);
    cx += c.w;
  }
  const pad = 4;

  const tableHeader = (top: number): number => {
    doc.rect(left, top, width, 20).fillColor(COLORS.head).fill();
    // Prices without VAT: each line's amount is without VAT too (it follows from the columns before it); the lines
    // then add up to the subtotal, and VAT is added below.
    const label = (key: string) => (key === 'amount' && q.taxMode === 'exclusive' ? t.columns.amountExcl : t.columns[key as keyof typeof t.columns]);
    cols.forEach((c, i) => cell(regular(8.5, COLORS.accent), label(c.key), (xs[i] ?? 0) + pad, top + 5.5, c.w - pad * 2, c.align));
    doc.moveTo(left, top + 20).lineTo(right, top + 20).lineWidth(0.8).strokeColor(COLORS.accent).stroke();
    return top + 20;
  };
  y = tableHeader(y);
  // Most names and specifications fit on one line, and every other cell does. pdfkit runs its line wrapper (which
  // breaks CJK text at every character) for any text given a width, so one-line text is placed by measuring it once
  // and positioned by hand (aligned within the cell); only what does not fit is wrapped. ~25% of a quote's time.
  const oneLine = new Map<number, number>();
  const fitsOnOneLine = (text: string, size: number, w: number) => !text.includes('\n') && regular(size).widthOfString(text) <= w;
  const heightOf = (text: string, size: number, w: number): number => {
    if (!fitsOnOneLine(text, size, w)) return regular(size).heightOfString(text, { width: w });
    let h = oneLine.get(size);
    if (h === undefined) oneLine.set(size, (h = regular(size).heightOfString('国', { width: w })));
    return h;
  };
  q.lines.forEach((l, idx) => {
    const itemW = (itemCol?.w ?? 100) - pad * 2;
    const nameH = heightOf(l.name, 9, itemW);
    const specH = l.spec ? heightOf(l.spec, 8, itemW) : 0;
    const rowH = Math.max(20, nameH + specH + 9);
    if (y + rowH > frame.bottom) {
      y = tableHeader(frame.newPage());
    }
    const cells: string[] = [
      String(idx + 1),
      '',
      l.unit,
      formatQuantity(l.quantityMilli),
      yuan(l.unitPriceFen),
      l.discountBp ? `${formatPercent(l.discountBp)}%` : '—',
      `${formatPercent(l.taxRateBp)}%`,
      yuan(l.amountFen),
    ];
    cols.forEach((c, i) => {
      if (c.key === 'item') {
        if (fitsOnOneLine(l.name, 9, itemW)) cell(regular(9), l.name, (xs[i] ?? 0) + pad, y + 4.5, itemW, 'left');
        else regular(9).text(l.name, (xs[i] ?? 0) + pad, y + 4.5, { width: itemW });
        if (l.spec && fitsOnOneLine(l.spec, 8, itemW)) cell(regular(8, COLORS.muted), l.spec, (xs[i] ?? 0) + pad, y + 4.5 + nameH, itemW, 'left');
        else if (l.spec) regular(8, COLORS.muted).text(l.spec, (xs[i] ?? 0) + pad, y + 4.5 + nameH, { width: itemW });
      } else {
        cell(regular(9), cells[i] ?? '', (xs[i] ?? 0) + pad, y + 5.5, c.w - pad * 2, c.align);
      }
    });
    y += rowH;
    doc.moveTo(left, y).lineTo(right, y).lineWidth(0.4).strokeColor(COLORS.line).stroke();
  });

  // ---- totals and the amount in capital numerals (kept together)
  const totalsH = 3 * 17 + 30;
  if (y + totalsH + 8 > frame.bottom) y = frame.newPage();
  y += 8;
  const labelX = right - 250;
  const totalRow = (label: string, value: string, strong = false) => {
    (strong ? bold(10.5) : regular(9.5, COLORS.muted)).text(label, labelX, y, { width: 150, align: 'right', lineBreak: false });
    (strong ? bold(10.5, COLORS.accent) : regular(9.5)).text(value, right - 96, y, { width: 96 - pad, align: 'right', lineBreak: false });
    y += 17;
  };
  totalRow(t.subtotal, `¥${yuan(q.subtotalFen)}`);
  totalRow(t.tax, `¥${yuan(q.taxFen)}`);
  totalRow(t.total, `¥${yuan(q.totalFen)}`, true);
  y += 3;
  doc.rect(left, y, width, 24).lineWidth(0.8).strokeColor(COLORS.accent).stroke();
  regular(9.5, COLORS.text).text(`${t.capital}${t.colon}`, left + 8, y + 6.5, { lineBreak: false });
  bold(9.5).text(rmbCapital(q.totalFen), left + 8 + regular(9.5).widthOfString(`${t.capital}${t.colon}`), y + 6.5, { lineBreak: false });
  regular(8, COLORS.muted).text(t.currencyNote, right - 160, y + 8, { width: 152, align: 'right', lineBreak: false });
  y += 34;

  // ---- terms
  const terms: [string, string][] = [
    [t.payment, q.terms.payment],
    [t.delivery, q.terms.delivery],
    [t.warranty, q.terms.warranty],
    [t.notes, q.terms.notes],
  ];
  const shownTerms = terms.filter(([, v]) => v.trim() !== '');
  const termTexts = shownTerms.map(([k, v], i) => `${i + 1}. ${k}${t.colon}${v}`);
  const boxH = 104;
  // Terms and the signature area are kept together: when they do not fit under the totals but fit on a page of
  // their own, they start a new page (rather than leaving one term and the signatures alone on the last page).
  const closingH = (shownTerms.length ? 26 + termTexts.reduce((sum, text) => sum + regular(9).heightOfString(text, { width }) + 4, 0) : 0) + boxH;
  if (y + closingH > frame.bottom && closingH < frame.bottom - 120) y = frame.newPage();
  if (shownTerms.length) {
    if (y + 40 > frame.bottom) y = frame.newPage();
    regular(10.5, COLORS.accent).text(t.terms, left, y);
    y += 18;
    termTexts.forEach((text) => {
      const hgt = regular(9).heightOfString(text, { width });
      if (y + hgt > frame.bottom) y = frame.newPage();
      regular(9).text(text, left, y, { width });
      y += hgt + 4;
    });
    y += 8;
  }

  // ---- signature and seal area
  if (y + boxH > frame.bottom) y = frame.newPage();
  const boxW = width / 2 - 8;
  const box = (x: number, title: string, party: string) => {
    doc.rect(x, y, boxW, boxH).lineWidth(0.6).strokeColor(COLORS.line).stroke();
    regular(9.5, COLORS.accent).text(title, x + 10, y + 8, { width: boxW - 20, lineBreak: false });
    regular(9).text(party, x + 10, y + 25, { width: boxW - 20, lineBreak: false, ellipsis: true });
    const lineX = x + 16 + Math.max(regular(9).widthOfString(`${t.signature}${t.colon}`), regular(9).widthOfString(`${t.signDate}${t.colon}`));
    regular(9, COLORS.muted).text(`${t.signature}${t.colon}`, x + 10, y + 54, { lineBreak: false });
    doc.moveTo(lineX, y + 66).lineTo(x + boxW - 70, y + 66).lineWidth(0.4).strokeColor(COLORS.line).stroke();
    regular(9, COLORS.muted).text(`${t.signDate}${t.colon}`, x + 10, y + 80, { lineBreak: false });
    doc.moveTo(lineX, y + 92).lineTo(x + boxW - 70, y + 92).lineWidth(0.4).strokeColor(COLORS.line).stroke();
    // The seal goes over this dashed circle.
    doc.circle(x + boxW - 38, y + 66, 28).lineWidth(0.5).dash(2, { space: 2 }).strokeColor(COLORS.line).stroke().undash();
    regular(7.5, COLORS.muted).text(t.seal, x + boxW - 66, y + 62, { width: 56, align: 'center', lineBreak: false });
  };
  box(left, t.supplier, q.company.name);
  box(left + boxW + 16, t.buyer, q.customer.name);

  return frame.finish(`${t.title} ${numberText}`, (x, n) => fill(t.page, { x, y: n }));
}
