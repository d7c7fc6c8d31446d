import type { Db } from '../../db/index.ts';
import { nowIso, writeTransaction } from '../../db/index.ts';
import { audit, diff, type AuditContext } from '../../audit/index.ts';
import { generateTemporaryPassword, hashPassword } from '../../auth/password.ts';
import { invalidateUserSessions } from '../../auth/session.ts';
import { moveUserDepartment } from '../opportunities/summary-keys.ts';
import type { CreateUserInput, UpdateUserInput } from './schemas.ts';

export type UserError = 'usernameTaken' | 'cannotDisableSelf' | 'cannotDemoteSelf' | 'notFound' | 'departmentMissing';
export type UserResult = { ok: true; id: number } | { ok: false; error: UserError; field: string };

async function departmentExists(trx: Db, id: number | null): Promise<boolean> {
  if (id === null) return true;
  return Boolean(await trx.selectFrom('departments').select('id').where('id', '=', id).executeTakeFirst());
}

export async function createUser(db: Db, ctx: AuditContext, input: CreateUserInput): Promise<UserResult> {
  const passwordHash = await hashPassword(input.password);
  return writeTransaction(db, async (trx) => {
    const taken = await trx.selectFrom('users').select('id').where('username', '=', input.username).executeTakeFirst();
    if (taken) return { ok: false, error: 'usernameTaken', field: 'username' };
    if (!(await departmentExists(trx, input.department_id))) return { ok: false, error: 'departmentMissing', field: 'department_id' };
    const now = nowIso();
    const { password: _pw, ...profile } = input;
    const { id } = await trx
      .insertInto('users')
      .values({ ...profile, password_hash: passwordHash, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, ctx, { action: 'create', entity: 'user', entityId: id, summary: `${input.display_name} (${input.username})`, changes: diff(null, profile) });
    return { ok: true, id };
  });
}

export async function updateUser(db: Db, ctx: AuditContext, id: number, input: UpdateUserInput): Promise<UserResult> {
  return writeTransaction(db, async (trx) => {
    const before = await trx
      .selectFrom('users')
      .select(['username', 'display_name', 'email', 'phone', 'department_id', 'role', 'language'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!before) return { ok: false, error: 'notFound', field: 'display_name' };
    if (id === ctx.actorId && before.role === 'admin' && input.role !== 'admin') return { ok: false, error: 'cannotDemoteSelf', field: 'role' };
    if (!(await departmentExists(trx, input.department_id))) return { ok: false, error: 'departmentMissing', field: 'department_id' };
    await trx.updateTable('users').set({ ...input, updated_at: nowIso() }).where('id', '=', id).execute();
    const { username, ...old } = before;
    const changes = diff(old, input);
    // A new role or department changes what the user may see: make them sign in again.
    if (changes.role || changes.department_id) await invalidateUserSessions(trx, id);
    // A department's summary rows hold its current members' figures.
    if (changes.department_id) await moveUserDepartment(trx, id, before.department_id, input.department_id);
    if (Object.keys(changes).length > 0) await audit(trx, ctx, { action: 'update', entity: 'user', entityId: id, summary: `${input.display_name} (${username})`, changes });
    return { ok: true, id };
  });
}

/** Disabling ends every session of the user at once. */
export async function setUserActive(db: Db, ctx: AuditContext, id: number, active: boolean): Promise<UserResult> {
  return writeTransaction(db, async (trx) => {
    const before = await trx.selectFrom('users').select(['username', 'display_name', 'active']).where('id', '=', id).executeTakeFirst();
    if (!before) return { ok: false, error: 'notFound', field: 'active' };
    if (!active && id === ctx.actorId) return { ok: false, error: 'cannotDisableSelf', field: 'active' };
    if ((before.active === 1) === active) return { ok: true, id };
    await trx.updateTable('users').set({ active: active ? 1 : 0, updated_at: nowIso() }).where('id', '=', id).execute();
    if (!active) await invalidateUserSessions(trx, id);
    await audit(trx, ctx, { action: active ? 'enable' : 'disable', entity: 'user', entityId: id, summary: `${before.display_name} (${before.username})`, changes: { active: [before.active, active ? 1 : 0] } });
    return { ok: true, id };
  });
}

/** Sets a generated temporary password the user must change at next sign-in; returns it to show once. */
export async function resetPassword(db: Db, ctx: AuditContext, id: number): Promise<{ ok: true; password: string; name: string } | { ok: false }> {
  const temporary = generateTemporaryPassword();
  const passwordHash = await hashPassword(temporary);
  return writeTransaction(db, async (trx) => {
    const user = await trx.selectFrom('users').select(['username', 'display_name']).where('id', '=', id).executeTakeFirst();
    if (!user) return { ok: false as const };
    await trx.updateTable('users').set({ password_hash: passwordHash, must_change_password: 1, updated_at: nowIso() }).where('id', '=', id).execute();
    await invalidateUserSessions(trx, id);
    await audit(trx, ctx, { action: 'password_reset', entity: 'user', entityId: id, summary: `${user.display_name} (${user.username})` });
    return { ok: true as const, password: temporary, name: user.display_name };
  });
}
