import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/index.ts';
import { afterWrite, auditContext, idParam } from '../../plugins/guards.ts';
import { formValues, parseForm, type FieldErrors } from '../../lib/validation.ts';
import { departmentOptions, departmentTree, getDepartment, managerCandidates } from './queries.ts';
import { createDepartment, deleteDepartment, updateDepartment, type DepartmentError } from './commands.ts';
import { departmentSchema } from './schemas.ts';

/** /admin/departments (behind requireAdmin): the tree, create, edit, move, delete. */
export default async function departmentRoutes(app: FastifyInstance, opts: { db: Db }) {
  const { db } = opts;

  const errorText = (req: FastifyRequest, e: DepartmentError): string =>
    e === 'notFound' ? req.t.errors.notFound : req.t.departments[e];

  async function renderForm(req: FastifyRequest, reply: FastifyReply, id: number | null, values: Record<string, unknown>, errors: FieldErrors, status = 200) {
    const [options, managers] = await Promise.all([departmentOptions(db), managerCandidates(db)]);
    // A department may not become its own parent, nor a child of its descendants: leave those out of the select.
    const current = id ? options.find((o) => o.id === id) : undefined;
    const parents = current ? options.filter((o) => !o.path.startsWith(current.path)) : options;
    return reply.render('departments/form', { id, values, errors, parents, managers }, { status, fragment: 'departments/_form' });
  }

  app.get('/departments', async (_req, reply) => {
    const tree = await departmentTree(db);
    return reply.render('departments/index', { tree });
  });

  app.get('/departments/new', async (req, reply) => {
    const parent = (req.query as Record<string, string>).parent ?? '';
    return renderForm(req, reply, null, { parent_id: parent, sort_order: '0' }, {});
  });

  app.post('/departments', async (req, reply) => {
    const parsed = parseForm(departmentSchema, req.body, req.t);
    if (!parsed.ok) return renderForm(req, reply, null, formValues(req.body), parsed.errors, 422);
    const result = await createDepartment(db, auditContext(req), parsed.data);
    if (!result.ok) return renderForm(req, reply, null, formValues(req.body), { [result.field]: errorText(req, result.error) }, 422);
    reply.flash('success', req.t.departments.created);
    return afterWrite(req, reply, '/admin/departments');
  });

  app.get('/departments/:id/edit', async (req, reply) => {
    const id = idParam(req.params);
    const dept = id ? await getDepartment(db, id) : undefined;
    if (!id || !dept) return reply.callNotFound();
    return renderForm(req, reply, id, dept, {});
  });

  app.post('/departments/:id', async (req, reply) => {
    const id = idParam(req.params);
    if (!id || !(await getDepartment(db, id))) return reply.callNotFound();
    const parsed = parseForm(departmentSchema, req.body, req.t);
    if (!parsed.ok) return renderForm(req, reply, id, formValues(req.body), parsed.errors, 422);
    const result = await updateDepartment(db, auditContext(req), id, parsed.data);
    if (!result.ok) return renderForm(req, reply, id, formValues(req.body), { [result.field]: errorText(req, result.error) }, 422);
    reply.flash('success', req.t.departments.saved);
    return afterWrite(req, reply, '/admin/departments');
  });

  app.post('/departments/:id/deletion', async (req, reply) => {
    const id = idParam(req.params);
    if (!id) return reply.callNotFound();
    const result = await deleteDepartment(db, auditContext(req), id);
    if (!result.ok && result.error === 'notFound') return reply.callNotFound();
    if (result.ok) reply.flash('success', req.t.departments.deleted);
    else reply.flash('error', errorText(req, result.error));
    return afterWrite(req, reply, '/admin/departments');
  });
}
