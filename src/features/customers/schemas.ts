import { z } from 'zod';
import { CUSTOMER_GRADES, CUSTOMER_SIZES, CUSTOMER_SOURCES, CUSTOMER_TYPES, LIFECYCLE_STAGES } from '../../db/types.ts';
import type { Messages } from '../../i18n/index.ts';
import { isValidCreditCode, normaliseCreditCode } from '../../lib/credit-code.ts';
import { oneOf, optionalPhone, optionalPostalCode, optionalText, requiredText, translateIssue, type ParseResult } from '../../lib/validation.ts';

export const INDUSTRIES = ['it', 'manufacturing', 'finance', 'retail', 'healthcare', 'education', 'construction', 'energy', 'logistics', 'agriculture', 'media', 'government', 'other'] as const;
export type Industry = (typeof INDUSTRIES)[number];

/** Provincial-level divisions, as addresses write them (data, not UI text). */
export const PROVINCES = [
  '北京', '天津', '河北', '山西', '内蒙古', '辽宁', '吉林', '黑龙江', '上海', '江苏', '浙江', '安徽', '福建', '江西', '山东', '河南', '湖北', '湖南',
  '广东', '广西', '海南', '重庆', '四川', '贵州', '云南', '西藏', '陕西', '甘肃', '青海', '宁夏', '新疆', '香港', '澳门', '台湾',
] as const;

export const SORTS = ['updated', 'name', 'created'] as const;
export type CustomerSort = (typeof SORTS)[number];
export const VIEWS = ['all', 'mine', 'dept', 'pool'] as const;
export type CustomerView = (typeof VIEWS)[number];

const MAX_TAGS = 10;
const MAX_TAG_LENGTH = 20;

/** "重点, 华东 重点" → ['重点', '华东']: commas (also Chinese ones), semicolons and spaces separate tags. */
export function parseTags(raw: string): string[] {
  const out: string[] = [];
  for (const t of raw.split(/[\s,，;；、]+/)) {
    const tag = t.trim();
    if (tag && !out.includes(tag)) out.push(tag);
  }
  return out;
}

const optionalChoice = <T extends readonly string[]>(values: T) => oneOf(['', ...values] as unknown as readonly [string, ...string[]]);

/**
 * A customer as a form (or an import row) gives it. Messages are keys of `validation` or of `customers`
 * (creditCodeInvalid, websiteInvalid, tagTooLong): use parseCustomer() to get them translated.
 */
export const customerSchema = z.object({
  name: requiredText(100),
  short_name: optionalText(50),
  type: oneOf(CUSTOMER_TYPES),
  credit_code: optionalText(30)
    .transform(normaliseCreditCode)
    .refine((v) => v === '' || isValidCreditCode(v), 'creditCodeInvalid')
    .transform((v) => (v === '' ? null : v)),
  industry: optionalChoice(INDUSTRIES),
  province: optionalChoice(PROVINCES),
  city: optionalText(30),
  address: optionalText(200),
  postal_code: optionalPostalCode,
  phone: optionalPhone,
  website: optionalText(200).refine((v) => v === '' || /^(https?:\/\/)?[\w-]+(\.[\w-]+)+(:\d+)?([/?#]\S*)?$/i.test(v), 'websiteInvalid'),
  size: optionalChoice(CUSTOMER_SIZES),
  source: oneOf(CUSTOMER_SOURCES),
  grade: oneOf(CUSTOMER_GRADES),
  lifecycle: oneOf(LIFECYCLE_STAGES),
  tags: optionalText(400)
    .transform(parseTags)
    .refine((tags) => tags.length <= MAX_TAGS && tags.every((t) => [...t].length <= MAX_TAG_LENGTH), 'tagTooLong'),
  notes: optionalText(2000),
});
export type CustomerInput = z.output<typeof customerSchema>;

/** Parses a customer form with every message translated (customers' own keys first, then validation's). */
export function parseCustomer(body: unknown, t: Messages): ParseResult<CustomerInput> {
  const result = customerSchema.safeParse(body ?? {});
  if (result.success) return { ok: true, data: result.data };
  const own: Record<string, string> = { creditCodeInvalid: t.customers.creditCodeInvalid, websiteInvalid: t.customers.websiteInvalid, tagTooLong: t.customers.tagTooLong };
  const errors: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? '_form');
    errors[field] ??= own[issue.message] ?? translateIssue(issue.message, t);
  }
  return { ok: false, errors };
}

const filter = (max: number) => z.string().trim().max(max).optional().catch(undefined);

/** The list's query parameters: filters, sort, view, keyset cursor. Anything malformed is ignored. */
export const customerListQuery = z.object({
  q: filter(100),
  view: z.enum(VIEWS).optional().catch(undefined),
  owner: z.string().regex(/^\d{1,15}$/).optional().catch(undefined),
  grade: z.enum(CUSTOMER_GRADES).optional().catch(undefined),
  lifecycle: z.enum(LIFECYCLE_STAGES).optional().catch(undefined),
  industry: z.enum(INDUSTRIES).optional().catch(undefined),
  province: z.enum(PROVINCES).optional().catch(undefined),
  tag: filter(20),
  type: z.enum(CUSTOMER_TYPES).optional().catch(undefined),
  source: z.enum(CUSTOMER_SOURCES).optional().catch(undefined),
  sort: z.enum(SORTS).optional().catch(undefined),
  after: filter(200),
});
export type CustomerListQuery = z.output<typeof customerListQuery>;

/** The filter parameters kept in links, saved views and exports (not the cursor). */
export const FILTER_KEYS = ['q', 'view', 'owner', 'grade', 'lifecycle', 'industry', 'province', 'tag', 'type', 'source', 'sort'] as const;

export function filterQueryString(f: CustomerListQuery, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  for (const k of FILTER_KEYS) {
    const v = f[k];
    if (v) p.set(k, v);
  }
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** Ids of checked rows (`ids` repeated or one value). */
export function idList(raw: unknown): number[] {
  const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const ids = values.map(String).filter((v) => /^\d{1,15}$/.test(v)).map(Number);
  return [...new Set(ids)].slice(0, 1000);
}

export const savedViewSchema = z.object({
  name: requiredText(30),
  query: optionalText(1000),
});

export const poolSettingsSchema = z.object({
  pool_days: z.coerce.number().int('poolDaysRange').min(1, 'poolDaysRange').max(3650, 'poolDaysRange'),
  pool_claim_limit: z.coerce.number().int('poolClaimLimitRange').min(1, 'poolClaimLimitRange').max(100000, 'poolClaimLimitRange'),
});
