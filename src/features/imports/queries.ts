import type { Db } from '../../db/index.ts';
import { userScope, type Viewer } from '../../access/index.ts';

const SALES_ROLES = ['sales_rep', 'sales_manager', 'sales_director', 'general_manager'] as const;

/** Who may own the imported records: active sales users within the viewer's userScope (a rep: only themself). */
export async function ownerChoices(db: Db, viewer: Viewer) {
  return db
    .selectFrom('users as u')
    .select(['u.id', 'u.display_name'])
    .where('u.active', '=', 1)
    .where('u.role', 'in', SALES_ROLES)
    .where(userScope(viewer, 'u'))
    .orderBy('u.display_name')
    .execute();
}

export async function isOwnerChoice(db: Db, viewer: Viewer, userId: number): Promise<boolean> {
  const row = await db
    .selectFrom('users as u')
    .select('u.id')
    .where('u.id', '=', userId)
    .where('u.active', '=', 1)
    .where('u.role', 'in', SALES_ROLES)
    .where(userScope(viewer, 'u'))
    .executeTakeFirst();
  return Boolean(row);
}
