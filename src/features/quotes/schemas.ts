import { z } from 'zod';
import { formText, optionalId, optionalText, parsedField, requiredId } from '../../lib/validation.ts';
import { isIsoDate } from '../../lib/dates.ts';
import { parseYuanToFen } from '../../lib/money.ts';
import { parsePercent, parseQuantity } from '../../lib/quote-math.ts';
import { QUOTE_STATUSES, TAX_MODES } from '../../db/types.ts';

const str = formText;
const date = str.pipe(z.string().trim().min(1, 'required').refine(isIsoDate, 'date'));
const percent = (key: string, required = false) => parsedField(parsePercent, key, { required });

/** The quote's header: who it is for, dates, tax mode and terms. The customer and deal are fixed once created. */
export const quoteHeaderSchema = z
  .object({
    customer_id: requiredId,
    contact_id: optionalId,
    opportunity_id: optionalId,
    quote_date: date,
    valid_until: date,
    tax_mode: str.pipe(z.enum(TAX_MODES, { message: 'invalid' })),
    payment_terms: optionalText(500),
    delivery_terms: optionalText(500),
    warranty_terms: optionalText(500),
    notes: optionalText(1000),
  })
  .superRefine((q, c) => {
    if (q.valid_until < q.quote_date) c.addIssue({ code: 'custom', path: ['valid_until'], message: 'validBeforeDate' });
  });
export type QuoteHeaderInput = z.output<typeof quoteHeaderSchema>;

/** One line: a product from the price book (its name, spec and unit prefilled) or free text. */
export const quoteLineSchema = z.object({
  product_id: optionalId,
  name: optionalText(200),
  spec: optionalText(200),
  unit: optionalText(10),
  quantity: parsedField(parseQuantity, 'quantity', { required: true }),
  unit_price: parsedField(parseYuanToFen, 'price', { required: true }),
  discount: percent('discount'),
  // Required: an emptied field must not quietly become 0% VAT (type 0 for a zero-rated line).
  tax_rate: percent('taxRate', true),
});
export type QuoteLineInput = z.output<typeof quoteLineSchema>;

export const decisionSchema = z
  .object({
    decision: str.pipe(z.enum(['approve', 'reject'], { message: 'invalid' })),
    comment: optionalText(500),
  })
  .superRefine((d, c) => {
    if (d.decision === 'reject' && d.comment === '') c.addIssue({ code: 'custom', path: ['comment'], message: 'commentRequired' });
  });

/** Company quote settings: the number pattern needs a sequence placeholder ({###…}); thresholds are percentages. */
export const quoteSettingsSchema = z
  .object({
    quote_number_pattern: str.pipe(
      z
        .string()
        .trim()
        .min(1, 'required')
        .max(40, 'tooLong:40')
        .refine((v) => /\{#{1,8}\}/.test(v) && /^[\w\-/{}#.]+$/.test(v), 'pattern'),
    ),
    manager_threshold: percent('threshold'),
    director_threshold: percent('threshold'),
    quote_validity_days: str.pipe(z.string().trim().regex(/^\d{1,3}$/, 'days').transform(Number)).refine((n) => n >= 1 && n <= 365, 'days'),
    quote_payment_terms: optionalText(500),
    quote_delivery_terms: optionalText(500),
    quote_warranty_terms: optionalText(500),
  })
  .superRefine((s, c) => {
    if (s.director_threshold < s.manager_threshold) c.addIssue({ code: 'custom', path: ['director_threshold'], message: 'thresholdOrder' });
  });
export type QuoteSettingsInput = z.output<typeof quoteSettingsSchema>;

const optStr = z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined), z.string().max(100).optional());
const optNum = optStr.refine((v) => v === undefined || /^\d{1,15}$/.test(v)).catch(undefined);

export const quoteListQuery = z.object({
  q: optStr.catch(undefined),
  view: z.enum(['mine', 'department', 'all']).optional().catch(undefined),
  status: z.enum(QUOTE_STATUSES).optional().catch(undefined),
  owner: optNum,
  after: optStr.catch(undefined),
});
export type QuoteListQuery = z.output<typeof quoteListQuery>;

export function quoteQueryString(f: QuoteListQuery, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== '' && k !== 'after') p.set(k, String(v));
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}
