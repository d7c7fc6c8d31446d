import type { Db } from '../../db/index.ts';
import { nowIso } from '../../db/index.ts';
import { scope, type Viewer } from '../../access/index.ts';
import { audit, diff, type AuditContext } from '../../audit/index.ts';
import type { Messages } from '../../i18n/index.ts';
import { translateIssue, type FieldErrors, type ParseResult } from '../../lib/validation.ts';
import { leadSchema, type LeadInput } from '../leads/schemas.ts';
import { insertLead } from '../leads/commands.ts';
import { chunks, type DuplicateKey, type ExistingMatch, type ImportAdapter } from './plan.ts';

const FIELDS = ['source', 'company', 'person', 'title', 'mobile', 'phone', 'email', 'wechat', 'province', 'city', 'address', 'industry', 'status', 'disqualify_reason', 'notes'] as const;

/** An update inside the import's transaction (leads/commands.ts's updateLead opens its own, which cannot nest). A converted lead stays qualified. */
async function updateLeadIn(trx: Db, viewer: Viewer, ctx: AuditContext, id: number, input: LeadInput): Promise<void> {
  const before = await trx
    .selectFrom('leads as l')
    .select([...FIELDS.map((f) => `l.${f}` as const), 'l.converted_at'])
    .where('l.id', '=', id)
    .where(scope(viewer, 'leads', { alias: 'l' }))
    .executeTakeFirst();
  if (!before) throw new Error(`lead ${id} is not editable by user ${viewer.id}`);
  const { converted_at: convertedAt, ...old } = before;
  const source = convertedAt ? { ...input, status: 'qualified', disqualify_reason: '' } : input;
  const values = Object.fromEntries(FIELDS.map((f) => [f, source[f]])) as Record<(typeof FIELDS)[number], string>;
  const changes = diff(old, values);
  if (Object.keys(changes).length === 0) return;
  await trx.updateTable('leads').set({ ...values, updated_at: nowIso() }).where('id', '=', id).execute();
  await audit(trx, ctx, { action: 'update', entity: 'lead', entityId: id, summary: values.company || values.person, changes });
}

/** validation's keys first (mobile, email…), then the leads dictionary's own (disqualifyReasonRequired). */
function parseLead(values: Record<string, string>, t: Messages): ParseResult<LeadInput> {
  const result = leadSchema.safeParse(values);
  if (result.success) return { ok: true, data: result.data };
  const validation = t.validation as Record<string, string>;
  const own = t.leads as unknown as Record<string, unknown>;
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? '_form');
    const key = issue.message.split(':')[0] ?? '';
    const mine = own[key];
    errors[field] ??= key in validation || typeof mine !== 'string' ? translateIssue(issue.message, t) : mine;
  }
  return { ok: false, errors };
}

/** Leads: duplicates by mobile or email among the leads the viewer can see. */
export const leadAdapter: ImportAdapter<LeadInput> = {
  entity: 'leads',
  defaults: { source: 'other', status: 'new' },
  parse: parseLead,
  keys(data) {
    const keys: DuplicateKey[] = [];
    if (data.mobile) keys.push({ kind: 'mobile', value: data.mobile });
    if (data.email) keys.push({ kind: 'email', value: data.email.toLowerCase() });
    return keys;
  },
  async findExisting(db, viewer, keys) {
    const out = new Map<string, ExistingMatch[]>();
    const add = (key: string, m: ExistingMatch) => out.set(key, [...(out.get(key) ?? []), m]);
    const mobiles = keys.filter((k) => k.kind === 'mobile').map((k) => k.value);
    const emails = keys.filter((k) => k.kind === 'email').map((k) => k.value);
    for (const part of chunks(mobiles)) {
      const rows = await db.selectFrom('leads as l').select(['l.id', 'l.person', 'l.company', 'l.mobile']).where('l.mobile', 'in', part).where(scope(viewer, 'leads', { alias: 'l' })).orderBy('l.id').execute();
      for (const r of rows) add(`mobile:${r.mobile}`, { id: r.id, label: r.company ? `${r.person}（${r.company}）` : r.person, kind: 'mobile', locked: false });
    }
    for (const part of chunks(emails)) {
      // Addresses compare case-insensitively (SQLite's lower() is ASCII-only, which is what e-mail addresses are).
      const rows = await db
        .selectFrom('leads as l')
        .select(['l.id', 'l.person', 'l.company', 'l.email'])
        .where((eb) => eb(eb.fn('lower', ['l.email']), 'in', part))
        .where(scope(viewer, 'leads', { alias: 'l' }))
        .orderBy('l.id')
        .execute();
      for (const r of rows) add(`email:${r.email.toLowerCase()}`, { id: r.id, label: r.company ? `${r.person}（${r.company}）` : r.person, kind: 'email', locked: false });
    }
    return out;
  },
  async currentValues(db, ids) {
    const out = new Map<number, Record<string, string>>();
    for (const part of chunks(ids)) {
      const rows = await db.selectFrom('leads').select(['id', ...FIELDS]).where('id', 'in', part).execute();
      for (const r of rows) out.set(r.id, Object.fromEntries(FIELDS.map((f) => [f, r[f] ?? ''])));
    }
    return out;
  },
  insert: (trx, ctx, _viewer, data, ownerId) => insertLead(trx, ctx, data, ownerId),
  update: (trx, ctx, viewer, id, data) => updateLeadIn(trx, viewer, ctx, id, data),
};
