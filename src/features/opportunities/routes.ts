import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/index.ts';
import { VIEWS_DIR } from '../../paths.ts';
import { canAssign, isAdmin, seesAllRecords } from '../../access/index.ts';
import { afterWrite, auditContext, idParam, viewerOf } from '../../plugins/guards.ts';
import { formValues, parseForm, type FieldErrors } from '../../lib/validation.ts';
import { fenToYuanInput } from '../../lib/money.ts';
import { toCsv, toXlsx, type ExportColumn } from '../../lib/spreadsheet.ts';
import { fill, type Messages } from '../../i18n/index.ts';
import { assignableUsers } from '../users/queries.ts';
import { competitorList, criteriaOf, defaultPipeline, pipelineList, stagesOf } from '../pipelines/queries.ts';
import { activityPanel } from '../activities/queries.ts';
import { addMember, advanceOpportunity, createOpportunity, probabilityBounds, removeMember, setCriterionCheck, updateOpportunity, type SaveError } from './commands.ts';
import { allStages, customerOptions, getOpportunity, listOpportunities, opportunitiesForExport, viewsFor, type OpportunityDetail, type OpportunityRow } from './queries.ts';
import { listQuery, listQueryString, OPPORTUNITY_SOURCES, opportunitySchema, PROBABILITY_SPREAD, SORTS, type ListQuery } from './schemas.ts';

/** Other features' partials on the deal page: included only once their files exist. */
const hasView = (rel: string): boolean => fs.existsSync(path.join(VIEWS_DIR, rel));

type OptionalPanels = {
  decisionTreePanel?: (db: Db, viewer: ReturnType<typeof viewerOf>, opportunityId: number) => Promise<unknown>;
  flagsForOpportunity?: (db: Db, opportunityId: number) => Promise<unknown>;
};

/** Loads another feature's exported query if its module is there (the decision tree and alerts are built alongside). */
async function optionalPanels(): Promise<OptionalPanels> {
  const out: OptionalPanels = {};
  try {
    // A non-literal specifier: the module may not exist yet, and the compiler must not insist on it.
    const spec = '../decision-tree/queries.ts';
    const m = (await import(spec)) as Record<string, unknown>;
    if (typeof m.decisionTreePanel === 'function') out.decisionTreePanel = m.decisionTreePanel as OptionalPanels['decisionTreePanel'];
  } catch {
    /* not built yet */
  }
  try {
    const spec = '../alerts/queries.ts';
    const m = (await import(spec)) as Record<string, unknown>;
    if (typeof m.flagsForOpportunity === 'function') out.flagsForOpportunity = m.flagsForOpportunity as OptionalPanels['flagsForOpportunity'];
  } catch {
    /* not built yet */
  }
  return out;
}

function exportColumns(t: Messages): ExportColumn<OpportunityRow>[] {
  const o = t.opportunities;
  return [
    { header: o.name, value: (r) => r.name },
    { header: o.customer, value: (r) => r.customer_name },
    { header: o.stage, value: (r) => r.stage_name },
    { header: o.status, value: (r) => o.statuses[r.status as keyof typeof o.statuses] ?? r.status },
    { header: o.amountShort, value: (r) => fenToYuanInput(r.amount_fen) },
    { header: o.probability, value: (r) => String(r.probability) },
    { header: o.expectedCloseDate, value: (r) => r.expected_close_date },
    { header: o.source, value: (r) => o.sources[r.source as keyof typeof o.sources] ?? r.source },
    { header: o.owner, value: (r) => r.owner_name },
    { header: o.nextStep, value: (r) => r.next_step },
    { header: o.closeReason, value: (r) => r.close_reason },
    { header: o.updatedAt, value: (r) => r.updated_at },
  ];
}

