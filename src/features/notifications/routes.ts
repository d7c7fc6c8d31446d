import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/index.ts';
import { setAppUrl } from '../../mail/index.ts';
import { writeTransaction } from '../../db/index.ts';
import { afterWrite, idParam, viewerOf } from '../../plugins/guards.ts';
import { DIGEST_KINDS, markRead, NOTIFICATION_KINDS, preferencesOf, type PreferenceKind } from '../../notifications/index.ts';
import { listNotifications, notificationLink, unreadCount } from './queries.ts';

/** Kinds a user may set: job failures only concern admins; the manager digest only managers and above. */
function kindsFor(role: string): { notify: PreferenceKind[]; digests: PreferenceKind[] } {
  const notify = NOTIFICATION_KINDS.filter((k) => (k === 'job_failed' ? role === 'admin' : role !== 'admin'));
  const digests = role === 'admin' ? [] : DIGEST_KINDS.filter((k) => k !== 'weekly_digest' || role !== 'sales_rep');
  return { notify, digests };
}

/** Only links inside the app are followed (a notification's link is ours, but never redirect elsewhere). */
const safeLink = (link: string | undefined): string => (link && link.startsWith('/') && !link.startsWith('//') ? link : '/notifications');

/** The notification centre (/notifications) and each user's choice of channels per kind (/me/notifications). */
export default async function notificationsRoutes(app: FastifyInstance, opts: { db: Db; config: Config }) {
  const { db } = opts;
  // Links in mails written while serving requests (approvals, comments) point at APP_URL.
  setAppUrl(opts.config.appUrl);

  app.get('/notifications', async (req, reply) => {
    const viewer = viewerOf(req);
    const q = req.query as { unread?: string; before?: string };
    const unread = q.unread === '1';
    const before = q.before && /^\d{1,15}$/.test(q.before) ? Number(q.before) : undefined;
    const page = await listNotifications(db, viewer.id, { unread, before });
    return reply.render('notifications/index', { title: req.t.notifications.title, ...page, unread, count: await unreadCount(db, viewer.id) }, { fragment: 'notifications/_list' });
  });

  // Opening a notification marks it read and goes to what it is about.
  app.post('/notifications/:id/read', async (req, reply) => {
    const viewer = viewerOf(req);
    const id = idParam(req.params);
    const link = id ? await notificationLink(db, viewer.id, id) : undefined;
    if (!id || link === undefined) return reply.callNotFound();
    await writeTransaction(db, (trx) => markRead(trx, viewer.id, id));
    const body = (req.body ?? {}) as { stay?: string };
    return afterWrite(req, reply, body.stay === '1' ? '/notifications' : safeLink(link));
  });

  app.post('/notifications/read', async (req, reply) => {
    const viewer = viewerOf(req);
    await writeTransaction(db, (trx) => markRead(trx, viewer.id));
    reply.flash('success', req.t.notifications.allRead);
    return afterWrite(req, reply, '/notifications');
  });

  app.get('/me/notifications', async (req, reply) => {
    const viewer = viewerOf(req);
    const prefs = await preferencesOf(db, viewer.id);
    const user = await db.selectFrom('users').select('email').where('id', '=', viewer.id).executeTakeFirstOrThrow();
    return reply.render('notifications/preferences', { title: req.t.notifications.prefs.title, prefs, kinds: kindsFor(viewer.role), hasEmail: user.email.trim() !== '' });
  });

  // Checkboxes: a kind's in_app/email box is sent as "<kind>.in_app=1" when ticked and absent when not.
  app.post('/me/notifications', async (req, reply) => {
    const viewer = viewerOf(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { notify, digests } = kindsFor(viewer.role);
    await writeTransaction(db, async (trx) => {
      for (const kind of [...notify, ...digests]) {
        const inApp = digests.includes(kind) ? 0 : body[`${kind}.in_app`] === '1' ? 1 : 0;
        const email = body[`${kind}.email`] === '1' ? 1 : 0;
        await trx
          .insertInto('notification_preferences')
          .values({ user_id: viewer.id, kind, in_app: inApp, email })
          .onConflict((oc) => oc.columns(['user_id', 'kind']).doUpdateSet({ in_app: inApp, email }))
          .execute();
      }
    });
    reply.flash('success', req.t.notifications.prefs.saved);
    return afterWrite(req, reply, '/me/notifications');
  });
}
