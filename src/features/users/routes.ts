import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/index.ts';
import { ROLES } from '../../db/types.ts';
import { afterWrite, auditContext, idParam, wantsFragment } from '../../plugins/guards.ts';
import { formValues, parseForm, type FieldErrors } from '../../lib/validation.ts';
import { departmentOptions } from '../departments/queries.ts';
import { getUser, listUsers } from './queries.ts';
import { createUser, resetPassword, setUserActive, updateUser, type UserError } from './commands.ts';
import { createUserSchema, updateUserSchema, userListQuery } from './schemas.ts';

/** /admin/users (behind requireAdmin): list with search and filters, create, edit, disable, reset password. */
export default async function userRoutes(app: FastifyInstance, opts: { db: Db }) {
  const { db } = opts;

  const errorText = (req: FastifyRequest, e: UserError): string =>
    e === 'notFound' || e === 'departmentMissing' ? req.t.validation.invalid : req.t.users[e];

  async function renderForm(req: FastifyRequest, reply: FastifyReply, user: Record<string, unknown> | null, values: Record<string, unknown>, errors: FieldErrors, status = 200) {
    const departments = await departmentOptions(db);
    return reply.render('users/form', { user, values, errors, departments, roles: ROLES }, { status, fragment: 'users/_form' });
  }

  app.get('/users', async (req, reply) => {
    const filters = userListQuery.parse(req.query ?? {});
    const [page, departments] = await Promise.all([listUsers(db, filters), departmentOptions(db)]);
    const anyFilter = Boolean(filters.q || filters.department || filters.role || filters.status);
    return reply.render('users/index', { ...page, filters, anyFilter, departments, roles: ROLES }, { fragment: 'users/_list' });
  });

  app.get('/users/new', async (req, reply) => renderForm(req, reply, null, { role: 'sales_rep', language: 'zh-CN' }, {}));

  app.post('/users', async (req, reply) => {
    const parsed = parseForm(createUserSchema, req.body, req.t);
    if (!parsed.ok) return renderForm(req, reply, null, formValues(req.body), parsed.errors, 422);
    const result = await createUser(db, auditContext(req), parsed.data);
    if (!result.ok) return renderForm(req, reply, null, formValues(req.body), { [result.field]: errorText(req, result.error) }, 422);
    reply.flash('success', req.t.users.created);
    return afterWrite(req, reply, '/admin/users');
  });

  app.get('/users/:id/edit', async (req, reply) => {
    const id = idParam(req.params);
    const user = id ? await getUser(db, id) : undefined;
    if (!user) return reply.callNotFound();
    return renderForm(req, reply, user, user, {});
  });

  app.post('/users/:id', async (req, reply) => {
    const id = idParam(req.params);
    const user = id ? await getUser(db, id) : undefined;
    if (!id || !user) return reply.callNotFound();
    const parsed = parseForm(updateUserSchema, req.body, req.t);
    if (!parsed.ok) return renderForm(req, reply, user, formValues(req.body), parsed.errors, 422);
    const result = await updateUser(db, auditContext(req), id, parsed.data);
    if (!result.ok) return renderForm(req, reply, user, formValues(req.body), { [result.field]: errorText(req, result.error) }, 422);
    reply.flash('success', req.t.users.saved);
    return afterWrite(req, reply, '/admin/users');
  });

  // Enable/disable is a state of the account: POST /admin/users/:id/status with active=0|1.
  app.post('/users/:id/status', async (req, reply) => {
    const id = idParam(req.params);
    if (!id) return reply.callNotFound();
    const active = (req.body as Record<string, unknown> | undefined)?.active === '1';
    const result = await setUserActive(db, auditContext(req), id, active);
    if (!result.ok && result.error === 'notFound') return reply.callNotFound();
    if (!result.ok) reply.flash('error', errorText(req, result.error));
    else reply.flash('success', active ? req.t.users.enabledMsg : req.t.users.disabledMsg);
    if (wantsFragment(req)) {
      const user = await getUser(db, id);
      return reply.render('users/_row', { u: user }, { fragment: 'users/_row' });
    }
    return reply.redirect('/admin/users', 303);
  });

  app.post('/users/:id/password-reset', async (req, reply) => {
    const id = idParam(req.params);
    if (!id) return reply.callNotFound();
    const result = await resetPassword(db, auditContext(req), id);
    if (!result.ok) return reply.callNotFound();
    // Shown once on this page, never put in a cookie or a log.
    return reply.render('users/password-reset', { name: result.name, password: result.password, id });
  });
}
