import { readSheet, type ParsedSheet } from '../../lib/spreadsheet.ts';

export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 20_000;

export const FILE_FORMATS = ['xlsx', 'csvUtf8Bom', 'csvUtf8', 'csvGb18030'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

export type UploadError = 'fileRequired' | 'fileTooLarge' | 'tooManyRows' | 'unreadable' | 'noHeader' | 'noRows';
export type UploadCheck = { ok: true; sheet: ParsedSheet; format: FileFormat } | { ok: false; error: UploadError; rows?: number };

/** What the bytes are — by content, never by the file's name. */
export function detectFormat(buf: Buffer): FileFormat | null {
  if (buf.length > 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04) return 'xlsx';
  // Text has no NUL bytes; binaries (old .xls, images, executables) do.
  if (buf.includes(0)) return null;
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return 'csvUtf8Bom';
  return buf.toString('utf8').includes('\uFFFD') ? 'csvGb18030' : 'csvUtf8';
}

/**
 * Checks an uploaded file and reads it. The multipart limit is set one byte above MAX_IMPORT_BYTES, so an
 * oversized file arrives cut at that length and is refused here with a message, not a 413.
 */
export async function checkUpload(file: unknown): Promise<UploadCheck> {
  if (!Buffer.isBuffer(file) || file.length === 0) return { ok: false, error: 'fileRequired' };
  if (file.length > MAX_IMPORT_BYTES) return { ok: false, error: 'fileTooLarge' };
  const format = detectFormat(file);
  if (!format) return { ok: false, error: 'unreadable' };
  let sheet: ParsedSheet;
  try {
    sheet = await readSheet(file);
  } catch {
    return { ok: false, error: 'unreadable' };
  }
  if (sheet.headers.length === 0 || sheet.headers.every((h) => h === '')) return { ok: false, error: sheet.headers.length === 0 && format === 'xlsx' ? 'unreadable' : 'noHeader' };
  if (sheet.rows.length === 0) return { ok: false, error: 'noRows' };
  if (sheet.rows.length > MAX_IMPORT_ROWS) return { ok: false, error: 'tooManyRows', rows: sheet.rows.length };
  return { ok: true, sheet, format };
}
