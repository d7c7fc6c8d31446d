import { z } from 'zod';
import type { Db } from '../../db/index.ts';
import { dayRangeUtc } from '../../lib/dates.ts';

export const PAGE_SIZE = 50;

export const auditListQuery = z.object({
  actor: z.string().regex(/^\d+$/).optional().catch(undefined),
  entity: z.string().regex(/^[a-z_]{1,40}$/).optional().catch(undefined),
  entity_id: z.string().regex(/^\d+$/).optional().catch(undefined),
  action: z.string().regex(/^[a-z_]{1,40}$/).optional().catch(undefined),
  from: z.string().max(10).optional().catch(undefined),
  to: z.string().max(10).optional().catch(undefined),
  before: z.string().regex(/^\d+$/).optional().catch(undefined),
});
export type AuditListQuery = z.output<typeof auditListQuery>;

/** Newest first, keyset on id (`before` = the last id of the previous page). Dates are days in the company's zone. */
export async function listAudit(db: Db, f: AuditListQuery, timeZone: string) {
  let q = db
    .selectFrom('audit_log as a')
    .leftJoin('users as u', 'u.id', 'a.actor_id')
    .select(['a.id', 'a.at', 'a.action', 'a.entity', 'a.entity_id', 'a.summary', 'a.changes', 'a.ip', 'a.actor_id', 'u.display_name as actor_name', 'u.username as actor_username'])
    .orderBy('a.id', 'desc')
    .limit(PAGE_SIZE + 1);
  if (f.actor) q = q.where('a.actor_id', '=', Number(f.actor));
  if (f.entity) q = q.where('a.entity', '=', f.entity);
  if (f.entity_id) q = q.where('a.entity_id', '=', Number(f.entity_id));
  if (f.action) q = q.where('a.action', '=', f.action);
  const range = dayRangeUtc(f.from, f.to, timeZone);
  if (range.start) q = q.where('a.at', '>=', range.start);
  if (range.end) q = q.where('a.at', '<', range.end);
  if (f.before) q = q.where('a.id', '<', Number(f.before));
  const rows = await q.execute();
  const hasMore = rows.length > PAGE_SIZE;
  const entries = (hasMore ? rows.slice(0, PAGE_SIZE) : rows).map((r) => ({
    ...r,
    changes: safeParse(r.changes),
  }));
  return { entries, nextBefore: hasMore ? entries[entries.length - 1]!.id : null };
}

function safeParse(json: string): Record<string, [unknown, unknown]> {
  try {
    return JSON.parse(json) as Record<string, [unknown, unknown]>;
  } catch {
    return {};
  }
}

export async function auditActors(db: Db) {
  return db.selectFrom('users').select(['id', 'display_name', 'username']).orderBy('display_name').execute();
}

/**
 * The audit entries of one record, newest first, with who made them (the field history of a record page).
 * Callers check that the viewer may see the record first.
 */
export async function historyOf(db: Db, entity: string, entityId: number, limit = 100) {
  const rows = await db
    .selectFrom('audit_log as a')
    .leftJoin('users as u', 'u.id', 'a.actor_id')
    .select(['a.id', 'a.at', 'a.action', 'a.summary', 'a.changes', 'a.actor_id', 'u.display_name as actor_name'])
    .where('a.entity', '=', entity)
    .where('a.entity_id', '=', entityId)
    .orderBy('a.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, changes: safeParse(r.changes) }));
}
