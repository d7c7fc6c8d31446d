import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { Language } from '../db/types.ts';
import { absoluteUrl, enqueueMail } from '../mail/index.ts';
import { renderMail } from '../mail/templates.ts';
import { messages } from '../i18n/index.ts';

/** What a user can be notified of, in-app and/or by email (each user chooses per kind at /me/notifications). */
export const NOTIFICATION_KINDS = ['activity_reminder', 'key_date', 'deal_at_risk', 'approval', 'report_comment', 'job_failed'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
/** Email digests: email only, on or off per user. */
export const DIGEST_KINDS = ['daily_digest', 'weekly_digest'] as const;
export type DigestKind = (typeof DIGEST_KINDS)[number];
export type PreferenceKind = NotificationKind | DigestKind;

export interface Channels {
  inApp: boolean;
  email: boolean;
}

/** Until a user chooses: everything in the app; by email only what waits on them (approvals, comments) and digests. */
export const DEFAULT_CHANNELS: Record<PreferenceKind, Channels> = {
  activity_reminder: { inApp: true, email: false },
  key_date: { inApp: true, email: false },
  deal_at_risk: { inApp: true, email: false },
  approval: { inApp: true, email: true },
  report_comment: { inApp: true, email: true },
  // Admins only: a scheduled job that failed after its last retry.
  job_failed: { inApp: true, email: true },
  daily_digest: { inApp: false, email: true },
  weekly_digest: { inApp: false, email: true },
};

export async function preferencesOf(db: Db, userId: number): Promise<Record<PreferenceKind, Channels>> {
  const rows = await db.selectFrom('notification_preferences').select(['kind', 'in_app', 'email']).where('user_id', '=', userId).execute();
  const out = { ...DEFAULT_CHANNELS };
  for (const r of rows) {
    if (r.kind in out) out[r.kind as PreferenceKind] = { inApp: r.in_app === 1, email: r.email === 1 };
  }
  return out;
}

export async function channelsFor(db: Db, userId: number, kind: PreferenceKind): Promise<Channels> {
  const row = await db.selectFrom('notification_preferences').select(['in_app', 'email']).where('user_id', '=', userId).where('kind', '=', kind).executeTakeFirst();
  return row ? { inApp: row.in_app === 1, email: row.email === 1 } : DEFAULT_CHANNELS[kind];
}

export interface NewNotification {
  userId: number;
  kind: NotificationKind;
  title: string;
  body?: string | null;
  /** A path in the app, e.g. /opportunities/12 (made absolute with APP_URL in mails). */
  link: string;
}

/**
 * Notifies a user in the caller's transaction, as they chose for this kind: an in-app notification (and the unread
 * counter on their user row, which the bell reads without a query of its own) and/or a mail in their language.
 * Inactive users are not notified.
 */
export async function notify(trx: Db, n: NewNotification): Promise<void> {
  const user = await trx.selectFrom('users').select(['id', 'email', 'display_name', 'language', 'active']).where('id', '=', n.userId).executeTakeFirst();
  if (!user || user.active !== 1) return;
  const channels = await channelsFor(trx, n.userId, n.kind);
  const now = new Date().toISOString();
  if (channels.inApp) {
    await trx.insertInto('notifications').values({ user_id: n.userId, kind: n.kind, title: n.title, body: n.body ?? '', link: n.link, created_at: now }).execute();
    await trx.updateTable('users').set({ unread_notifications: sql<number>`unread_notifications + 1` }).where('id', '=', n.userId).execute();
  }
  if (channels.email && user.email.trim() !== '') {
    const lang = user.language as Language;
    const t = messages(lang).notifications;
    const mail = await renderMail('notification', lang, { kindLabel: t.kinds[n.kind], title: n.title, body: n.body ?? '', link: absoluteUrl(n.link), name: user.display_name });
    await enqueueMail(trx, { to: user.email, toName: user.display_name, subject: `[${t.kinds[n.kind]}] ${n.title}`, text: mail.text, html: mail.html, userId: user.id });
  }
}

/** Marks one notification read (or all of a user's when id is omitted), keeping the unread counter in step. */
export async function markRead(trx: Db, userId: number, id?: number): Promise<number> {
  const now = new Date().toISOString();
  let q = trx.updateTable('notifications').set({ read_at: now }).where('user_id', '=', userId).where('read_at', 'is', null);
  if (id !== undefined) q = q.where('id', '=', id);
  const r = await q.executeTakeFirst();
  const changed = Number(r.numUpdatedRows);
  if (changed > 0) {
    await trx
      .updateTable('users')
      .set({ unread_notifications: sql<number>`case when unread_notifications > ${changed} then unread_notifications - ${changed} else 0 end` })
      .where('id', '=', userId)
      .execute();
  }
  return changed;
}

/**
 * Claims a key once ("activity_reminder:12:2026-11-27T01:00:00.000Z"): true the first time, false ever after, so a
 * job that runs again (a retry, a second process) announces nothing twice. In the caller's transaction.
 */
export async function claimOnce(trx: Db, key: string): Promise<boolean> {
  const r = await trx.insertInto('notification_keys').values({ key, created_at: new Date().toISOString() }).onConflict((oc) => oc.column('key').doNothing()).returning('key').executeTakeFirst();
  return r !== undefined;
}
