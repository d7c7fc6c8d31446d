import type { Db } from '../db/index.ts';
import { nowIso } from '../db/index.ts';

export type AuditAction =
  | 'create'
  | 'update'
  | 'delete'
  | 'sign_in'
  | 'sign_out'
  | 'password_change'
  | 'password_reset'
  | 'disable'
  | 'enable'
  | 'setup';

export interface AuditContext {
  actorId: number | null;
  ip: string;
}

/** Fields never written to the audit log, whatever the entity. */
const SECRET_FIELDS = new Set(['password_hash', 'password', 'token', 'logo']);

type Plain = Record<string, unknown>;
export type Changes = Record<string, [unknown, unknown]>;

/** The fields whose values differ between two versions of a record (created: before = null; deleted: after = null). */
export function diff(before: Plain | null, after: Plain | null): Changes {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const out: Changes = {};
  for (const k of keys) {
    if (k === 'updated_at' || k === 'created_at' || SECRET_FIELDS.has(k)) continue;
    const b = before ? (before[k] ?? null) : null;
    const a = after ? (after[k] ?? null) : null;
    if (JSON.stringify(b) !== JSON.stringify(a)) out[k] = [b, a];
  }
  return out;
}

/** Writes one audit entry. Call it inside the command's transaction, with that transaction as `trx`. */
export async function audit(
  trx: Db,
  ctx: AuditContext,
  entry: { action: AuditAction; entity: string; entityId: number | null; summary?: string; changes?: Changes },
): Promise<void> {
  await trx
    .insertInto('audit_log')
    .values({
      at: nowIso(),
      actor_id: ctx.actorId,
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId,
      summary: (entry.summary ?? '').slice(0, 200),
      changes: JSON.stringify(entry.changes ?? {}),
      ip: ctx.ip,
    })
    .execute();
}
