import { z } from 'zod';
import { isIsoDate } from '../../lib/dates.ts';

const id = z.string().regex(/^\d{1,15}$/).transform(Number).optional().catch(undefined);
const day = z.string().refine(isIsoDate).optional().catch(undefined);

/** Board filters (query string, and hidden fields of a move so the board re-renders as it was). */
export const boardQuery = z.object({
  pipeline: id,
  owner: id,
  who: z.enum(['mine', 'team']).optional().catch(undefined),
  close_from: day,
  close_to: day,
});
export type BoardQuery = z.output<typeof boardQuery>;

/** The next cards of a column: which stage, after which card, and how many are shown of how many (for the link). */
export const cardsQuery = boardQuery.extend({
  stage: id,
  after: z.string().max(40).optional().catch(undefined),
  shown: id,
  total: id,
});

/** A move on the board: which deal, to which stage, with the reason a close needs. */
export const moveForm = boardQuery.extend({
  opportunity_id: id,
  to_stage_id: id,
  reason: z.string().trim().max(500).optional().catch(undefined),
});

export const overviewQuery = z.object({
  pipeline: id,
  rows: z.enum(['company', 'department', 'rep']).optional().catch(undefined),
  from: day,
  to: day,
});
export type OverviewQuery = z.output<typeof overviewQuery>;

/** Query-string form of the board filters (for links and redirects). */
export function boardSearch(q: BoardQuery): string {
  const p = new URLSearchParams();
  if (q.pipeline) p.set('pipeline', String(q.pipeline));
  if (q.owner) p.set('owner', String(q.owner));
  if (q.who) p.set('who', q.who);
  if (q.close_from) p.set('close_from', q.close_from);
  if (q.close_to) p.set('close_to', q.close_to);
  const s = p.toString();
  return s ? `?${s}` : '';
}
