import type { Db } from '../../db/index.ts';
import type { Viewer } from '../../access/index.ts';
import type { Language, Role } from '../../db/types.ts';

/**
 * A user as the scope rule sees them when signed in, built as the session builds it (src/auth/session.ts,
 * validateSessionToken): departmentIds from their department's subtree, memberOf from record_members. A mail written
 * for this viewer shows what the user would see in the app. undefined for an unknown user.
 */
export async function viewerForUser(db: Db, userId: number): Promise<Viewer | undefined> {
  const row = await db
    .selectFrom('users')
    .leftJoin('departments', 'departments.id', 'users.department_id')
    .select(['users.id', 'users.username', 'users.display_name', 'users.role', 'users.department_id', 'users.language', 'users.must_change_password', 'users.unread_notifications', 'departments.path as department_path'])
    .where('users.id', '=', userId)
    .executeTakeFirst();
  if (!row) return undefined;
  // A range on the path index ('/1/4/' ≤ path < '/1/4/~'), as the session does: paths hold only digits and '/'.
  const departmentIds = row.department_path
    ? (await db.selectFrom('departments').select('id').where('path', '>=', row.department_path).where('path', '<', `${row.department_path}~`).execute()).map((d) => d.id)
    : [];
  const memberships = await db.selectFrom('record_members').select('entity').distinct().where('user_id', '=', row.id).execute();
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role as Role,
    departmentId: row.department_id,
    departmentIds,
    language: row.language as Language,
    mustChangePassword: row.must_change_password === 1,
    memberOf: new Set(memberships.map((m) => m.entity)),
    unreadNotifications: row.unread_notifications,
  };
}
