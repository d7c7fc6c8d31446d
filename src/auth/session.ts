import { createHash } from 'node:crypto';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { dataVersion, rootOf, type Db } from '../db/index.ts';
import type { Viewer } from '../access/index.ts';
import type { Language, Role } from '../db/types.ts';

// Lucia's session design (lucia-auth.com/sessions/basic): a random token goes to the client,
// only its SHA-256 is stored, so a leaked sessions table cannot be replayed.
const DAY_MS = 24 * 60 * 60 * 1000;
export const SESSION_LIFETIME_MS = 30 * DAY_MS;
const RENEW_WHEN_LEFT_MS = 15 * DAY_MS;

export function generateSessionToken(): string {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

/** The stored id of a session: SHA-256 of its token (node:crypto's native hash — it runs on every request). */
export function sessionIdFromToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export async function createSession(
  db: Db,
  userId: number,
  meta: { ip?: string; userAgent?: string } = {},
): Promise<{ token: string; expiresAt: Date }> {
  const token = generateSessionToken();
  const now = Date.now();
  const expiresAt = new Date(now + SESSION_LIFETIME_MS);
  await db
    .insertInto('sessions')
    .values({
      id: sessionIdFromToken(token),
      user_id: userId,
      expires_at: expiresAt.toISOString(),
      created_at: new Date(now).toISOString(),
      ip: meta.ip ?? '',
      user_agent: (meta.userAgent ?? '').slice(0, 300),
    })
    .execute();
  return { token, expiresAt };
}

export interface ValidatedSession {
  sessionId: string;
  expiresAt: Date;
  /** True when the expiry moved forward and the cookie must be re-sent. */
  renewed: boolean;
  viewer: Viewer;
}

/** Looks up a token; deletes it when expired; slides the expiry when less than half of it is left. */
export async function validateSessionToken(db: Db, token: string): Promise<ValidatedSession | null> {
  const sessionId = sessionIdFromToken(token);
  // Every signed-in request asks this. While no row in the database has changed, the answer cannot have changed
  // either (dataVersion), unless time moved the session into its renewal window, so the last answer is reused:
  // ~0.2 ms of each page's server time on the bench. Any write (a logout, a deactivated user, a new notification,
  // a team membership) makes the next request look again.
  const version = dataVersion(db);
  const known = version === null ? undefined : validated(db).get(sessionId);
  if (known && known.version === version && Date.now() < known.renewFrom) return known.session;
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .leftJoin('departments', 'departments.id', 'users.department_id')
    .select(['sessions.id as session_id', 'sessions.expires_at', 'users.active', ...VIEWER_COLUMNS])
    .where('sessions.id', '=', sessionId)
    .executeTakeFirst();
  if (!row) return null;
  const now = Date.now();
  let expiresAt = new Date(row.expires_at);
  if (now >= expiresAt.getTime() || row.active !== 1) {
    await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
    return null;
  }
  let renewed = false;
  if (expiresAt.getTime() - now < RENEW_WHEN_LEFT_MS) {
    expiresAt = new Date(now + SESSION_LIFETIME_MS);
    await db.updateTable('sessions').set({ expires_at: expiresAt.toISOString() }).where('id', '=', sessionId).execute();
    renewed = true;
  }
  const session: ValidatedSession = { sessionId, expiresAt, renewed, viewer: await viewerOfRow(db, row) };
  if (version !== null) {
    const cache = validated(db);
    if (!cache.has(sessionId) && cache.size >= MAX_REMEMBERED) cache.delete(cache.keys().next().value as string);
    cache.set(sessionId, { version, renewFrom: expiresAt.getTime() - RENEW_WHEN_LEFT_MS, session: Object.freeze({ ...session, renewed: false }) });
  }
  return session;
}

/** Validated sessions by id, per database (a transaction shares its database's). Viewers in it are never mutated. */
const MAX_REMEMBERED = 10_000;
const validatedByDb = new WeakMap<Db, Map<string, { version: string; renewFrom: number; session: ValidatedSession }>>();
function validated(db: Db): Map<string, { version: string; renewFrom: number; session: ValidatedSession }> {
  let cache = validatedByDb.get(rootOf(db));
  if (!cache) validatedByDb.set(rootOf(db), (cache = new Map()));
  return cache;
}

/** The user columns a Viewer is built from (with `users` and `departments` joined). */
const VIEWER_COLUMNS = [
  'users.id',
  'users.username',
  'users.display_name',
  'users.role',
  'users.department_id',
  'users.language',
  'users.must_change_password',
  'users.unread_notifications',
  'departments.path as department_path',
] as const;

interface ViewerRow {
  id: number;
  username: string;
  display_name: string;
  role: string;
  department_id: number | null;
  language: string;
  must_change_password: number;
  unread_notifications: number;
  department_path: string | null;
}

/** A user as the scope rule sees them: their department's subtree and the record types they are a team member of. */
async function viewerOfRow(db: Db, row: ViewerRow): Promise<Viewer> {
  const departmentIds = row.department_path ? await subtreeDepartmentIds(db, row.department_path) : [];
  const memberships = await db.selectFrom('record_members').select('entity').distinct().where('user_id', '=', row.id).execute();
  // Frozen: one Viewer serves every request of a session while the data is unchanged, so none may alter it.
  return Object.freeze({
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role as Role,
    departmentId: row.department_id,
    departmentIds: Object.freeze(departmentIds),
    language: row.language as Language,
    mustChangePassword: row.must_change_password === 1,
    memberOf: new Set(memberships.map((m) => m.entity)) as ReadonlySet<string>,
    unreadNotifications: row.unread_notifications,
  });
}

/**
 * A user as they would be seen signed in, for work done on their behalf outside a request (a digest written for them
 * shows what they would see in the app). undefined for an unknown user.
 */
export async function viewerForUser(db: Db, userId: number): Promise<Viewer | undefined> {
  const row = await db.selectFrom('users').leftJoin('departments', 'departments.id', 'users.department_id').select(VIEWER_COLUMNS).where('users.id', '=', userId).executeTakeFirst();
  return row ? viewerOfRow(db, row) : undefined;
}

async function subtreeDepartmentIds(db: Db, path: string): Promise<number[]> {
  // A range on the path index ('/1/4/' ≤ path < '/1/4/~'; paths hold only digits and '/'), not LIKE, which
  // SQLite cannot use as a range because it ignores case.
  const rows = await db.selectFrom('departments').select('id').where('path', '>=', path).where('path', '<', `${path}~`).execute();
  return rows.map((r) => r.id);
}

export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}

/** Ends every session of a user, optionally keeping one (the one that changed the password). */
export async function invalidateUserSessions(db: Db, userId: number, exceptSessionId?: string): Promise<void> {
  let q = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (exceptSessionId) q = q.where('id', '!=', exceptSessionId);
  await q.execute();
}

export async function deleteExpiredSessions(db: Db): Promise<number> {
  const r = await db.deleteFrom('sessions').where('expires_at', '<=', new Date().toISOString()).executeTakeFirst();
  return Number(r.numDeletedRows);
}
