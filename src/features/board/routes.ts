import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/index.ts';
import { auditContext, viewerOf, wantsFragment } from '../../plugins/guards.ts';
import { fill } from '../../i18n/index.ts';
import { companyTimeZone } from '../company/queries.ts';
import { advanceOpportunity } from '../opportunities/commands.ts';
import {
  activePipelines,
  boardColumns,
  choosePipeline,
  CARDS_PER_COLUMN,
  columnCards,
  decodeCardCursor,
  encodeCardCursor,
  type BoardCard,
  overview,
  ownerOptions,
  stageById,
  visibleDeal,
} from './queries.ts';
import { boardQuery, boardSearch, cardsQuery, moveForm, overviewQuery, type BoardQuery } from './schemas.ts';
import { quarterOf, todayIn } from '../../lib/dates.ts';

/** A move waiting for its reason (moving to won/lost): shown as a small form on top of the board. */
interface PendingMove {
  opportunityId: number;
  name: string;
  toStageId: number;
  stageName: string;
  kind: string;
  reason: string;
  error?: string;
}

/**
 * The opportunity views: the kanban board per pipeline, moves on the board (a noun resource: POST
 * /opportunities/board/moves advances a deal through the opportunities command), and the overview table.
 * Registered before the opportunities routes so these paths win over /opportunities/:id.
 */
/** The deals list showing what a board column shows (its "see all" link). */
function columnListUrl(f: BoardQuery, stageId: number): string {
  const p = new URLSearchParams();
  if (f.pipeline) p.set('pipeline', String(f.pipeline));
  p.set('stage', String(stageId));
  if (f.who === 'mine') p.set('view', 'mine');
  if (f.owner) p.set('owner', String(f.owner));
  if (f.close_from) p.set('close_from', f.close_from);
  if (f.close_to) p.set('close_to', f.close_to);
  return `/opportunities?${p.toString()}`;
}

/** The "load more" marker after a batch of cards: null when the column has no more. */
function nextBatch(f: BoardQuery, stageId: number, cards: BoardCard[], shownBefore: number, total: number) {
  const shown = shownBefore + cards.length;
  const last = cards[cards.length - 1];
  if (!last || cards.length < CARDS_PER_COLUMN || shown >= total) return null;
  const p = new URLSearchParams(boardSearch(f).slice(1));
  p.set('stage', String(stageId));
  p.set('after', encodeCardCursor(last));
  p.set('shown', String(shown));
  p.set('total', String(total));
  return { url: `/opportunities/board/cards?${p.toString()}`, listUrl: columnListUrl(f, stageId), remaining: total - shown, shown };
}

