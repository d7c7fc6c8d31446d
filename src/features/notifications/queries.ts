import type { Db } from '../../db/index.ts';

export const NOTIFICATION_PAGE = 30;

/** A user's notifications, newest first (keyset by id). Only ever the viewer's own. */
export async function listNotifications(db: Db, userId: number, f: { unread?: boolean; before?: number }) {
  let q = db
    .selectFrom('notifications')
    .select(['id', 'kind', 'title', 'body', 'link', 'read_at', 'created_at'])
    .where('user_id', '=', userId)
    .orderBy('id', 'desc')
    .limit(NOTIFICATION_PAGE + 1);
  if (f.unread) q = q.where('read_at', 'is', null);
  if (f.before) q = q.where('id', '<', f.before);
  const rows = await q.execute();
  const items = rows.slice(0, NOTIFICATION_PAGE);
  return { items, nextBefore: rows.length > NOTIFICATION_PAGE ? items[items.length - 1]?.id : undefined };
}

export async function notificationLink(db: Db, userId: number, id: number): Promise<string | undefined> {
  const row = await db.selectFrom('notifications').select('link').where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
  return row?.link;
}

export async function unreadCount(db: Db, userId: number): Promise<number> {
  const row = await db.selectFrom('users').select('unread_notifications').where('id', '=', userId).executeTakeFirst();
  return row?.unread_notifications ?? 0;
}
