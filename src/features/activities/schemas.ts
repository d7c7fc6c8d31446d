import { z } from 'zod';
import { oneOf, optionalId, optionalText, requiredText } from '../../lib/validation.ts';

export const ACTIVITY_TYPES = ['visit', 'call', 'meeting', 'email', 'task', 'note'] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];
export const ACTIVITY_STATUSES = ['planned', 'done', 'cancelled'] as const;
export type ActivityStatus = (typeof ACTIVITY_STATUSES)[number];

/** The same form field sent once (string) or several times (array) → an array of strings. */
const stringList = z.preprocess((v) => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v.map(String) : [String(v)]), z.array(z.string()));

const idList = stringList.pipe(
  z
    .array(z.string().regex(/^\d{1,15}$/, 'invalid'))
    .max(50, 'invalid')
    .transform((ids) => [...new Set(ids.map(Number))]),
);

const minutes = z.preprocess(
  (v) => (v === undefined || v === null ? '' : String(Array.isArray(v) ? v[0] : v).trim()),
  z
    .string()
    .refine((v) => v === '' || (/^\d{1,5}$/.test(v) && Number(v) <= 10080), 'duration')
    .transform((v) => (v === '' ? 0 : Number(v))),
);

/** The fields an activity form posts. Times are local (datetime-local) strings, converted in commands with the company zone. */
const activityFields = {
  type: oneOf(ACTIVITY_TYPES),
  subject: requiredText(200),
  starts_at: requiredText(20),
  duration_minutes: minutes,
  location: optionalText(200),
  outcome: optionalText(2000),
  next_step: optionalText(1000),
  remind_at: optionalText(20),
  customer_id: optionalId,
  contact_id: optionalId,
  lead_id: optionalId,
  /** Set from a deal's pages (hidden field); not chosen in the form. */
  opportunity_id: optionalId,
  participants: idList,
};

export const createActivitySchema = z.object({ ...activityFields, status: oneOf(['planned', 'done'] as const) });
export type CreateActivityInput = z.output<typeof createActivitySchema>;

export const updateActivitySchema = z.object(activityFields);
export type UpdateActivityInput = z.output<typeof updateActivitySchema>;

export const completionSchema = z.object({ outcome: optionalText(2000), next_step: optionalText(1000) });
export type CompletionInput = z.output<typeof completionSchema>;

const queryText = (max: number) => z.preprocess((v) => (typeof v === 'string' ? v.trim().slice(0, max) : ''), z.string());
const queryId = z.preprocess((v) => (typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : undefined), z.number().optional());

/** Which record an activity is about: ?customer_id= | ?contact_id= | ?lead_id= (the first present wins). */
export const subjectQuery = z.object({ customer_id: queryId, contact_id: queryId, lead_id: queryId });

export const calendarQuery = z.object({
  view: z.preprocess((v) => (v === 'day' || v === 'month' ? v : 'week'), z.enum(['day', 'week', 'month'])),
  date: queryText(10),
  owner: queryId,
  team: z.preprocess((v) => v === '1', z.boolean()),
});
export type CalendarQuery = z.output<typeof calendarQuery>;

export const taskListQuery = z.object({
  owner: queryId,
  team: z.preprocess((v) => v === '1', z.boolean()),
  /** Keyset cursor: `${starts_at}|${id}` of the last row shown. */
  after: queryText(60),
});
export type TaskListQuery = z.output<typeof taskListQuery>;

export const activityListQuery = z.object({
  q: queryText(100),
  type: z.preprocess((v) => ((ACTIVITY_TYPES as readonly unknown[]).includes(v) ? v : ''), z.string()),
  status: z.preprocess((v) => ((ACTIVITY_STATUSES as readonly unknown[]).includes(v) ? v : ''), z.string()),
  customer_id: queryId,
  contact_id: queryId,
  lead_id: queryId,
  owner: queryId,
  team: z.preprocess((v) => v === '1', z.boolean()),
  /** Keyset cursor: `${starts_at}|${id}` of the last row shown (newest first). */
  before: queryText(60),
});
export type ActivityListQuery = z.output<typeof activityListQuery>;
