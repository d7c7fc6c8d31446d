import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/index.ts';
import { anyColumnContains } from '../../db/search.ts';
import { viewerOf } from '../../plugins/guards.ts';

const LIMIT = 20;

/**
 * /search: the top-bar search. Today it finds colleagues and departments (a company directory every
 * role may read); the customer, contact and lead modules add their sections here.
 */
export default async function searchRoutes(app: FastifyInstance, opts: { db: Db }) {
  const { db } = opts;
  app.get('/search', async (req, reply) => {
    const viewer = viewerOf(req);
    const raw = (req.query as Record<string, unknown>).q;
    const q = typeof raw === 'string' ? raw.trim().slice(0, 100) : '';
    let people: { id: number; display_name: string; username: string; email: string; phone: string; role: string; department_name: string | null }[] = [];
    let departments: { id: number; name: string; manager_name: string | null }[] = [];
    if (q) {
      [people, departments] = await Promise.all([
        db
          .selectFrom('users as u')
          .leftJoin('departments as d', 'd.id', 'u.department_id')
          .select(['u.id', 'u.display_name', 'u.username', 'u.email', 'u.phone', 'u.role', 'd.name as department_name'])
          .where('u.active', '=', 1)
          .where(anyColumnContains(['u.display_name', 'u.username', 'u.email', 'u.phone', 'd.name'], q))
          .orderBy('u.display_name')
          .limit(LIMIT)
          .execute(),
        db
          .selectFrom('departments as d')
          .leftJoin('users as m', 'm.id', 'd.manager_id')
          .select(['d.id', 'd.name', 'm.display_name as manager_name'])
          .where(anyColumnContains(['d.name'], q))
          .orderBy('d.name')
          .limit(LIMIT)
          .execute(),
      ]);
    }
    return reply.render('search/index', { q, people, departments, canEdit: viewer.role === 'admin' }, { fragment: 'search/_results' });
  });
}
