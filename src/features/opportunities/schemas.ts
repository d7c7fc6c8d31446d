import { z } from 'zod';
import { formText, optionalText, oneOf, parsedField, requiredId, requiredText } from '../../lib/validation.ts';
import { isIsoDate } from '../../lib/dates.ts';
import { parseYuanToFen } from '../../lib/money.ts';

export const OPPORTUNITY_SOURCES = ['lead', 'existing_customer', 'referral', 'partner', 'marketing', 'cold_call', 'other'] as const;
/** How far a deal's probability may move away from its stage's (in percentage points). */
export const PROBABILITY_SPREAD = 20;

const str = formText;
const ids = z.preprocess((v) => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(z.string())).transform((a) =>
  [...new Set(a.filter((x) => /^\d{1,15}$/.test(x)).map(Number))],
);

/** The deal form. Money as yuan text → fen; probability '' → the stage's; the stage bounds are checked in the command. */
export const opportunitySchema = z.object({
  name: requiredText(120),
  customer_id: requiredId,
  amount: parsedField(parseYuanToFen, 'amount', { required: true }),
  expected_close_date: str.pipe(z.string().trim().min(1, 'required').refine(isIsoDate, 'date')),
  pipeline_id: requiredId,
  stage_id: requiredId,
  probability: str.pipe(
    z
      .string()
      .trim()
      .refine((v) => v === '' || /^\d{1,3}$/.test(v), 'probability')
      .transform((v) => (v === '' ? null : Number(v))),
  ),
  source: oneOf(OPPORTUNITY_SOURCES),
  owner_id: str.pipe(z.string().trim().refine((v) => v === '' || /^\d+$/.test(v), 'invalid').transform((v) => (v === '' ? null : Number(v)))),
  competitor_ids: ids,
  next_step: optionalText(200),
  description: optionalText(2000),
});
export type OpportunityInput = z.output<typeof opportunitySchema>;

export const SORTS = ['updated', 'close', 'amount', 'name'] as const;
export type Sort = (typeof SORTS)[number];

const optStr = z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined), z.string().max(100).optional());
const optDate = optStr.refine((v) => v === undefined || isIsoDate(v)).catch(undefined);
const optNum = optStr.refine((v) => v === undefined || /^\d{1,15}$/.test(v)).catch(undefined);

export const listQuery = z.object({
  q: optStr.catch(undefined),
  view: z.enum(['mine', 'department', 'all']).optional().catch(undefined),
  owner: optNum,
  /** The owner's department (the overview table's department rows link here). */
  department: optNum,
  pipeline: optNum,
  stage: optNum,
  status: z.enum(['open', 'won', 'lost']).optional().catch(undefined),
  close_from: optDate,
  close_to: optDate,
  sort: z.enum(SORTS).optional().catch(undefined),
  after: optStr.catch(undefined),
});
export type ListQuery = z.output<typeof listQuery>;

export function listQueryString(f: ListQuery, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== '' && k !== 'after') p.set(k, String(v));
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}
