import type { Db } from '../../db/index.ts';
import { userScope, userScopeKey, type Viewer } from '../../access/index.ts';
import { whileUnchanged } from '../../db/cache.ts';
import { anyColumnContains } from '../../db/search.ts';
import type { UserListQuery } from './schemas.ts';

export const PAGE_SIZE = 50;

/** One page of users, ordered by username; `after` is the last username of the previous page (keyset). */
export async function listUsers(db: Db, f: UserListQuery) {
  let q = db
    .selectFrom('users as u')
    .leftJoin('departments as d', 'd.id', 'u.department_id')
    .select(['u.id', 'u.username', 'u.display_name', 'u.email', 'u.phone', 'u.role', 'u.active', 'u.last_login_at', 'u.department_id', 'd.name as department_name'])
    .orderBy('u.username')
    .limit(PAGE_SIZE + 1);
  if (f.q) q = q.where(anyColumnContains(['u.username', 'u.display_name', 'u.email', 'u.phone'], f.q));
  if (f.department) {
    // A department filter includes its sub-departments.
    const dept = await db.selectFrom('departments').select('path').where('id', '=', Number(f.department)).executeTakeFirst();
    q = dept ? q.where('d.path', 'like', `${dept.path}%`) : q.where('u.id', '=', -1);
  }
  if (f.role) q = q.where('u.role', '=', f.role);
  if (f.status) q = q.where('u.active', '=', f.status === 'active' ? 1 : 0);
  if (f.after) q = q.where('u.username', '>', f.after);
  const rows = await q.execute();
  const hasMore = rows.length > PAGE_SIZE;
  const users = hasMore ? rows.slice(0, PAGE_SIZE) : rows;
  return { users, nextAfter: hasMore ? users[users.length - 1]!.username : null };
}

export async function getUser(db: Db, id: number) {
  return db
    .selectFrom('users as u')
    .leftJoin('departments as d', 'd.id', 'u.department_id')
    .select(['u.id', 'u.username', 'u.display_name', 'u.email', 'u.phone', 'u.role', 'u.active', 'u.language', 'u.department_id', 'u.last_login_at', 'u.created_at', 'd.name as department_name'])
    .where('u.id', '=', id)
    .executeTakeFirst();
}
export type UserRow = NonNullable<Awaited<ReturnType<typeof getUser>>>;

const SALES_ROLES = ['sales_rep', 'sales_manager', 'sales_director', 'general_manager'] as const;

/**
 * Active sales users a viewer may assign records to (their userScope), for owner pickers and filters. Every list
 * draws it: kept while nothing changes (whileUnchanged), per scope of users.
 */
export async function assignableUsers(db: Db, viewer: Viewer) {
  return whileUnchanged(db, `assignable-users:${userScopeKey(viewer)}`, () =>
    db
      .selectFrom('users as u')
      .select(['u.id', 'u.display_name', 'u.username'])
      .where('u.active', '=', 1)
      .where('u.role', 'in', SALES_ROLES)
      .where(userScope(viewer, 'u'))
      .orderBy('u.display_name')
      .execute(),
  );
}

/** The user, if the viewer may assign records to them; undefined otherwise. */
export async function assignableUser(db: Db, viewer: Viewer, userId: number) {
  return db
    .selectFrom('users as u')
    .select(['u.id', 'u.display_name'])
    .where('u.id', '=', userId)
    .where('u.active', '=', 1)
    .where('u.role', 'in', SALES_ROLES)
    .where(userScope(viewer, 'u'))
    .executeTakeFirst();
}
