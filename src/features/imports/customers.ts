import type { Db } from '../../db/index.ts';
import { nowIso } from '../../db/index.ts';
import { scope, type Viewer } from '../../access/index.ts';
import { audit, diff, type AuditContext } from '../../audit/index.ts';
import { normaliseCreditCode } from '../../lib/credit-code.ts';
import { parseCustomer, type CustomerInput } from '../customers/schemas.ts';
import { insertCustomer } from '../customers/commands.ts';
import { chunks, type DuplicateKey, type ExistingMatch, type ImportAdapter } from './plan.ts';

const FIELDS = ['name', 'short_name', 'type', 'credit_code', 'industry', 'province', 'city', 'address', 'postal_code', 'phone', 'website', 'size', 'source', 'grade', 'lifecycle', 'notes'] as const;

/**
 * An update inside the import's transaction. customers/commands.ts's updateCustomer opens its own transaction
 * (which cannot nest), so this does the same write and the same audit entry on the caller's `trx`.
 */
async function updateCustomerIn(trx: Db, viewer: Viewer, ctx: AuditContext, id: number, input: CustomerInput): Promise<void> {
  const before = await trx
    .selectFrom('customers as c')
    .select(FIELDS.map((f) => `c.${f}` as const))
    .where('c.id', '=', id)
    .where(scope(viewer, 'customers', { alias: 'c' }))
    .executeTakeFirst();
  if (!before) throw new Error(`customer ${id} is not editable by user ${viewer.id}`);
  const values = Object.fromEntries(FIELDS.map((f) => [f, input[f]])) as Record<(typeof FIELDS)[number], string> & { credit_code: string | null };
  const oldTags = (await trx.selectFrom('customer_tags').select('tag').where('customer_id', '=', id).orderBy('tag').execute()).map((r) => r.tag);
  await trx.updateTable('customers').set({ ...values, updated_at: nowIso() }).where('id', '=', id).execute();
  await trx.deleteFrom('customer_tags').where('customer_id', '=', id).execute();
  if (input.tags.length > 0) await trx.insertInto('customer_tags').values(input.tags.map((tag) => ({ customer_id: id, tag }))).execute();
  const newTags = [...input.tags].sort();
  const changes = diff(before, values);
  if (oldTags.join(',') !== newTags.join(',')) changes.tags = [oldTags.join(', ') || null, newTags.join(', ') || null];
  if (Object.keys(changes).length > 0) await audit(trx, ctx, { action: 'update', entity: 'customer', entityId: id, summary: input.name, changes });
}

interface Found {
  id: number;
  name: string;
  credit_code: string | null;
  phone: string;
  owner_id: number | null;
}

/** Customers: duplicates by credit code, else phone, else exact name — among customers the viewer can see (the pool too). */
export const customerAdapter: ImportAdapter<CustomerInput> = {
  entity: 'customers',
  defaults: { type: 'enterprise', source: 'other', grade: 'C', lifecycle: 'prospect' },
  parse: (values, t) => parseCustomer(values, t),
  keys(data) {
    const keys: DuplicateKey[] = [];
    if (data.credit_code) keys.push({ kind: 'credit_code', value: data.credit_code });
    if (data.phone) keys.push({ kind: 'phone', value: data.phone });
    keys.push({ kind: 'name', value: data.name });
    return keys;
  },
  async findExisting(db, viewer, keys) {
    const out = new Map<string, ExistingMatch[]>();
    const byKind = { credit_code: [] as string[], phone: [] as string[], name: [] as string[] };
    for (const k of keys) byKind[k.kind as keyof typeof byKind].push(k.value);
    for (const kind of ['credit_code', 'phone', 'name'] as const) {
      for (const part of chunks(byKind[kind])) {
        const rows: Found[] = await db
          .selectFrom('customers as c')
          .select(['c.id', 'c.name', 'c.credit_code', 'c.phone', 'c.owner_id'])
          .where(`c.${kind}`, 'in', part)
          .where(scope(viewer, 'customers', { alias: 'c', includePool: true }))
          .orderBy('c.id')
          .execute();
        for (const r of rows) {
          const key = `${kind}:${r[kind] ?? ''}`;
          // A pool customer has to be claimed before anyone edits it: a match, but not one to update.
          const m: ExistingMatch & { creditCode: string | null } = { id: r.id, label: r.name, kind, locked: r.owner_id === null, creditCode: r.credit_code };
          out.set(key, [...(out.get(key) ?? []), m]);
        }
      }
    }
    return out;
  },
  // Two different, valid credit codes are two companies, whatever their phone or name.
  sameRecord(data, match) {
    const other = (match as ExistingMatch & { creditCode?: string | null }).creditCode ?? null;
    return match.kind === 'credit_code' || !data.credit_code || !other || normaliseCreditCode(other) === data.credit_code;
  },
  async currentValues(db, ids) {
    const out = new Map<number, Record<string, string>>();
    for (const part of chunks(ids)) {
      const rows = await db.selectFrom('customers').select(['id', ...FIELDS]).where('id', 'in', part).execute();
      const tags = await db.selectFrom('customer_tags').select(['customer_id', 'tag']).where('customer_id', 'in', part).orderBy('tag').execute();
      for (const r of rows) {
        const values: Record<string, string> = {};
        for (const f of FIELDS) values[f] = r[f] ?? '';
        values.tags = tags.filter((t) => t.customer_id === r.id).map((t) => t.tag).join(', ');
        out.set(r.id, values);
      }
    }
    return out;
  },
  insert: (trx, ctx, _viewer, data, ownerId) => insertCustomer(trx, ctx, data, ownerId),
  update: (trx, ctx, viewer, id, data) => updateCustomerIn(trx, viewer, ctx, id, data),
};
