import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/index.ts';
import { auditContext, idParam, viewerOf, wantsFragment } from '../../plugins/guards.ts';
import { formValues, parseForm, type FieldErrors } from '../../lib/validation.ts';
import { decisionTreePanel } from './queries.ts';
import { addMember, removeMember, updateMember, type CommitteeResult } from './commands.ts';
import { memberEdit, memberNew } from './schemas.ts';

/** The form being re-shown after a refusal: which one ('new' or a member id), what was typed, what went wrong. */
interface CommitteeForm {
  memberId: 'new' | number;
  values: Record<string, string>;
  errors: FieldErrors;
}

export default async function decisionTreeRoutes(app: FastifyInstance, opts: { db: Db }) {
  const { db } = opts;

  async function renderPanel(req: FastifyRequest, reply: FastifyReply, opportunityId: number, form: CommitteeForm | null, status = 200) {
    const panel = await decisionTreePanel(db, viewerOf(req), opportunityId);
    if (!panel) return reply.callNotFound();
    // A panel on the deal page stays one (its forms come back there without htmx); else the printable page's.
    const back = (req.body as Record<string, unknown> | undefined)?.back === 'opportunity' && wantsFragment(req) ? 'opportunity' : 'committee';
    return reply.render(
      'decision-tree/page',
      { decisionTree: panel, opportunityId, committeeForm: form, committeeBack: back },
      { fragment: 'decision-tree/_panel', status },
    );
  }

  /** After a write: the panel again for htmx; a 303 back to where the form was (deal page or the printable page). */
  function done(req: FastifyRequest, reply: FastifyReply, opportunityId: number, message: string) {
    if (wantsFragment(req)) return renderPanel(req, reply, opportunityId, null);
    reply.flash('success', message);
    const back = (req.body as Record<string, unknown> | undefined)?.back === 'opportunity' ? `/opportunities/${opportunityId}#decision-tree` : `/opportunities/${opportunityId}/committee`;
    return reply.redirect(back, 303);
  }

  function refused(req: FastifyRequest, reply: FastifyReply, opportunityId: number, memberId: 'new' | number, result: CommitteeResult) {
    if (result.ok) throw new Error('not a refusal');
    if (result.notFound) return reply.callNotFound();
    const t = req.t.decisionTree.errors;
    const errors: FieldErrors = {};
    for (const [field, key] of Object.entries(result.errors)) errors[field] = t[key];
    return renderPanel(req, reply, opportunityId, { memberId, values: formValues(req.body), errors }, 422);
  }

  app.get('/opportunities/:id/committee', async (req, reply) => {
    const id = idParam(req.params);
    if (id === null) return reply.callNotFound();
    return renderPanel(req, reply, id, null);
  });

  app.post('/opportunities/:id/committee/members', async (req, reply) => {
    const id = idParam(req.params);
    if (id === null) return reply.callNotFound();
    const parsed = parseForm(memberNew, req.body, req.t);
    if (!parsed.ok) {
      if (!(await decisionTreePanel(db, viewerOf(req), id))) return reply.callNotFound();
      return renderPanel(req, reply, id, { memberId: 'new', values: formValues(req.body), errors: parsed.errors }, 422);
    }
    const result = await addMember(db, viewerOf(req), auditContext(req), id, parsed.data);
    if (!result.ok) return refused(req, reply, id, 'new', result);
    return done(req, reply, id, req.t.decisionTree.added);
  });

  app.post('/opportunities/:id/committee/members/:memberId', async (req, reply) => {
    const id = idParam(req.params);
    const memberId = idParam(req.params, 'memberId');
    if (id === null || memberId === null) return reply.callNotFound();
    const parsed = parseForm(memberEdit, req.body, req.t);
    if (!parsed.ok) {
      const panel = await decisionTreePanel(db, viewerOf(req), id);
      if (!panel || !panel.members.some((m) => m.id === memberId)) return reply.callNotFound();
      return renderPanel(req, reply, id, { memberId, values: formValues(req.body), errors: parsed.errors }, 422);
    }
    const result = await updateMember(db, viewerOf(req), auditContext(req), id, memberId, parsed.data);
    if (!result.ok) return refused(req, reply, id, memberId, result);
    return done(req, reply, id, req.t.decisionTree.saved);
  });

  app.post('/opportunities/:id/committee/members/:memberId/deletion', async (req, reply) => {
    const id = idParam(req.params);
    const memberId = idParam(req.params, 'memberId');
    if (id === null || memberId === null) return reply.callNotFound();
    const result = await removeMember(db, viewerOf(req), auditContext(req), id, memberId);
    if (!result.ok) return reply.callNotFound();
    return done(req, reply, id, req.t.decisionTree.removed);
  });
}
