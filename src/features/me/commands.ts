import type { Db } from '../../db/index.ts';
import { nowIso, writeTransaction } from '../../db/index.ts';
import { audit, diff, type AuditContext } from '../../audit/index.ts';
import { hashPassword, verifyPassword } from '../../auth/password.ts';
import { createSession, invalidateUserSessions } from '../../auth/session.ts';
import type { Language } from '../../db/types.ts';

export async function updateProfile(db: Db, ctx: AuditContext, userId: number, input: { display_name: string; language: Language }) {
  await writeTransaction(db, async (trx) => {
    const before = await trx.selectFrom('users').select(['display_name', 'language', 'username']).where('id', '=', userId).executeTakeFirstOrThrow();
    await trx.updateTable('users').set({ ...input, updated_at: nowIso() }).where('id', '=', userId).execute();
    const changes = diff({ display_name: before.display_name, language: before.language }, input);
    if (Object.keys(changes).length > 0) await audit(trx, ctx, { action: 'update', entity: 'user', entityId: userId, summary: `${input.display_name} (${before.username})`, changes });
  });
}

/**
 * Changes the password after checking the current one, ends every session of the user (all devices)
 * and opens a fresh one for this browser.
 */
export async function changePassword(
  db: Db,
  ctx: AuditContext,
  userId: number,
  input: { current: string; next: string },
  meta: { ip: string; userAgent: string },
): Promise<{ ok: true; token: string; expiresAt: Date } | { ok: false }> {
  const user = await db.selectFrom('users').select(['password_hash']).where('id', '=', userId).executeTakeFirstOrThrow();
  if (!(await verifyPassword(user.password_hash, input.current))) return { ok: false };
  const passwordHash = await hashPassword(input.next);
  return writeTransaction(db, async (trx) => {
    await trx.updateTable('users').set({ password_hash: passwordHash, must_change_password: 0, updated_at: nowIso() }).where('id', '=', userId).execute();
    await invalidateUserSessions(trx, userId);
    const session = await createSession(trx, userId, meta);
    await audit(trx, ctx, { action: 'password_change', entity: 'user', entityId: userId });
    return { ok: true as const, token: session.token, expiresAt: session.expiresAt };
  });
}
