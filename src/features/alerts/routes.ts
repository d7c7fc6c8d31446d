import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../db/index.ts';
import { isManager, seesAllRecords, userScope } from '../../access/index.ts';
import { viewerOf } from '../../plugins/guards.ts';
import { FLAG_KINDS, listAtRisk } from './queries.ts';

const atRiskQuery = z.object({
  kind: z.enum(FLAG_KINDS).optional().catch(undefined),
  owner: z.string().regex(/^\d{1,15}$/).optional().catch(undefined),
  after: z.string().regex(/^-?\d{1,15}\.\d{1,15}$/).optional().catch(undefined),
});

/** /opportunities/at-risk: the manager's list of deals at risk (managers, the director, the GM; anyone else 404). */
export default async function alertsRoutes(app: FastifyInstance, opts: { db: Db }) {
  const { db } = opts;

  app.get('/opportunities/at-risk', async (req, reply) => {
    const viewer = viewerOf(req);
    if (!isManager(viewer) && !seesAllRecords(viewer)) return reply.callNotFound();
    const filters = atRiskQuery.parse(req.query ?? {});
    const [page, people] = await Promise.all([
      listAtRisk(db, viewer, { kind: filters.kind, owner: filters.owner ? Number(filters.owner) : undefined, after: filters.after }),
      db
        .selectFrom('users')
        .select(['id', 'display_name'])
        .where(userScope(viewer, 'users'))
        .where('active', '=', 1)
        .where('role', 'in', ['sales_rep', 'sales_manager'])
        .orderBy('display_name')
        .execute(),
    ]);
    const anyFilter = Boolean(filters.kind || filters.owner);
    return reply.render('alerts/at-risk', { ...page, filters, people, kinds: FLAG_KINDS, anyFilter }, { fragment: 'alerts/_list' });
  });
}