/** /opportunities: the list (views, filters, search, export), the form, the deal page, advancement, criteria and team. */
export default async function opportunitiesRoutes(app: FastifyInstance, opts: { db: Db }) {
  const { db } = opts;
  const panels = await optionalPanels();

  // Deals are sales data: administrators get the ordinary 404.
  app.addHook('preHandler', async (req, reply) => {
    if (req.viewer && isAdmin(req.viewer) && req.url.startsWith('/opportunities')) {
      reply.callNotFound();
      return reply;
    }
    return undefined;
  });

  async function listData(req: FastifyRequest, f: ListQuery) {
    const viewer = viewerOf(req);
    const [page, owners, pipelines, stages] = await Promise.all([listOpportunities(db, viewer, f), assignableUsers(db, viewer), pipelineList(db), allStages(db)]);
    const anyFilter = Boolean(f.q || f.owner || f.pipeline || f.stage || f.status || f.close_from || f.close_to || f.view);
    return {
      ...page,
      filters: f,
      anyFilter,
      owners,
      pipelines,
      stages,
      views: viewsFor(viewer),
      sorts: SORTS,
      qs: (extra: Record<string, string> = {}) => listQueryString(f, extra),
    };
  }

  app.get('/opportunities', async (req, reply) => {
    const f = listQuery.parse(req.query ?? {});
    return reply.render('opportunities/index', await listData(req, f), { fragment: 'opportunities/_list' });
  });

  const stamp = () => new Date().toISOString().slice(0, 10).replace(/-/g, '');
  app.get('/opportunities/export.xlsx', async (req, reply) => {
    const rows = await opportunitiesForExport(db, viewerOf(req), listQuery.parse(req.query ?? {}));
    const buf = await toXlsx(rows, exportColumns(req.t), req.t.opportunities.title);
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('Content-Disposition', `attachment; filename="opportunities-${stamp()}.xlsx"`)
      .header('Cache-Control', 'no-store')
      .send(buf);
  });
  app.get('/opportunities/export.csv', async (req, reply) => {
    const rows = await opportunitiesForExport(db, viewerOf(req), listQuery.parse(req.query ?? {}));
    return reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="opportunities-${stamp()}.csv"`)
      .header('Cache-Control', 'no-store')
      .send(toCsv(rows, exportColumns(req.t)));
  });

  // ---------- the form ----------
  function translateErrors(t: Messages, raw: FieldErrors, refs: SaveError[], stageBounds: [number, number] | null): FieldErrors {
    const e = { ...raw };
    const o = t.opportunities.errors;
    if (e.amount && e.amount !== t.validation.required) e.amount = o.amount;
    if (e.expected_close_date && e.expected_close_date !== t.validation.required) e.expected_close_date = o.date;
    if (e.probability) e.probability = o.probability;
    for (const r of refs) {
      if (r.key === 'probabilityRange') {
        const [lo, hi] = stageBounds ?? [0, 100];
        e[r.field] = fill(o.probabilityRange, { lo, hi, spread: PROBABILITY_SPREAD });
      } else e[r.field] = o[r.key];
    }
    return e;
  }

  async function renderForm(req: FastifyRequest, reply: FastifyReply, deal: OpportunityDetail | null, values: Record<string, unknown>, errors: FieldErrors, status = 200) {
    const viewer = viewerOf(req);
    const chosenCustomer = Number(values.customer_id) || null;
    const [customers, pipelines, stages, competitors, owners] = await Promise.all([
      customerOptions(db, viewer, chosenCustomer),
      pipelineList(db),
      allStages(db),
      competitorList(db, { activeOnly: true }),
      canAssign(viewer) ? assignableUsers(db, viewer) : Promise.resolve([]),
    ]);
    return reply.render(
      'opportunities/form',
      {
        deal,
        values,
        errors,
        customers,
        pipelines: pipelines.filter((p) => p.active || (deal && p.id === deal.pipeline_id)),
        stages: stages.filter((s) => s.kind === 'open'),
        competitors,
        owners,
        sources: OPPORTUNITY_SOURCES,
        spread: PROBABILITY_SPREAD,
        noPipeline: pipelines.length === 0,
      },
      { status, fragment: 'opportunities/_form' },
    );
  }

  const competitorValues = (body: Record<string, unknown>): string[] => {
    const v = body.competitor_ids;
    return (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String);
  };

  app.get('/opportunities/new', async (req, reply) => {
    const viewer = viewerOf(req);
    const query = (req.query ?? {}) as Record<string, string>;
    const pipeline = await defaultPipeline(db);
    const first = pipeline ? (await stagesOf(db, pipeline.id)).find((s) => s.kind === 'open') : undefined;
    return renderForm(req, reply, null, {
      customer_id: /^\d+$/.test(query.customer_id ?? '') ? query.customer_id : '',
      pipeline_id: pipeline ? String(pipeline.id) : '',
      stage_id: first ? String(first.id) : '',
      source: 'other',
      owner_id: String(viewer.id),
      competitor_ids: [],
    }, {});
  });

  async function stageBoundsOf(stageId: number): Promise<[number, number] | null> {
    const s = await db.selectFrom('pipeline_stages').select(['probability', 'kind']).where('id', '=', stageId).executeTakeFirst();
    return s ? probabilityBounds(s) : null;
  }

  app.post('/opportunities', async (req, reply) => {
    const viewer = viewerOf(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = { ...formValues(body), competitor_ids: competitorValues(body) };
    const parsed = parseForm(opportunitySchema, body, req.t);
    if (!parsed.ok) return renderForm(req, reply, null, values, translateErrors(req.t, parsed.errors, [], null), 422);
    const result = await createOpportunity(db, viewer, auditContext(req), parsed.data);
    if (!result.ok) {
      if (result.error === 'notFound') return reply.callNotFound();
      return renderForm(req, reply, null, values, translateErrors(req.t, {}, result.fields, await stageBoundsOf(parsed.data.stage_id)), 422);
    }
    reply.flash('success', req.t.opportunities.created);
    return afterWrite(req, reply, `/opportunities/${result.id}`);
  });

  function dealValues(d: OpportunityDetail): Record<string, unknown> {
    return {
      name: d.name,
      customer_id: String(d.customer_id),
      amount: fenToYuanInput(d.amount_fen),
      expected_close_date: d.expected_close_date,
      pipeline_id: String(d.pipeline_id),
      stage_id: String(d.stage_id),
      probability: String(d.probability),
      source: d.source,
      owner_id: String(d.owner_id),
      competitor_ids: d.competitors.map((c) => String(c.id)),
      next_step: d.next_step,
      description: d.description,
    };
  }

  app.get('/opportunities/:id/edit', async (req, reply) => {
    const id = idParam(req.params);
    const deal = id ? await getOpportunity(db, viewerOf(req), id) : undefined;
    if (!deal) return reply.callNotFound();
    return renderForm(req, reply, deal, dealValues(deal), {});
  });

  app.post('/opportunities/:id', async (req, reply) => {
    const viewer = viewerOf(req);
    const id = idParam(req.params);
    const deal = id ? await getOpportunity(db, viewer, id) : undefined;
    if (!id || !deal) return reply.callNotFound();
    const body = { ...((req.body ?? {}) as Record<string, unknown>), pipeline_id: String(deal.pipeline_id), stage_id: String(deal.stage_id) };
    const values = { ...formValues(body), competitor_ids: competitorValues(body) };
    const parsed = parseForm(opportunitySchema, body, req.t);
    if (!parsed.ok) return renderForm(req, reply, deal, values, translateErrors(req.t, parsed.errors, [], null), 422);
    const result = await updateOpportunity(db, viewer, auditContext(req), id, parsed.data);
    if (!result.ok) {
      if (result.error === 'notFound') return reply.callNotFound();
      return renderForm(req, reply, deal, values, translateErrors(req.t, {}, result.fields, await stageBoundsOf(deal.stage_id)), 422);
    }
    reply.flash('success', req.t.opportunities.saved);
    return afterWrite(req, reply, `/opportunities/${id}`);
  });

  // ---------- the deal page ----------
  async function showData(req: FastifyRequest, deal: OpportunityDetail, extra: { advanceError?: string; advanceValues?: Record<string, string> } = {}) {
    const viewer = viewerOf(req);
    const stages = await stagesOf(db, deal.pipeline_id);
    const criteria = await criteriaOf(db, [deal.stage_id]);
    const [activity, decisionTree, flags, owners] = await Promise.all([
      activityPanel(db, viewer, { customerId: deal.customer_id }),
      panels.decisionTreePanel && hasView('decision-tree/_panel.eta') ? panels.decisionTreePanel(db, viewer, deal.id) : Promise.resolve(null),
      panels.flagsForOpportunity && hasView('alerts/_opportunity-flags.eta') ? panels.flagsForOpportunity(db, deal.id) : Promise.resolve(null),
      canAssign(viewer) ? assignableUsers(db, viewer) : Promise.resolve([]),
    ]);
    return {
      opportunity: deal,
      stages,
      currentStage: stages.find((s) => s.id === deal.stage_id),
      criteria,
      activityPanel: activity,
      decisionTree,
      flags,
      hasDecisionTree: decisionTree !== null,
      hasFlags: flags !== null,
      hasActivityPanel: hasView('activities/_panel.eta'),
      canManageTeam: canAssign(viewer),
      memberOptions: owners.filter((u) => u.id !== deal.owner_id && !deal.members.some((m) => m.id === u.id)),
      canMove: deal.status === 'open' || seesAllRecords(viewer),
      advanceError: extra.advanceError ?? '',
      advanceValues: extra.advanceValues ?? {},
    };
  }

  app.get('/opportunities/:id', async (req, reply) => {
    const id = idParam(req.params);
    const deal = id ? await getOpportunity(db, viewerOf(req), id) : undefined;
    if (!deal) return reply.callNotFound();
    return reply.render('opportunities/show', await showData(req, deal));
  });

  // Stage advancement, a noun resource: POST creates an advancement of the deal to `to_stage_id`.
  app.post('/opportunities/:id/advancement', async (req, reply) => {
    const viewer = viewerOf(req);
    const id = idParam(req.params);
    if (!id) return reply.callNotFound();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const toStageId = typeof body.to_stage_id === 'string' && /^\d{1,15}$/.test(body.to_stage_id) ? Number(body.to_stage_id) : 0;
    const reason = typeof body.reason === 'string' ? body.reason : '';
    const result = await advanceOpportunity(db, viewer, auditContext(req), id, toStageId, { reason });
    const t = req.t.opportunities;
    if (result.ok) {
      const stage = await db.selectFrom('pipeline_stages').select('name').where('id', '=', toStageId).executeTakeFirst();
      reply.flash('success', fill(t.advanced, { stage: stage?.name ?? '' }));
      return afterWrite(req, reply, `/opportunities/${id}`);
    }
    if (result.error === 'notFound' && !(await getOpportunity(db, viewer, id))) return reply.callNotFound();
    const message =
      result.error === 'criteriaUnmet' ? fill(t.errors.criteriaUnmet, { labels: result.unmet.join('、') }) : result.error === 'notFound' ? t.errors.stage : t.errors[result.error];
    const deal = await getOpportunity(db, viewer, id);
    if (!deal) return reply.callNotFound();
    return reply.render('opportunities/show', await showData(req, deal, { advanceError: message, advanceValues: { to_stage_id: String(toStageId), reason } }), {
      status: 422,
      fragment: 'opportunities/_advance',
    });
  });

  // An exit criterion checked or unchecked (the checklist re-renders in place for htmx).
  app.post('/opportunities/:id/criteria/:criterionId', async (req, reply) => {
    const viewer = viewerOf(req);
    const id = idParam(req.params);
    const criterionId = idParam(req.params, 'criterionId');
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!id || !criterionId || !(await setCriterionCheck(db, viewer, auditContext(req), id, criterionId, body.checked === '1'))) return reply.callNotFound();
    const deal = await getOpportunity(db, viewer, id);
    if (!deal) return reply.callNotFound();
    if (req.headers['hx-request'] === 'true' && req.headers['hx-target']) return reply.render('opportunities/show', await showData(req, deal), { fragment: 'opportunities/_criteria' });
    return afterWrite(req, reply, `/opportunities/${id}`);
  });

  app.post('/opportunities/:id/members', async (req, reply) => {
    const id = idParam(req.params);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const userId = typeof body.user_id === 'string' && /^\d{1,15}$/.test(body.user_id) ? Number(body.user_id) : 0;
    if (!id) return reply.callNotFound();
    const result = await addMember(db, viewerOf(req), auditContext(req), id, userId);
    if (result === 'notFound') return reply.callNotFound();
    reply.flash(result === 'ok' ? 'success' : 'error', result === 'ok' ? req.t.opportunities.memberAdded : req.t.opportunities.errors.badMember);
    return afterWrite(req, reply, `/opportunities/${id}`);
  });

  app.post('/opportunities/:id/members/:userId/delete', async (req, reply) => {
    const id = idParam(req.params);
    const userId = idParam(req.params, 'userId');
    if (!id || !userId || !(await removeMember(db, viewerOf(req), auditContext(req), id, userId))) return reply.callNotFound();
    reply.flash('success', req.t.opportunities.memberRemoved);
    return afterWrite(req, reply, `/opportunities/${id}`);
  });
}
