import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/index.ts';
import { auditActors, auditListQuery, listAudit } from './queries.ts';
import { companyTimeZone } from '../company/queries.ts';

/** /admin/audit (behind requireAdmin): every change, filterable by who, what, which record and when. */
export default async function auditRoutes(app: FastifyInstance, opts: { db: Db }) {
  const { db } = opts;
  app.get('/audit', async (req, reply) => {
    const filters = auditListQuery.parse(req.query ?? {});
    const [page, actors] = await Promise.all([listAudit(db, filters, await companyTimeZone(db)), auditActors(db)]);
    return reply.render('audit/index', { ...page, filters, actors }, { fragment: 'audit/_list' });
  });
}
