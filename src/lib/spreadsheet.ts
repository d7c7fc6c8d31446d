import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { parse as parseCsv } from 'csv-parse/sync';

/** A column of an export: header text (already translated) and how to get the cell from a row. */
export interface ExportColumn<R> {
  header: string;
  value: (row: R) => string | number | null | undefined;
}

/** Cells that a spreadsheet would run as a formula get a leading apostrophe (CSV/formula injection). */
export function neutraliseFormula(v: string): string {
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

function cellText(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'number' ? String(v) : neutraliseFormula(v);
}

/** CSV as Excel opens it: UTF-8 with BOM, CRLF, every field quoted. */
export function toCsv<R>(rows: Iterable<R>, columns: ExportColumn<R>[]): Buffer {
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const lines = [columns.map((c) => quote(c.header)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => quote(cellText(c.value(row)))).join(','));
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\r\n') + '\r\n', 'utf8')]);
}

/**
 * .xlsx with a bold, frozen header row. Strings stay strings (long digit runs such as ID or bank numbers are
 * never turned into numbers), so nothing is rounded or shown in scientific notation.
 */
export async function toXlsx<R>(rows: Iterable<R>, columns: ExportColumn<R>[], sheetName: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Guanxi CRM';
  const ws = wb.addWorksheet(sheetName.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.addRow(columns.map((c) => c.header)).font = { bold: true };
  for (const row of rows) ws.addRow(columns.map((c) => cellText(c.value(row))));
  columns.forEach((c, i) => {
    ws.getColumn(i + 1).width = Math.min(40, Math.max(10, c.header.length * 2 + 4));
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Rows of an uploaded sheet: the first row is the header. */
export interface ParsedSheet {
  headers: string[];
  rows: string[][];
}

/** Decodes CSV bytes: UTF-8 (with or without BOM), else GB18030 (a superset of GBK, as Chinese Excel saves). */
export function decodeCsv(buf: Buffer): string {
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return buf.subarray(3).toString('utf8');
  const utf8 = buf.toString('utf8');
  if (!utf8.includes('\uFFFD')) return utf8;
  return iconv.decode(buf, 'gb18030');
}

function isXlsx(buf: Buffer): boolean {
  return buf.length > 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04; // a ZIP
}

/** Reads .xlsx (by content, not by name) or CSV into trimmed text cells; empty rows are dropped. */
export async function readSheet(buf: Buffer): Promise<ParsedSheet> {
  let table: string[][];
  if (isXlsx(buf)) {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    table = [];
    ws?.eachRow({ includeEmpty: false }, (row) => {
      const cells: string[] = [];
      const count = row.cellCount;
      for (let i = 1; i <= count; i++) cells.push(row.getCell(i).text ?? '');
      table.push(cells);
    });
  } else {
    table = parseCsv(decodeCsv(buf), { relax_column_count: true, skip_empty_lines: true, bom: true }) as string[][];
  }
  const clean = table.map((r) => r.map((c) => String(c ?? '').trim())).filter((r) => r.some((c) => c !== ''));
  const [headers = [], ...rows] = clean;
  return { headers, rows };
}
