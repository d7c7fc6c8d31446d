import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/index.ts';
import { viewerOf } from '../../plugins/guards.ts';
import { isAdmin } from '../../access/index.ts';
import { modulesFor } from '../../access/modules.ts';
import { companyBrief, DEFAULT_TIME_ZONE } from '../company/queries.ts';
import { salesDay } from './queries.ts';
import { approvalsWaiting } from '../quotes/queries.ts';

/**
 * `/`: for sales users their day — open deals by stage, tasks due today and overdue, alerts on their deals, this
 * quarter's pipeline (and their team's totals for managers and above); for everyone, who they are, where they sit
 * in the org and what they can open.
 */
export default async function homeRoutes(app: FastifyInstance, opts: { db: Db }) {
  app.get('/', async (req, reply) => {
    const viewer = viewerOf(req);
    const me = await opts.db
      .selectFrom('users as u')
      .leftJoin('departments as d', 'd.id', 'u.department_id')
      .leftJoin('departments as p', 'p.id', 'd.parent_id')
      .leftJoin('users as m', 'm.id', 'd.manager_id')
      .select(['u.display_name', 'u.username', 'u.email', 'u.phone', 'u.role', 'u.last_login_at', 'd.name as department_name', 'p.name as parent_department_name', 'm.display_name as manager_name'])
      .where('u.id', '=', viewer.id)
      .executeTakeFirstOrThrow();
    const modules = modulesFor(viewer.role).filter((m) => m.key !== 'home');
    const company = await companyBrief(opts.db);
    const day = isAdmin(viewer) ? null : await salesDay(opts.db, viewer, company?.time_zone ?? DEFAULT_TIME_ZONE);
    // Quotes waiting for this user's approval: one lookup on a partial index, only for the roles that approve.
    const approves = viewer.role === 'sales_manager' || viewer.role === 'sales_director' || viewer.role === 'general_manager';
    const quoteApprovals = approves ? await approvalsWaiting(opts.db, viewer) : null;
    return reply.render('home/index', { me, modules, day, viewerId: viewer.id, quoteApprovals });
  });
}
