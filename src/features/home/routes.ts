import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/index.ts';
import { viewerOf } from '../../plugins/guards.ts';
import { modulesFor } from '../../access/modules.ts';

/** `/`: who the user is, where they sit in the org, and what they can open. */
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
    return reply.render('home/index', { me, modules });
  });
}
