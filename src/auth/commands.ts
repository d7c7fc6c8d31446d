import type { Db } from '../db/index.ts';
import { nowIso, writeTransaction } from '../db/index.ts';
import { audit } from '../audit/index.ts';
import { dummyPasswordHash, hashPassword, verifyPassword } from './password.ts';
import { createSession } from './session.ts';

export const FAILURE_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_USERNAME = 10;
export const MAX_FAILURES_PER_IP = 50;

export type SignInResult =
  | { ok: true; token: string; expiresAt: Date; userId: number }
  | { ok: false; reason: 'invalid' | 'rate_limited' };

export const normaliseUsername = (u: string): string => u.trim().toLowerCase();

/** Checks the failure counters, then the password; counts a failure, or opens a new session (a new token each time). */
export async function signIn(
  db: Db,
  input: { username: string; password: string },
  meta: { ip: string; userAgent: string },
): Promise<SignInResult> {
  const username = normaliseUsername(input.username);
  const since = new Date(Date.now() - FAILURE_WINDOW_MS).toISOString();
  const [byName, byIp] = await Promise.all([
    db.selectFrom('login_failures').select((eb) => eb.fn.countAll<number>().as('n')).where('username', '=', username).where('at', '>', since).executeTakeFirstOrThrow(),
    db.selectFrom('login_failures').select((eb) => eb.fn.countAll<number>().as('n')).where('ip', '=', meta.ip).where('at', '>', since).executeTakeFirstOrThrow(),
  ]);
  if (Number(byName.n) >= MAX_FAILURES_PER_USERNAME || Number(byIp.n) >= MAX_FAILURES_PER_IP) {
    return { ok: false, reason: 'rate_limited' };
  }
  const user = await db
    .selectFrom('users')
    .select(['id', 'password_hash', 'active'])
    .where('username', '=', username)
    .executeTakeFirst();
  // Verify against a dummy hash when the user is unknown, so the answer takes as long either way.
  const valid = await verifyPassword(user?.password_hash ?? (await dummyPasswordHash()), input.password);
  if (!user || !valid || user.active !== 1) {
    await db.insertInto('login_failures').values({ username: username.slice(0, 100), ip: meta.ip, at: nowIso() }).execute();
    return { ok: false, reason: 'invalid' };
  }
  return writeTransaction(db, async (trx) => {
    const session = await createSession(trx, user.id, meta);
    await trx.deleteFrom('login_failures').where('username', '=', username).execute();
    await trx.updateTable('users').set({ last_login_at: nowIso() }).where('id', '=', user.id).execute();
    await audit(trx, { actorId: user.id, ip: meta.ip }, { action: 'sign_in', entity: 'user', entityId: user.id, summary: username });
    return { ok: true as const, token: session.token, expiresAt: session.expiresAt, userId: user.id };
  });
}

export async function signOut(db: Db, sessionId: string, ctx: { actorId: number | null; ip: string }): Promise<void> {
  await writeTransaction(db, async (trx) => {
    await trx.deleteFrom('sessions').where('id', '=', sessionId).execute();
    await audit(trx, ctx, { action: 'sign_out', entity: 'user', entityId: ctx.actorId });
  });
}

export async function pruneLoginFailures(db: Db): Promise<void> {
  const before = new Date(Date.now() - FAILURE_WINDOW_MS).toISOString();
  await db.deleteFrom('login_failures').where('at', '<=', before).execute();
}

export async function isSetUp(db: Db): Promise<boolean> {
  const row = await db.selectFrom('company').select('id').where('id', '=', 1).executeTakeFirst();
  return Boolean(row);
}

/** First run: the company and its first administrator, once. Returns false when setup was already done. */
export async function completeSetup(
  db: Db,
  input: { companyName: string; username: string; displayName: string; email: string; password: string },
  ip: string,
): Promise<boolean> {
  const passwordHash = await hashPassword(input.password);
  return writeTransaction(db, async (trx) => {
    const exists = await trx.selectFrom('company').select('id').where('id', '=', 1).executeTakeFirst();
    if (exists) return false;
    const now = nowIso();
    await trx.insertInto('company').values({ id: 1, name: input.companyName, created_at: now, updated_at: now }).execute();
    const admin = await trx
      .insertInto('users')
      .values({
        username: normaliseUsername(input.username),
        display_name: input.displayName,
        email: input.email,
        role: 'admin',
        department_id: null,
        password_hash: passwordHash,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, { actorId: admin.id, ip }, { action: 'setup', entity: 'company', entityId: 1, summary: input.companyName, changes: { name: [null, input.companyName] } });
    await audit(trx, { actorId: admin.id, ip }, { action: 'create', entity: 'user', entityId: admin.id, summary: input.username, changes: { username: [null, input.username], role: [null, 'admin'] } });
    return true;
  });
}
