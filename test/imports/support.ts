import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import type { LightMyRequestResponse } from 'fastify';
import type { Client } from '../helpers/app.ts';
import { creditCodeCheckChar } from '../../src/lib/credit-code.ts';

/** A valid unified social credit code from 17 characters (the check character computed per GB 32100). */
export function creditCode(first17: string): string {
  const c = creditCodeCheckChar(first17);
  if (!c) throw new Error(`bad credit code body ${first17}`);
  return first17 + c;
}

export function csv(rows: string[][], opts: { bom?: boolean; encoding?: 'utf8' | 'gbk' } = {}): Buffer {
  const text = rows.map((r) => r.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n') + '\r\n';
  if (opts.encoding === 'gbk') return iconv.encode(text, 'gbk');
  const body = Buffer.from(text, 'utf8');
  return opts.bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body;
}

export async function xlsx(rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Sheet1');
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export function multipart(fields: Record<string, string>, file?: { name: string; filename: string; type: string; data: Buffer }) {
  const boundary = '----guanxi' + Math.random().toString(16).slice(2);
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`));
    parts.push(file.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

const cookieHeader = (c: Client) => [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

/** Uploads a file to /imports/:entity the way the browser's form does. */
export async function upload(c: Client, entity: string, data: Buffer, opts: { csrf?: boolean; filename?: string } = {}): Promise<LightMyRequestResponse> {
  if (!c.csrf) await c.get(`/imports/${entity}`);
  const form = multipart(opts.csrf === false ? {} : { _csrf: c.csrf }, { name: 'file', filename: opts.filename ?? 'data.csv', type: 'application/octet-stream', data });
  return c.app.inject({ method: 'POST', url: `/imports/${entity}`, payload: form.payload, headers: { 'content-type': form.contentType, cookie: cookieHeader(c) } });
}

/** The batch id in a /imports/:entity/:id/mapping location. */
export function batchIdOf(res: LightMyRequestResponse): number {
  const m = /\/imports\/\w+\/(\d+)\/mapping$/.exec(String(res.headers.location ?? ''));
  if (!m) throw new Error(`no batch in ${res.statusCode} ${String(res.headers.location)} ${res.body.slice(0, 300)}`);
  return Number(m[1]);
}

/** The mapping form's current choices (field → column index) as the page shows them. */
export function selectedMapping(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /<select id="map-(\w+)" name="map_\w+"[^>]*>([\s\S]*?)<\/select>/g;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    const sel = /<option value="(\d*)" selected>/.exec(m[2]!);
    out[m[1]!] = sel ? sel[1]! : '';
  }
  return out;
}

/** Upload → keep the automatic mapping → import; returns the result page's location. */
export async function importFile(c: Client, entity: string, data: Buffer, form: Record<string, string> = {}) {
  const up = await upload(c, entity, data);
  const id = batchIdOf(up);
  const mappingPage = await c.get(`/imports/${entity}/${id}/mapping`);
  const mapping = Object.fromEntries(Object.entries(selectedMapping(mappingPage.body)).map(([k, v]) => [`map_${k}`, v]));
  const mapped = await c.post(`/imports/${entity}/${id}/mapping`, mapping);
  if (mapped.statusCode !== 303) throw new Error(`mapping refused: ${mapped.statusCode} ${mapped.body.slice(0, 500)}`);
  const preview = await c.get(`/imports/${entity}/${id}/preview`);
  const run = await c.post(`/imports/${entity}/${id}/records`, form);
  return { id, preview, run, location: String(run.headers.location ?? '') };
}
