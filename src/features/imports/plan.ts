import type { Db } from '../../db/index.ts';
import type { Viewer } from '../../access/index.ts';
import type { Messages } from '../../i18n/index.ts';
import type { AuditContext } from '../../audit/index.ts';
import type { FieldErrors, ParseResult } from '../../lib/validation.ts';
import type { ParsedSheet } from '../../lib/spreadsheet.ts';
import { rowValues, type ImportEntity, type Mapping } from './fields.ts';

/** A key two records are compared on (credit_code, phone, name, mobile, email) and its value in a row. */
export interface DuplicateKey {
  kind: string;
  value: string;
}

/** An existing, visible record a row matches. `locked`: it cannot be updated by this viewer (e.g. in the public pool). */
export interface ExistingMatch {
  id: number;
  label: string;
  kind: string;
  locked: boolean;
}

/**
 * What the wizard needs to know about one record type. The owners' schemas validate, their insert/update
 * commands write (audit log and search index included); this adapter only joins them to the spreadsheet.
 */
export interface ImportAdapter<T> {
  entity: ImportEntity;
  /** Form values for fields the file leaves out or empty (enums the schema requires). */
  defaults: Record<string, string>;
  parse(values: Record<string, string>, t: Messages): ParseResult<T>;
  /**
   * Turns the non-empty mapped cells of every row into form values where that needs the database (a contact's
   * customer name → customer_id among the customers the viewer can see), with errors for what cannot be resolved.
   */
  prepare?(db: Db, viewer: Viewer, rows: Record<string, string>[], t: Messages): Promise<{ values: Record<string, string>; errors: FieldErrors }[]>;
  /** Keys in priority order: the first that finds a match decides. */
  keys(data: T): DuplicateKey[];
  /** Visible records matching any of these keys: `${kind}:${value}` → candidates. */
  findExisting(db: Db, viewer: Viewer, keys: DuplicateKey[]): Promise<Map<string, ExistingMatch[]>>;
  /** Whether a candidate found by a weaker key is still the same record (e.g. both have different credit codes: no). */
  sameRecord?(data: T, match: ExistingMatch): boolean;
  /** The current values of existing records as form values, for an update that keeps what the file leaves empty. */
  currentValues(db: Db, ids: number[]): Promise<Map<number, Record<string, string>>>;
  insert(trx: Db, ctx: AuditContext, viewer: Viewer, data: T, ownerId: number): Promise<number>;
  update(trx: Db, ctx: AuditContext, viewer: Viewer, id: number, data: T): Promise<void>;
}

export type RowStatus = 'new' | 'duplicate' | 'invalid';

export interface PlannedRow<T> {
  /** The row number as the spreadsheet shows it (the header is row 1). */
  line: number;
  /** The mapped cells as they will be imported (codes, dates normalised). */
  values: Record<string, string>;
  /** The non-empty cells as form values (after the adapter's prepare step). */
  given: Record<string, string>;
  status: RowStatus;
  errors: FieldErrors;
  data?: T;
  /** An existing record this row matches… */
  existing?: ExistingMatch;
  /** …or an earlier row of the same file. */
  sameAsLine?: number;
  /** For an update: the existing record with the file's non-empty cells laid over it, validated. */
  updateData?: T;
}

export interface ImportPlan<T> {
  rows: PlannedRow<T>[];
  counts: { total: number; new: number; duplicate: number; invalid: number; updatable: number };
}

const nonEmpty = (v: Record<string, string>) => Object.fromEntries(Object.entries(v).filter(([, x]) => x !== ''));

/**
 * Long digit strings (ID, bank account, credit code, phone) must reach us as text. A cell Excel kept as a number
 * shows as 9.1110E+17: its digits are gone, so say so instead of importing a wrong number.
 */
function cutNumbers(values: Record<string, string>, t: Messages): FieldErrors {
  const out: FieldErrors = {};
  for (const [k, v] of Object.entries(values)) if (/^\d(\.\d+)?e\+\d+$/i.test(v)) out[k] = t.imports.errors.scientific;
  return out;
}

/** Bulk lookups in chunks, under SQLite's bound-parameter limit. */
export function chunks<V>(list: V[], size = 500): V[][] {
  const out: V[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/**
 * Validates every row and finds its duplicates: among the records the viewer can see, and among earlier rows of
 * the same file. Runs the same way for the preview and, again inside the import's transaction, for the import.
 */
export async function planImport<T>(db: Db, viewer: Viewer, adapter: ImportAdapter<T>, sheet: ParsedSheet, mapping: Mapping, t: Messages): Promise<ImportPlan<T>> {
  const cells = sheet.rows.map((row) => rowValues(adapter.entity, mapping, row));
  const given = cells.map(nonEmpty);
  const prepared = adapter.prepare ? await adapter.prepare(db, viewer, given, t) : given.map((values) => ({ values, errors: {} as FieldErrors }));
  const rows: PlannedRow<T>[] = cells.map((values, i) => {
    const line = i + 2;
    const pre = prepared[i]!;
    const parsed = adapter.parse({ ...adapter.defaults, ...pre.values }, t);
    const errors: FieldErrors = { ...(parsed.ok ? {} : parsed.errors), ...pre.errors, ...cutNumbers(values, t) };
    if (Object.keys(errors).length > 0 || !parsed.ok) return { line, values, given: pre.values, status: 'invalid' as RowStatus, errors };
    return { line, values, given: pre.values, status: 'new' as RowStatus, errors: {}, data: parsed.data };
  });

  const valid = rows.filter((r) => r.data !== undefined);
  const allKeys = new Map<string, DuplicateKey>();
  for (const r of valid) for (const k of adapter.keys(r.data as T)) allKeys.set(`${k.kind}:${k.value}`, k);
  const existing = await adapter.findExisting(db, viewer, [...allKeys.values()]);

  const seen = new Map<string, number>();
  for (const r of valid) {
    const data = r.data as T;
    const keys = adapter.keys(data).map((k) => `${k.kind}:${k.value}`);
    const earlier = keys.map((k) => seen.get(k)).find((line) => line !== undefined);
    let match: ExistingMatch | undefined;
    for (const k of keys) {
      match = (existing.get(k) ?? []).find((m) => !adapter.sameRecord || adapter.sameRecord(data, m));
      if (match) break;
    }
    if (match) {
      r.status = 'duplicate';
      r.existing = match;
    } else if (earlier !== undefined) {
      r.status = 'duplicate';
      r.sameAsLine = earlier;
    }
    for (const k of keys) if (!seen.has(k)) seen.set(k, r.line);
  }

  // Updates: the existing record with the file's non-empty cells over it (no defaults: an absent column changes nothing).
  const toUpdate = rows.filter((r) => r.existing && !r.existing.locked);
  const current = await adapter.currentValues(db, [...new Set(toUpdate.map((r) => r.existing!.id))]);
  for (const r of toUpdate) {
    const base = current.get(r.existing!.id);
    if (!base) continue;
    const parsed = adapter.parse({ ...base, ...r.given }, t);
    if (parsed.ok) r.updateData = parsed.data;
  }

  const counts = { total: rows.length, new: 0, duplicate: 0, invalid: 0, updatable: 0 };
  for (const r of rows) {
    counts[r.status] += 1;
    if (r.updateData !== undefined) counts.updatable += 1;
  }
  return { rows, counts };
}
