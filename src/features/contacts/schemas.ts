import { z } from 'zod';
import { CONTACT_KINDS } from '../../db/types.ts';
import type { Messages } from '../../i18n/index.ts';
import { isIsoDate } from '../../lib/dates.ts';
import { oneOf, optionalEmail, optionalId, optionalMobile, optionalPhone, optionalPostalCode, optionalText, requiredText, parseForm, type ParseResult } from '../../lib/validation.ts';

export const GENDERS = ['', 'male', 'female'] as const;
export const SORTS = ['updated', 'name', 'created'] as const;
export type ContactSort = (typeof SORTS)[number];
export const VIEWS = ['all', 'mine', 'dept'] as const;
export type ContactView = (typeof VIEWS)[number];

/** '' → null; otherwise a real calendar date YYYY-MM-DD (message key of `contacts`: dateInvalid). */
export const optionalDate = optionalText(10)
  .refine((v) => v === '' || isIsoDate(v), 'dateInvalid')
  .transform((v) => (v === '' ? null : v));

/**
 * A contact as a form (or an import row, or a lead conversion) gives it. A customer contact needs a customer;
 * a public-relations contact has none (its organisation is free text). Whether the customer is one the viewer
 * may see is checked by the command, not here.
 */
export const contactSchema = z
  .object({
    kind: oneOf(CONTACT_KINDS),
    customer_id: optionalId,
    name: requiredText(50),
    gender: oneOf(GENDERS),
    title: optionalText(50),
    department: optionalText(50),
    organisation: optionalText(100),
    mobile: optionalMobile,
    phone: optionalPhone,
    email: optionalEmail,
    wechat: optionalText(50),
    address: optionalText(200),
    postal_code: optionalPostalCode,
    birthday: optionalDate,
    notes: optionalText(2000),
  })
  .superRefine((v, ctx) => {
    if (v.kind === 'customer' && v.customer_id === null) ctx.addIssue({ code: 'custom', path: ['customer_id'], message: 'customerRequired' });
  })
  .transform((v) => (v.kind === 'public_relations' ? { ...v, customer_id: null } : { ...v, organisation: '' }));
export type ContactInput = z.output<typeof contactSchema>;

export const keyDateSchema = z.object({
  label: requiredText(30),
  date: optionalText(10).refine((v) => isIsoDate(v), 'dateInvalid'),
  yearly: z.preprocess((v) => (Array.isArray(v) ? v[v.length - 1] : v), z.string().optional()).transform((v) => (v === '1' || v === 'on' ? 1 : 0)),
});
export type KeyDateInput = z.output<typeof keyDateSchema>;

/** Parses with messages translated: the contacts' own keys, then validation's. */
export const parseWith = <S extends z.ZodType>(schema: S, body: unknown, t: Messages): ParseResult<z.output<S>> => parseForm(schema, body, t, t.contacts);

const filter = (max: number) => z.string().trim().max(max).optional().catch(undefined);
const idFilter = z.string().regex(/^\d{1,15}$/).optional().catch(undefined);

/** The list's query parameters. Anything malformed is ignored. */
export const contactListQuery = z.object({
  q: filter(100),
  view: z.enum(VIEWS).optional().catch(undefined),
  owner: idFilter,
  kind: z.enum(CONTACT_KINDS).optional().catch(undefined),
  customer: idFilter,
  birthday: z.enum(['month']).optional().catch(undefined),
  sort: z.enum(SORTS).optional().catch(undefined),
  after: filter(200),
});
export type ContactListQuery = z.output<typeof contactListQuery>;

export const FILTER_KEYS = ['q', 'view', 'owner', 'kind', 'customer', 'birthday', 'sort'] as const;

export function filterQueryString(f: Partial<Record<(typeof FILTER_KEYS)[number], string | undefined>>, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  for (const k of FILTER_KEYS) {
    const v = f[k];
    if (v) p.set(k, v);
  }
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** Ids of checked rows (`ids` repeated or one value), at most 1000. */
export function idList(raw: unknown): number[] {
  const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const ids = values.map(String).filter((v) => /^\d{1,15}$/.test(v)).map(Number);
  return [...new Set(ids)].slice(0, 1000);
}

export const savedViewSchema = z.object({ name: requiredText(30), query: optionalText(1000) });
export const assignmentSchema = z.object({ owner_id: optionalId.refine((v) => v !== null, 'required') });
