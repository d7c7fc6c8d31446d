import { z } from 'zod';
import { CUSTOMER_GRADES, CUSTOMER_SOURCES, CUSTOMER_TYPES, LEAD_STATUSES } from '../../db/types.ts';
import type { Messages } from '../../i18n/index.ts';
import { oneOf, optionalEmail, optionalId, optionalMobile, optionalPhone, optionalText, requiredText, parseForm, type ParseResult } from '../../lib/validation.ts';
import { INDUSTRIES, PROVINCES } from '../customers/schemas.ts';

export { INDUSTRIES, PROVINCES };
export const SORTS = ['updated', 'company', 'created'] as const;
export type LeadSort = (typeof SORTS)[number];
export const VIEWS = ['all', 'mine', 'dept'] as const;
export type LeadView = (typeof VIEWS)[number];
export const CONVERSION_MODES = ['new', 'existing'] as const;

const optionalChoice = <T extends readonly string[]>(values: T) => oneOf(['', ...values] as unknown as readonly [string, ...string[]]);

/** A lead as its form (or an import row) gives it. Disqualifying needs a reason; other statuses drop it. */
export const leadSchema = z
  .object({
    source: oneOf(CUSTOMER_SOURCES),
    company: optionalText(100),
    person: requiredText(50),
    title: optionalText(50),
    mobile: optionalMobile,
    phone: optionalPhone,
    email: optionalEmail,
    wechat: optionalText(50),
    province: optionalChoice(PROVINCES),
    city: optionalText(30),
    address: optionalText(200),
    industry: optionalChoice(INDUSTRIES),
    status: oneOf(LEAD_STATUSES),
    disqualify_reason: optionalText(500),
    notes: optionalText(2000),
  })
  .superRefine((v, ctx) => {
    if (v.status === 'disqualified' && v.disqualify_reason === '') ctx.addIssue({ code: 'custom', path: ['disqualify_reason'], message: 'disqualifyReasonRequired' });
  })
  .transform((v) => (v.status === 'disqualified' ? v : { ...v, disqualify_reason: '' }));
export type LeadInput = z.output<typeof leadSchema>;

/**
 * The conversion form: either a new customer (a few fields, the rest from the lead) or an existing one, and the
 * contact. Customer and contact fields carry prefixes because both have a name and a phone.
 */
export const conversionSchema = z
  .object({
    mode: oneOf(CONVERSION_MODES),
    customer_id: optionalId,
    customer_name: optionalText(100),
    customer_type: oneOf(CUSTOMER_TYPES),
    customer_grade: oneOf(CUSTOMER_GRADES),
  })
  .superRefine((v, ctx) => {
    if (v.mode === 'existing' && v.customer_id === null) ctx.addIssue({ code: 'custom', path: ['customer_id'], message: 'customerRequired' });
    if (v.mode === 'new' && v.customer_name === '') ctx.addIssue({ code: 'custom', path: ['customer_name'], message: 'required' });
  });
export type ConversionInput = z.output<typeof conversionSchema>;

/** Parses with messages translated: the leads' own keys, then validation's. */
export const parseWith = <S extends z.ZodType>(schema: S, body: unknown, t: Messages): ParseResult<z.output<S>> => parseForm(schema, body, t, t.leads);

const filter = (max: number) => z.string().trim().max(max).optional().catch(undefined);

export const leadListQuery = z.object({
  q: filter(100),
  view: z.enum(VIEWS).optional().catch(undefined),
  owner: z.string().regex(/^\d{1,15}$/).optional().catch(undefined),
  status: z.enum(LEAD_STATUSES).optional().catch(undefined),
  source: z.enum(CUSTOMER_SOURCES).optional().catch(undefined),
  sort: z.enum(SORTS).optional().catch(undefined),
  after: filter(200),
});
export type LeadListQuery = z.output<typeof leadListQuery>;

export const FILTER_KEYS = ['q', 'view', 'owner', 'status', 'source', 'sort'] as const;

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
