import { z } from 'zod';
import { fill, type Messages } from '../i18n/index.ts';

/**
 * Schemas carry message *keys* of `validation` (optionally `key:param`), translated when rendered,
 * so one schema serves both languages.
 */
export type FieldErrors = Record<string, string>;
export type ParseResult<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

export function translateIssue(message: string, t: Messages): string {
  const [key, param] = message.split(':');
  const table = t.validation as Record<string, string>;
  const template = key ? table[key] : undefined;
  if (!template) return t.validation.invalid;
  return fill(template, { min: param ?? '', max: param ?? '' });
}

/**
 * Parses a form. Messages are keys of `validation`; a feature may also use keys of its own dictionary (`own`,
 * e.g. t.contacts), looked up only when validation has no such key.
 */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown, t: Messages, own?: object): ParseResult<z.output<S>> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return { ok: true, data: result.data };
  const mine = (own ?? {}) as Record<string, unknown>;
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? '_form');
    const key = issue.message.split(':')[0] ?? '';
    const text = key in t.validation ? undefined : mine[key];
    errors[field] ??= typeof text === 'string' ? text : translateIssue(issue.message, t);
  }
  return { ok: false, errors };
}

/** A form field as text: absent → '', a repeated field → its first value. Every field schema starts here. */
export const formText = z.preprocess((v) => (v === undefined || v === null ? '' : Array.isArray(v) ? String(v[0] ?? '') : String(v)), z.string());
const str = formText;

/** A required select or hidden id. */
export const requiredId = str.pipe(z.string().trim().min(1, 'required').regex(/^\d{1,15}$/, 'invalid').transform(Number));

/**
 * A field read by `parse` (money in yuan, a quantity, a percentage), which returns null for text it cannot read:
 * that is the error `key`. Empty: the error 'required', or `empty` as its value.
 */
export function parsedField<T>(parse: (text: string) => T | null, key: string, opts: { required?: boolean; empty?: T } = {}) {
  return str.pipe(
    z
      .string()
      .trim()
      .refine((v) => !opts.required || v !== '', 'required')
      .transform((v, c) => {
        if (v === '' && opts.empty !== undefined) return opts.empty;
        const value = parse(v);
        if (value === null) {
          c.addIssue({ code: 'custom', message: key });
          return z.NEVER;
        }
        return value;
      }),
  );
}

export const requiredText = (max: number) =>
  str.pipe(z.string().trim().min(1, 'required').max(max, `tooLong:${max}`));
export const optionalText = (max: number) => str.pipe(z.string().trim().max(max, `tooLong:${max}`));

const pattern = (re: RegExp, key: string, max = 100) =>
  str.pipe(
    z
      .string()
      .trim()
      .max(max, `tooLong:${max}`)
      .refine((v) => v === '' || re.test(v), key),
  );

export const optionalEmail = pattern(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'email', 200);
/** Mainland China mobile numbers: 11 digits, 1[3-9]… */
export const optionalMobile = pattern(/^1[3-9]\d{9}$/, 'mobile', 11);
/** Landlines (010-12345678, 0755 8888 6666 转 123), mobiles and +86 forms. */
export const optionalPhone = pattern(/^[+\d][\d\s\-()转]{4,28}\d$/, 'phone', 30);
export const optionalPostalCode = pattern(/^\d{6}$/, 'postalCode', 6);

/** A select of ids: '' → null. */
export const optionalId = str.pipe(
  z
    .string()
    .trim()
    .refine((v) => v === '' || /^\d+$/.test(v), 'invalid')
    .transform((v) => (v === '' ? null : Number(v))),
);

export const password = str.pipe(z.string().min(8, 'passwordLength').max(200, 'tooLong:200'));

export function oneOf<T extends readonly [string, ...string[]]>(values: T) {
  return str.pipe(z.enum(values, { message: 'invalid' }));
}

/** Form values echoed back after a failed submit, so nothing the user typed is lost. */
export function formValues(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (body && typeof body === 'object') {
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      if (k === '_csrf' || k.toLowerCase().includes('password')) continue;
      if (typeof v === 'string') out[k] = v;
      else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    }
  }
  return out;
}
