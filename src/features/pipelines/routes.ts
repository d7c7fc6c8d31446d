import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/index.ts';
import { afterWrite, auditContext, idParam } from '../../plugins/guards.ts';
import { formValues, parseForm, type FieldErrors } from '../../lib/validation.ts';
import { competitorList, getCompetitor, pipelineDetail, pipelineList } from './queries.ts';
import {
  addCriterion,
  addStage,
  addTaskTemplate,
  createPipeline,
  deleteCriterion,
  deleteStage,
  deleteTaskTemplate,
  moveStage,
  saveCompetitor,
  updatePipeline,
  updateStage,
} from './commands.ts';
import { competitorSchema, criterionSchema, pipelineSchema, stageSchema, taskTemplateSchema } from './schemas.ts';

const SETTINGS_PREFIXES = ['/settings/pipelines', '/settings/stages', '/settings/competitors'];

/** /settings/pipelines (pipelines, stages, exit criteria, stage tasks) and /settings/competitors: directors and admins. */
export default async function pipelinesRoutes(app: FastifyInstance, opts: { db: Db }) {
  const { db } = opts;

  app.addHook('preHandler', async (req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    if (!SETTINGS_PREFIXES.some((p) => path === p || path.startsWith(p + '/'))) return undefined;
    const role = req.viewer?.role;
    if (role !== 'sales_director' && role !== 'admin') {
      reply.callNotFound();
      return reply;
    }
    return undefined;
  });

  const isHtmx = (req: FastifyRequest) => req.headers['hx-request'] === 'true' && Boolean(req.headers['hx-target']);

  // ---------- pipelines ----------
  async function renderIndex(req: FastifyRequest, reply: FastifyReply, values: Record<string, unknown> = { sort_order: '0', active: '1' }, errors: FieldErrors = {}, status = 200) {
    const pipelines = await pipelineList(db);
    const details = await Promise.all(pipelines.map((p) => pipelineDetail(db, p.id)));
    return reply.render('pipelines/index', { pipelines: details.filter((d) => d !== undefined), values, errors }, { status, fragment: 'pipelines/_new-form' });
  }

  app.get('/settings/pipelines', async (req, reply) => renderIndex(req, reply));

  app.post('/settings/pipelines', async (req, reply) => {
    const parsed = parseForm(pipelineSchema, req.body, req.t);
    if (!parsed.ok) return renderIndex(req, reply, formValues(req.body), parsed.errors, 422);
    const id = await createPipeline(db, auditContext(req), parsed.data, { won: req.t.pipelines.wonName, lost: req.t.pipelines.lostName });
    reply.flash('success', req.t.pipelines.created);
    return afterWrite(req, reply, `/settings/pipelines/${id}`);
  });

  async function renderPipeline(req: FastifyRequest, reply: FastifyReply, id: number, extra: { values?: Record<string, unknown>; errors?: FieldErrors; stageErrors?: Record<number, FieldErrors>; stageValues?: Record<number, Record<string, unknown>>; newStage?: { values: Record<string, unknown>; errors: FieldErrors } } = {}, status = 200, fragment?: string, stageId?: number) {
    const detail = await pipelineDetail(db, id);
    if (!detail) return reply.callNotFound();
    const p = detail.pipeline;
    const data = {
      ...detail,
      values: extra.values ?? { name: p.name, is_default: p.is_default ? '1' : '', active: p.active ? '1' : '', sort_order: String(p.sort_order) },
      errors: extra.errors ?? {},
      stageErrors: extra.stageErrors ?? {},
      stageValues: extra.stageValues ?? {},
      newStage: extra.newStage ?? { values: { probability: '', expected_days: '14' }, errors: {} },
      stage: stageId ? detail.stages.find((s) => s.id === stageId) : undefined,
    };
    return reply.render('pipelines/show', data, { status, fragment });
  }

  app.get('/settings/pipelines/:id', async (req, reply) => {
    const id = idParam(req.params);
    return id ? renderPipeline(req, reply, id) : reply.callNotFound();
  });

  app.post('/settings/pipelines/:id', async (req, reply) => {
    const id = idParam(req.params);
    if (!id) return reply.callNotFound();
    const parsed = parseForm(pipelineSchema, req.body, req.t);
    if (!parsed.ok) return renderPipeline(req, reply, id, { values: formValues(req.body), errors: parsed.errors }, 422, 'pipelines/_pipeline-form');
    if (!(await updatePipeline(db, auditContext(req), id, parsed.data))) return reply.callNotFound();
    reply.flash('success', req.t.pipelines.saved);
    return afterWrite(req, reply, `/settings/pipelines/${id}`);
  });

  app.post('/settings/pipelines/:id/stages', async (req, reply) => {
    const id = idParam(req.params);
    if (!id) return reply.callNotFound();
    const parsed = parseForm(stageSchema, req.body, req.t);
    if (!parsed.ok) return renderPipeline(req, reply, id, { newStage: { values: formValues(req.body), errors: parsed.errors } }, 422, 'pipelines/_new-stage');
    if ((await addStage(db, auditContext(req), id, parsed.data)) === null) return reply.callNotFound();
    reply.flash('success', req.t.pipelines.saved);
    return afterWrite(req, reply, `/settings/pipelines/${id}`);
  });

  // ---------- one stage: edit inline, move, delete, criteria, task templates ----------
  async function stageOf(id: number) {
    return db.selectFrom('pipeline_stages').select(['id', 'pipeline_id']).where('id', '=', id).executeTakeFirst();
  }

  /** After a stage change: the stage card for htmx, the pipeline page otherwise. */
  async function stageResponse(req: FastifyRequest, reply: FastifyReply, pipelineId: number, stageId: number, extra: Parameters<typeof renderPipeline>[3] = {}, status = 200) {
    if (isHtmx(req) || status !== 200) return renderPipeline(req, reply, pipelineId, extra, status, 'pipelines/_stage', stageId);
    return afterWrite(req, reply, `/settings/pipelines/${pipelineId}#stage-${stageId}`);
  }

  app.get('/settings/stages/:id', async (req, reply) => {
    const id = idParam(req.params);
    const stage = id ? await stageOf(id) : undefined;
    if (!stage) return reply.callNotFound();
    if (!isHtmx(req)) return reply.redirect(`/settings/pipelines/${stage.pipeline_id}#stage-${stage.id}`, 303);
    return renderPipeline(req, reply, stage.pipeline_id, {}, 200, 'pipelines/_stage', stage.id);
  });

  app.get('/settings/stages/:id/edit', async (req, reply) => {
    const id = idParam(req.params);
    const stage = id ? await stageOf(id) : undefined;
    if (!stage) return reply.callNotFound();
    const detail = await pipelineDetail(db, stage.pipeline_id);
    const s = detail?.stages.find((x) => x.id === stage.id);
    if (!s) return reply.callNotFound();
    return renderPipeline(req, reply, stage.pipeline_id, { stageValues: { [s.id]: { name: s.name, probability: String(s.probability), expected_days: String(s.expected_days), editing: '1' } } }, 200, isHtmx(req) ? 'pipelines/_stage' : undefined, s.id);
  });

  app.post('/settings/stages/:id', async (req, reply) => {
    const id = idParam(req.params);
    const stage = id ? await stageOf(id) : undefined;
    if (!stage) return reply.callNotFound();
    const parsed = parseForm(stageSchema, req.body, req.t);
    if (!parsed.ok) return stageResponse(req, reply, stage.pipeline_id, stage.id, { stageValues: { [stage.id]: { ...formValues(req.body), editing: '1' } }, stageErrors: { [stage.id]: parsed.errors } }, 422);
    await updateStage(db, auditContext(req), stage.id, parsed.data);
    if (!isHtmx(req)) reply.flash('success', req.t.pipelines.saved);
    return stageResponse(req, reply, stage.pipeline_id, stage.id);
  });

  app.post('/settings/stages/:id/position', async (req, reply) => {
    const id = idParam(req.params);
    const stage = id ? await stageOf(id) : undefined;
    if (!stage) return reply.callNotFound();
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!(await moveStage(db, auditContext(req), stage.id, body.direction === 'up' ? 'up' : 'down'))) reply.flash('error', req.t.pipelines.finalStage);
    return afterWrite(req, reply, `/settings/pipelines/${stage.pipeline_id}#stage-${stage.id}`);
  });

  app.post('/settings/stages/:id/delete', async (req, reply) => {
    const id = idParam(req.params);
    const stage = id ? await stageOf(id) : undefined;
    if (!stage) return reply.callNotFound();
    const result = await deleteStage(db, auditContext(req), stage.id);
    if (result === 'ok') reply.flash('success', req.t.pipelines.stageDeleted);
    else if (result === 'hasDeals') reply.flash('error', req.t.pipelines.hasDeals);
    else if (result === 'final') reply.flash('error', req.t.pipelines.finalStage);
    return afterWrite(req, reply, `/settings/pipelines/${stage.pipeline_id}`);
  });

  app.post('/settings/stages/:id/criteria', async (req, reply) => {
    const id = idParam(req.params);
    const stage = id ? await stageOf(id) : undefined;
    if (!stage) return reply.callNotFound();
    const parsed = parseForm(criterionSchema, req.body, req.t);
    if (!parsed.ok) return stageResponse(req, reply, stage.pipeline_id, stage.id, { stageValues: { [stage.id]: formValues(req.body) }, stageErrors: { [stage.id]: parsed.errors } }, 422);
    if (!(await addCriterion(db, auditContext(req), stage.id, parsed.data))) return reply.callNotFound();
    return stageResponse(req, reply, stage.pipeline_id, stage.id);
  });

  app.post('/settings/stages/:id/criteria/:itemId/delete', async (req, reply) => {
    const id = idParam(req.params);
    const itemId = idParam(req.params, 'itemId');
    const stage = id ? await stageOf(id) : undefined;
    if (!stage || !itemId) return reply.callNotFound();
    const owner = await db.selectFrom('stage_exit_criteria').select('stage_id').where('id', '=', itemId).executeTakeFirst();
    if (owner?.stage_id !== stage.id || (await deleteCriterion(db, auditContext(req), itemId)) === null) return reply.callNotFound();
    return stageResponse(req, reply, stage.pipeline_id, stage.id);
  });

  app.post('/settings/stages/:id/tasks', async (req, reply) => {
    const id = idParam(req.params);
    const stage = id ? await stageOf(id) : undefined;
    if (!stage) return reply.callNotFound();
    const parsed = parseForm(taskTemplateSchema, req.body, req.t);
    if (!parsed.ok) return stageResponse(req, reply, stage.pipeline_id, stage.id, { stageValues: { [stage.id]: formValues(req.body) }, stageErrors: { [stage.id]: parsed.errors } }, 422);
    if (!(await addTaskTemplate(db, auditContext(req), stage.id, parsed.data))) return reply.callNotFound();
    return stageResponse(req, reply, stage.pipeline_id, stage.id);
  });

  app.post('/settings/stages/:id/tasks/:itemId/delete', async (req, reply) => {
    const id = idParam(req.params);
    const itemId = idParam(req.params, 'itemId');
    const stage = id ? await stageOf(id) : undefined;
    if (!stage || !itemId) return reply.callNotFound();
    const owner = await db.selectFrom('stage_task_templates').select('stage_id').where('id', '=', itemId).executeTakeFirst();
    if (owner?.stage_id !== stage.id || (await deleteTaskTemplate(db, auditContext(req), itemId)) === null) return reply.callNotFound();
    return stageResponse(req, reply, stage.pipeline_id, stage.id);
  });

  // ---------- competitors ----------
  async function renderCompetitors(req: FastifyRequest, reply: FastifyReply, values: Record<string, unknown> = { active: '1' }, errors: FieldErrors = {}, status = 200) {
    return reply.render('pipelines/competitors', { competitors: await competitorList(db), values, errors }, { status, fragment: 'pipelines/_competitor-form' });
  }
  app.get('/settings/competitors', async (req, reply) => renderCompetitors(req, reply));
  app.post('/settings/competitors', async (req, reply) => {
    const parsed = parseForm(competitorSchema, req.body, req.t);
    if (!parsed.ok) return renderCompetitors(req, reply, formValues(req.body), parsed.errors, 422);
    const result = await saveCompetitor(db, auditContext(req), null, parsed.data);
    if (!result.ok) return renderCompetitors(req, reply, formValues(req.body), { name: req.t.pipelines.competitors.taken }, 422);
    reply.flash('success', req.t.pipelines.competitors.saved);
    return afterWrite(req, reply, '/settings/competitors');
  });

  async function renderCompetitorEdit(req: FastifyRequest, reply: FastifyReply, id: number, values: Record<string, unknown> | null, errors: FieldErrors = {}, status = 200) {
    const c = await getCompetitor(db, id);
    if (!c) return reply.callNotFound();
    const v = values ?? { name: c.name, website: c.website, notes: c.notes, active: c.active ? '1' : '' };
    return reply.render('pipelines/competitor-edit', { competitor: c, values: v, errors }, { status, fragment: 'pipelines/_competitor-form' });
  }
  app.get('/settings/competitors/:id/edit', async (req, reply) => {
    const id = idParam(req.params);
    return id ? renderCompetitorEdit(req, reply, id, null) : reply.callNotFound();
  });
  app.post('/settings/competitors/:id', async (req, reply) => {
    const id = idParam(req.params);
    if (!id) return reply.callNotFound();
    const parsed = parseForm(competitorSchema, req.body, req.t);
    if (!parsed.ok) return renderCompetitorEdit(req, reply, id, formValues(req.body), parsed.errors, 422);
    const result = await saveCompetitor(db, auditContext(req), id, parsed.data);
    if (!result.ok && result.error === 'notFound') return reply.callNotFound();
    if (!result.ok) return renderCompetitorEdit(req, reply, id, formValues(req.body), { name: req.t.pipelines.competitors.taken }, 422);
    reply.flash('success', req.t.pipelines.competitors.saved);
    return afterWrite(req, reply, '/settings/competitors');
  });
}
