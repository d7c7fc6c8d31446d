import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/index.ts';
import { anyColumnContains, searchCondition } from '../../db/search.ts';
import { commonByLike as byLike, scope, isAdmin } from '../../access/index.ts';
import { viewerOf } from '../../plugins/guards.ts';

const LIMIT = 10;

/**
 * /search: the top-bar search. Finds customers, contacts and leads the viewer may see (through the scope rule and
 * the trigram index; 1–2 Chinese characters through the gram index, other short terms by LIKE: src/db/search.ts), plus colleagues and departments (a company directory every role reads).
 */
export default async function searchRoutes(app: FastifyInstance, opts: { db: Db }) {
  const { db } = opts;
  app.get('/search', async (req, reply) => {
    const viewer = viewerOf(req);
    const raw = (req.query as Record<string, unknown>).q;
    const q = typeof raw === 'string' ? raw.trim().slice(0, 100) : '';
    const empty = { customers: [], contacts: [], leads: [], people: [], departments: [] };
    if (!q) return reply.render('search/index', { q, ...empty, canEdit: isAdmin(viewer) }, { fragment: 'search/_results' });
    const business = !isAdmin(viewer);
    const commonByLike = byLike(viewer);
    const [customers, contacts, leads, people, departments] = await Promise.all([
      business
        ? db
            .selectFrom('customers as c')
            .leftJoin('users as o', 'o.id', 'c.owner_id')
            .select(['c.id', 'c.name', 'c.city', 'c.phone', 'c.grade', 'c.owner_id', 'o.display_name as owner_name'])
            .where(scope(viewer, 'customers', { alias: 'c', includePool: true }))
            .where(await searchCondition(db, 'customers', 'c', q, ['name', 'short_name', 'phone', 'credit_code'], { commonByLike }))
            .orderBy('c.id', 'desc')
            .limit(LIMIT)
            .execute()
        : [],
      business
        ? db
            .selectFrom('contacts as ct')
            .leftJoin('customers as c', 'c.id', 'ct.customer_id')
            .select(['ct.id', 'ct.name', 'ct.title', 'ct.mobile', 'ct.organisation', 'c.name as customer_name'])
            .where(scope(viewer, 'contacts', { alias: 'ct' }))
            .where(await searchCondition(db, 'contacts', 'ct', q, ['name', 'mobile', 'phone', 'email', 'organisation'], { commonByLike }))
            .orderBy('ct.id', 'desc')
            .limit(LIMIT)
            .execute()
        : [],
      business
        ? db
            .selectFrom('leads as l')
            .select(['l.id', 'l.company', 'l.person', 'l.mobile', 'l.status'])
            .where(scope(viewer, 'leads', { alias: 'l' }))
            .where(await searchCondition(db, 'leads', 'l', q, ['company', 'person', 'mobile', 'phone', 'email'], { commonByLike }))
            .orderBy('l.id', 'desc')
            .limit(LIMIT)
            .execute()
        : [],
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
    return reply.render('search/index', { q, customers, contacts, leads, people, departments, canEdit: isAdmin(viewer), limit: LIMIT }, { fragment: 'search/_results' });
  });
}
