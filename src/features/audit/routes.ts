import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/index.ts';
import { auditActors, auditListQuery, listAudit } from './queries.ts';

/** /admin/audit (behind requireAdmin): every change, filterable by who, what, which record and when. */
export default async function auditRoutes(app: FastifyInstance, opts: { db: Db }) {
  const { db } = opts;
  app.get('/audit', async (req, reply) => {
    const filters = auditListQuery.parse(req.query ?? {});
    const company = await db.selectFrom('company').select('time_zone').where('id', '=', 1).executeTakeFirst();
    const [page, actors] = await Promise.all([listAudit(db, filters, company?.time_zone ?? 'Asia/Shanghai'), auditActors(db)]);
    return reply.render('audit/index', { ...page, filters, actors }, { fragment: 'audit/_list' });
  });
}
