import type { Language } from '../../db/types.ts';
import { fill, messages } from '../../i18n/index.ts';
import { formatter } from '../../lib/format.ts';
import { COLORS, createFrame, PAGE } from '../../pdf/frame.ts';
import type { VisibleReport } from './queries.ts';
import { summarySentence } from './summary.ts';
import type { PeriodKind } from './period.ts';

interface Company {
  name: string;
  address: string;
  phone: string;
  tax_id: string;
  logo: Buffer | null;
}

/** The title of a report's period: "2026-11-16 至 2026-11-22 周报" / "2026-11 月报". */
export function periodTitle(r: { period: string; period_start: string; period_end: string }, lang: Language): string {
  const t = messages(lang).workReports;
  return r.period === 'week' ? fill(t.periodLabel.week, { start: r.period_start, end: r.period_end }) : fill(t.periodLabel.month, { month: r.period_start.slice(0, 7) });
}

/**
 * A work report as an A4 PDF in the shared document frame (src/pdf/frame.ts: the Noto Sans SC font parsed once per
 * process, company header, page x / y): the summary sentence, the figures, the rep's summary and plan, the detail
 * tables and the comments.
 */
export async function renderWorkReportPdf(r: VisibleReport, comments: { author: string; body: string; created_at: string }[], company: Company, lang: Language, zone: string): Promise<Buffer> {
  const t = messages(lang).workReports;
  const fmt = formatter(lang, zone);
  const f = r.figures;
  const title = `${r.author} · ${periodTitle(r, lang)}`;
  const frame = createFrame({
    title,
    author: company.name,
    header: { name: company.name, address: company.address, phone: company.phone, taxId: company.tax_id, logo: company.logo, labels: { phone: messages(lang).company.phone, taxId: messages(lang).company.taxId, colon: lang === 'zh-CN' ? '：' : ': ' } },
  });
  const { doc, regular, bold } = frame;
  const left = PAGE.margin;
  const width = PAGE.width - PAGE.margin * 2;
  let y = frame.newPage();
  const ensure = (h: number) => {
    if (y + h > frame.bottom) y = frame.newPage();
  };
  const para = (text: string, size = 10, color: string = COLORS.text) => {
    const h = regular(size).heightOfString(text, { width });
    ensure(h);
    regular(size, color).text(text, left, y, { width });
    y += h + 6;
  };
  const heading = (text: string) => {
    ensure(40);
    y += 6;
    bold(11.5, COLORS.accent).text(text, left, y, { width });
    y += 20;
  };

  bold(17).text(t.pdfTitle, left, y, { width, align: 'center', characterSpacing: 4 });
  y += 28;
  para(`${r.author}${r.department ? ` · ${r.department}` : ''} · ${periodTitle(r, lang)}`, 10, COLORS.muted);
  para(`${r.submitted_at ? fill(t.submittedAt, { at: fmt.dateTime(r.submitted_at) }) : t.notSubmitted} · ${fill(t.generatedAt, { at: fmt.dateTime(r.generated_at) })}`, 9, COLORS.muted);

  heading(t.sections.summary);
  para(summarySentence(f, r.period as PeriodKind, lang, zone), 10.5);

  const figures: [string, number][] = [
    [t.figures.customersVisited, f.customersVisited],
    [t.figures.calls, f.calls.length],
    [t.figures.meetings, f.meetings.length],
    [t.figures.newCustomers, f.newCustomers.length],
    [t.figures.newLeads, f.newLeads.length],
    [t.figures.dealsCreated, f.dealsCreated.length],
    [t.figures.dealsAdvanced, f.dealsAdvanced.length],
    [t.figures.dealsWon, f.dealsWon.length],
    [t.figures.dealsLost, f.dealsLost.length],
    [t.figures.quotesSent, f.quotesSent.length],
    [t.figures.tasksDone, f.tasksDone.length],
    [t.figures.tasksOverdue, f.tasksOverdue.length],
  ];
  const cellW = width / 6;
  ensure(80);
  figures.forEach(([label, value], i) => {
    const x = left + (i % 6) * cellW;
    const yy = y + Math.floor(i / 6) * 38;
    bold(14).text(String(value), x, yy, { width: cellW - 6, lineBreak: false });
    regular(8, COLORS.muted).text(label, x, yy + 19, { width: cellW - 6, lineBreak: false });
  });
  y += 80;

  if (r.summary.trim()) {
    heading(t.sections.repSummary);
    para(r.summary);
  }
  if (r.plan.trim()) {
    heading(t.sections.plan);
    para(r.plan);
  }

  const table = (heads: string[], widths: number[], rows: string[][]) => {
    const pad = 4;
    const xs: number[] = [];
    let cx = left;
    for (const w of widths) {
      xs.push(cx);
      cx += w;
    }
    const head = () => {
      doc.rect(left, y, width, 18).fillColor(COLORS.head).fill();
      heads.forEach((h, i) => regular(8.5, COLORS.accent).text(h, (xs[i] ?? 0) + pad, y + 5, { width: (widths[i] ?? 0) - pad * 2, lineBreak: false }));
      y += 18;
    };
    ensure(40);
    head();
    if (rows.length === 0) {
      regular(9, COLORS.muted).text(t.none, left + pad, y + 4, { width });
      y += 20;
      return;
    }
    for (const row of rows) {
      const h = Math.max(18, ...row.map((c, i) => regular(9).heightOfString(c, { width: (widths[i] ?? 0) - pad * 2 }) + 8));
      if (y + h > frame.bottom) {
        y = frame.newPage();
        head();
      }
      row.forEach((c, i) => regular(9).text(c, (xs[i] ?? 0) + pad, y + 4, { width: (widths[i] ?? 0) - pad * 2 }));
      y += h;
      doc.moveTo(left, y).lineTo(left + width, y).lineWidth(0.4).strokeColor(COLORS.line).stroke();
    }
    y += 6;
  };
  const typeName = (type: string) => (messages(lang).activities.types as Record<string, string>)[type] ?? type;
  const w4 = [90, 50, width - 90 - 50 - 150, 150];

  heading(t.sections.activities);
  table([t.col.time, t.col.type, t.col.subject, t.col.customer], w4, [...f.visits, ...f.calls, ...f.meetings].sort((a, b) => a.startsAt.localeCompare(b.startsAt)).map((a) => [fmt.dateTime(a.startsAt), typeName(a.type), a.subject, a.customer ?? '']));
  heading(t.sections.newRecords);
  table([t.col.type, t.col.name], [90, width - 90], [...f.newCustomers.map((c) => [t.figures.newCustomers, c.name]), ...f.newLeads.map((l) => [t.figures.newLeads, [l.person, l.company].filter(Boolean).join(' · ')])]);
  heading(t.sections.deals);
  const dealRows = [
    ...f.dealsCreated.map((d) => [t.figures.dealsCreated, d.name, d.customer, '', fmt.money(d.amountFen)]),
    ...f.dealsAdvanced.map((d) => [t.figures.dealsAdvanced, d.name, d.customer, `${d.from ?? ''} → ${d.to ?? ''}`, fmt.money(d.amountFen)]),
    ...f.dealsWon.map((d) => [t.figures.dealsWon, d.name, d.customer, d.to ?? '', fmt.money(d.amountFen)]),
    ...f.dealsLost.map((d) => [t.figures.dealsLost, d.name, d.customer, d.to ?? '', fmt.money(d.amountFen)]),
  ];
  table([t.col.type, t.col.deal, t.col.customer, t.col.change, t.col.amount], [60, 140, 120, width - 60 - 140 - 120 - 90, 90], dealRows);
  heading(t.sections.quotes);
  table([t.col.number, t.col.customer, t.col.sentAt, t.col.total], [110, width - 110 - 100 - 90, 100, 90], f.quotesSent.map((q) => [q.number, q.customer, fmt.dateTime(q.sentAt), fmt.money(q.totalFen)]));
  heading(t.sections.tasks);
  table([t.col.type, t.col.due, t.col.subject, t.col.customer], w4, [...f.tasksDone.map((a) => [t.figures.tasksDone, fmt.dateTime(a.startsAt), a.subject, a.customer ?? '']), ...f.tasksOverdue.map((a) => [t.figures.tasksOverdue, fmt.dateTime(a.startsAt), a.subject, a.customer ?? ''])].map(([a, b, c, d]) => [b ?? '', a ?? '', c ?? '', d ?? '']));
  heading(t.sections.next);
  table([t.col.time, t.col.type, t.col.subject, t.col.customer], w4, f.nextActivities.map((a) => [fmt.dateTime(a.startsAt), typeName(a.type), a.subject, a.customer ?? '']));

  if (comments.length) {
    heading(t.sections.comments);
    for (const c of comments) para(`${c.author}（${fmt.dateTime(c.created_at)}）：${c.body}`, 9.5);
  }
  return frame.finish(title, (x, n) => fill(t.page, { x, y: n }));
}
