import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/index.ts';
import { MAIL_STATUSES } from '../../mail/index.ts';
import { requeueMail } from '../../mail/sender.ts';
import { afterWrite, idParam } from '../../plugins/guards.ts';
import { getAttachment, getMail, listMail } from './queries.ts';

/** The SMTP host for display, without credentials. */
function smtpHost(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return null;
  }
}

/** /admin/outbox: every stored mail with its status; the destination itself when SMTP_URL is not set (admins). */
export default async function outboxRoutes(app: FastifyInstance, opts: { db: Db; config: Config }) {
  const { db, config } = opts;

  app.get('/outbox', async (req, reply) => {
    const q = req.query as { status?: string; before?: string };
    const status = (MAIL_STATUSES as readonly string[]).includes(q.status ?? '') ? q.status : undefined;
    const before = q.before && /^\d{1,15}$/.test(q.before) ? Number(q.before) : undefined;
    const page = await listMail(db, { status, before });
    return reply.render('outbox/index', { title: req.t.jobs.outbox.title, ...page, status: status ?? '', smtp: smtpHost(config.smtpUrl) }, { fragment: 'outbox/_list' });
  });

  app.get('/outbox/:id', async (req, reply) => {
    const id = idParam(req.params);
    const mail = id ? await getMail(db, id) : undefined;
    if (!mail) return reply.callNotFound();
    return reply.render('outbox/show', { title: mail.subject, mail });
  });

  app.get('/outbox/:id/attachments/:aid', async (req, reply) => {
    const id = idParam(req.params);
    const aid = idParam(req.params, 'aid');
    const a = id && aid ? await getAttachment(db, id, aid) : undefined;
    if (!a) return reply.callNotFound();
    return reply
      .type(a.content_type)
      .header('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(a.filename)}`)
      .header('X-Content-Type-Options', 'nosniff')
      .send(a.content);
  });

  app.post('/outbox/:id/retry', async (req, reply) => {
    const id = idParam(req.params);
    if (!id || !(await requeueMail(db, id))) return reply.callNotFound();
    reply.flash('success', req.t.jobs.outbox.requeued);
    return afterWrite(req, reply, `/admin/outbox/${id}`);
  });
}