export default async function boardRoutes(app: FastifyInstance, opts: { db: Db }) {
  const { db } = opts;

  async function renderBoard(req: FastifyRequest, reply: FastifyReply, q: BoardQuery, extra: { pending?: PendingMove; status?: number } = {}) {
    const viewer = viewerOf(req);
    const [pipelines, owners, tz] = await Promise.all([activePipelines(db), ownerOptions(db, viewer), companyTimeZone(db)]);
    const pipeline = choosePipeline(pipelines, q.pipeline);
    const filters: BoardQuery = { ...q, pipeline: pipeline?.id };
    const columns = (pipeline ? await boardColumns(db, viewer, pipeline.id, filters) : []).map((col) => ({
      ...col,
      listUrl: columnListUrl(filters, col.stage.id),
      more: col.stage.kind === 'open' ? nextBatch(filters, col.stage.id, col.cards, 0, col.count) : null,
    }));
    const allStages = columns.map((c) => c.stage);
    return reply.render(
      'board/index',
      {
        pipelines,
        pipeline,
        columns,
        allStages,
        owners,
        filters,
        search: boardSearch(filters),
        today: todayIn(tz),
        pending: extra.pending ?? null,
        anyFilter: Boolean(q.owner || q.who || q.close_from || q.close_to),
      },
      { fragment: 'board/_board', status: extra.status },
    );
  }

  app.get('/opportunities/board', async (req, reply) => renderBoard(req, reply, boardQuery.parse(req.query ?? {})));

  // The next cards of an open column, loaded as the column is scrolled to its end (a fragment for htmx; a plain
  // request goes to the list of that stage).
  app.get('/opportunities/board/cards', async (req, reply) => {
    const viewer = viewerOf(req);
    const q = cardsQuery.parse(req.query ?? {});
    const stage = q.stage ? await stageById(db, q.stage) : undefined;
    if (!stage || stage.kind !== 'open' || (q.pipeline !== undefined && stage.pipeline_id !== q.pipeline)) return reply.callNotFound();
    const filters: BoardQuery = { pipeline: stage.pipeline_id, owner: q.owner, who: q.who, close_from: q.close_from, close_to: q.close_to };
    if (!wantsFragment(req)) return reply.redirect(columnListUrl(filters, stage.id), 303);
    const [cards, tz] = await Promise.all([
      columnCards(db, viewer, { id: stage.id, name: stage.name, kind: stage.kind, probability: 0 }, filters, { limit: CARDS_PER_COLUMN, after: decodeCardCursor(q.after) }),
      companyTimeZone(db),
    ]);
    const shown = q.shown ?? 0;
    return reply.render(
      'board/_cards',
      {
        cards,
        stage,
        filters,
        today: todayIn(tz),
        more: nextBatch(filters, stage.id, cards, shown, q.total ?? 0),
      },
      { fragment: 'board/_cards' },
    );
  });

  app.post('/opportunities/board/moves', async (req, reply) => {
    const viewer = viewerOf(req);
    const form = moveForm.parse(req.body ?? {});
    const { opportunity_id: id, to_stage_id: toStageId, reason, ...filters } = form;
    const deal = id ? await visibleDeal(db, viewer, id) : undefined;
    if (!deal) return reply.callNotFound();
    const stage = toStageId ? await stageById(db, toStageId) : undefined;
    const t = req.t.board;
    const back = (status?: number, pending?: PendingMove) => {
      if (wantsFragment(req) || pending) return renderBoard(req, reply, { ...filters, pipeline: deal.pipeline_id }, { pending, status });
      return reply.redirect(`/opportunities/board${boardSearch({ ...filters, pipeline: deal.pipeline_id })}`, 303);
    };
    if (!stage || stage.pipeline_id !== deal.pipeline_id) {
      reply.flash('error', req.t.validation.invalid);
      return back(422);
    }
    const result = await advanceOpportunity(db, viewer, auditContext(req), deal.id, stage.id, { reason: reason ?? '' });
    if (result.ok) {
      reply.flash('success', fill(t.moved, { name: deal.name, stage: stage.name }));
      return back();
    }
    switch (result.error) {
      case 'notFound':
        return reply.callNotFound();
      case 'criteriaUnmet': {
        reply.flash('error', fill(t.criteriaUnmet, { name: deal.name, criteria: result.unmet.join('、') }));
        return back(422);
      }
      case 'reasonRequired': {
        // First ask for the reason; a submitted empty reason is an error beside the field.
        const submitted = typeof (req.body as Record<string, unknown> | undefined)?.reason === 'string';
        const pending: PendingMove = {
          opportunityId: deal.id,
          name: deal.name,
          toStageId: stage.id,
          stageName: stage.name,
          kind: stage.kind,
          reason: reason ?? '',
          error: submitted ? t.reasonMissing : undefined,
        };
        return back(submitted ? 422 : 200, pending);
      }
      case 'closed':
        reply.flash('error', fill(t.closedMove, { name: deal.name }));
        return back(422);
      case 'sameStage':
        reply.flash('info', fill(t.sameStage, { name: deal.name }));
        return back();
      default:
        reply.flash('error', req.t.validation.invalid);
        return back(422);
    }
  });

  app.get('/opportunities/overview', async (req, reply) => {
    const viewer = viewerOf(req);
    const q = overviewQuery.parse(req.query ?? {});
    const [pipelines, tz] = await Promise.all([activePipelines(db), companyTimeZone(db)]);
    const pipeline = choosePipeline(pipelines, q.pipeline);
    const quarter = quarterOf(todayIn(tz));
    let from = q.from ?? quarter.from;
    let to = q.to ?? quarter.to;
    if (from > to) [from, to] = [to, from];
    const rows = q.rows ?? 'company';
    const table = pipeline
      ? await overview(db, viewer, { pipelineId: pipeline.id, rows, from, to, noDepartment: req.t.board.noDepartment, companyLabel: req.t.board.company })
      : null;
    return reply.render('board/overview', { pipelines, pipeline, table, rows, from, to, quarter }, { fragment: 'board/_overview' });
  });
}

