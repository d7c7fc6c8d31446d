import type { Db } from '../../db/index.ts';
import { nowIso } from '../../db/index.ts';
import { scope, type Viewer } from '../../access/index.ts';
import { audit, diff, type AuditContext } from '../../audit/index.ts';
import { fill } from '../../i18n/index.ts';
import type { FieldErrors } from '../../lib/validation.ts';
import { normaliseCreditCode } from '../../lib/credit-code.ts';
import { contactSchema, type ContactInput } from '../contacts/schemas.ts';
import { translateIssue, type ParseResult } from '../../lib/validation.ts';
import type { Messages } from '../../i18n/index.ts';
import { insertContact } from '../contacts/commands.ts';
import { chunks, type ExistingMatch, type ImportAdapter } from './plan.ts';

const FIELDS = ['kind', 'customer_id', 'name', 'gender', 'title', 'department', 'organisation', 'mobile', 'phone', 'email', 'wechat', 'address', 'postal_code', 'birthday', 'notes'] as const;

/** An update inside the import's transaction (contacts/commands.ts's updateContact opens its own, which cannot nest). */
async function updateContactIn(trx: Db, viewer: Viewer, ctx: AuditContext, id: number, input: ContactInput): Promise<void> {
  const before = await trx
    .selectFrom('contacts as ct')
    .select(FIELDS.map((f) => `ct.${f}` as const))
    .where('ct.id', '=', id)
    .where(scope(viewer, 'contacts', { alias: 'ct' }))
    .executeTakeFirst();
  if (!before) throw new Error(`contact ${id} is not editable by user ${viewer.id}`);
  const values = Object.fromEntries(FIELDS.map((f) => [f, input[f]])) as Pick<ContactInput, (typeof FIELDS)[number]>;
  const changes = diff(before, values);
  if (Object.keys(changes).length === 0) return;
  await trx.updateTable('contacts').set({ ...values, updated_at: nowIso() }).where('id', '=', id).execute();
  await audit(trx, ctx, { action: 'update', entity: 'contact', entityId: id, summary: input.name, changes });
}

/**
 * Customers the viewer can see (the pool too, as the contact form allows) by exact name, short name or credit
 * code: the text of a 客户名称 column → customer id. A name two visible customers share is ambiguous and not used.
 */
async function customersByName(db: Db, viewer: Viewer, names: string[]): Promise<Map<string, number | 'ambiguous'>> {
  const out = new Map<string, number | 'ambiguous'>();
  const note = (key: string, id: number) => {
    const had = out.get(key);
    out.set(key, had === undefined || had === id ? id : 'ambiguous');
  };
  for (const part of chunks([...new Set(names)], 300)) {
    const codes = part.map(normaliseCreditCode);
    const rows = await db
      .selectFrom('customers as c')
      .select(['c.id', 'c.name', 'c.short_name', 'c.credit_code'])
      .where((eb) => eb.or([eb('c.name', 'in', part), eb('c.short_name', 'in', part), eb('c.credit_code', 'in', codes)]))
      .where(scope(viewer, 'customers', { alias: 'c', includePool: true }))
      .execute();
    // Full names first: a short name only counts when no customer has it as its full name.
    for (const r of rows) note(r.name, r.id);
    for (const r of rows) if (r.credit_code) note(r.credit_code, r.id);
    for (const r of rows) if (r.short_name && !rows.some((x) => x.name === r.short_name)) note(r.short_name, r.id);
  }
  return out;
}

/**
 * The contact schema's messages: keys of `validation` first (mobile, email…), then the contacts dictionary's own
 * (dateInvalid, customerRequired) — its labels share some names with validation's keys.
 */
function parseContact(values: Record<string, string>, t: Messages): ParseResult<ContactInput> {
  const result = contactSchema.safeParse(values);
  if (result.success) return { ok: true, data: result.data };
  const validation = t.validation as Record<string, string>;
  const own = t.contacts as unknown as Record<string, unknown>;
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? '_form');
    const key = issue.message.split(':')[0] ?? '';
    const mine = own[key];
    errors[field] ??= key in validation || typeof mine !== 'string' ? translateIssue(issue.message, t) : mine;
  }
  return { ok: false, errors };
}

/** Contacts: duplicates by mobile among the contacts the viewer can see. */
export const contactAdapter: ImportAdapter<ContactInput> = {
  entity: 'contacts',
  defaults: { kind: 'public_relations', gender: '' },
  async prepare(db, viewer, rows, t) {
    const names = rows.map((r) => r.customer).filter((v): v is string => Boolean(v));
    const found = names.length > 0 ? await customersByName(db, viewer, names) : new Map<string, number | 'ambiguous'>();
    return rows.map((given) => {
      const { customer, ...values } = given;
      const errors: FieldErrors = {};
      if (customer) {
        const id = found.get(customer) ?? found.get(normaliseCreditCode(customer));
        if (typeof id === 'number') Object.assign(values, { kind: 'customer', customer_id: String(id) });
        else errors.customer = fill(t.imports.errors.customerNotFound, { name: customer });
      }
      return { values, errors };
    });
  },
  parse: parseContact,
  keys: (data) => (data.mobile ? [{ kind: 'mobile', value: data.mobile }] : []),
  async findExisting(db, viewer, keys) {
    const out = new Map<string, ExistingMatch[]>();
    for (const part of chunks(keys.map((k) => k.value))) {
      const rows = await db
        .selectFrom('contacts as ct')
        .select(['ct.id', 'ct.name', 'ct.mobile'])
        .where('ct.mobile', 'in', part)
        .where(scope(viewer, 'contacts', { alias: 'ct' }))
        .orderBy('ct.id')
        .execute();
      for (const r of rows) out.set(`mobile:${r.mobile}`, [...(out.get(`mobile:${r.mobile}`) ?? []), { id: r.id, label: r.name, kind: 'mobile', locked: false }]);
    }
    return out;
  },
  async currentValues(db, ids) {
    const out = new Map<number, Record<string, string>>();
    for (const part of chunks(ids)) {
      const rows = await db.selectFrom('contacts').select(['id', ...FIELDS]).where('id', 'in', part).execute();
      for (const r of rows) {
        const values: Record<string, string> = {};
        for (const f of FIELDS) values[f] = r[f] === null || r[f] === undefined ? '' : String(r[f]);
        out.set(r.id, values);
      }
    }
    return out;
  },
  insert: (trx, ctx, _viewer, data, ownerId) => insertContact(trx, ctx, data, ownerId),
  update: (trx, ctx, viewer, id, data) => updateContactIn(trx, viewer, ctx, id, data),
};
