import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../db/index.ts';
import { viewerOf } from '../../plugins/guards.ts';
import { companyTimeZone } from '../company/queries.ts';
import { barSvg, funnelSvg, lineSvg } from '../../lib/charts.ts';
import { formatter } from '../../lib/format.ts';
import { defaultPeriod, defaultScope, ownersInScope, parseScope, pipelineAnalytics, pipelineChoices, scopeOptions, scopeParam } from './queries.ts';

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])(-\d{2})?$/;
const query = z.object({
  pipeline: z.string().optional(),
  scope: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
});

const monthParam = (v: string | undefined): string | null => {
  const m = v ? MONTH.exec(v) : null;
  return m ? `${m[1]}-${m[2]}` : null;
};

export default async function pipelineAnalyticsRoutes(app: FastifyInstance, opts: { db: Db }) {
  const { db } = opts;

  app.get('/pipeline', async (req, reply) => {
    const viewer = viewerOf(req);
    if (viewer.role === 'admin') return reply.callNotFound();
    const q = query.parse(req.query ?? {});
    const pipelines = await pipelineChoices(db);
    const zone = await companyTimeZone(db);
    const t = req.t.analytics;
    const asked = parseScope(q.scope);
    if (asked === null) return reply.callNotFound();
    const scope = asked ?? defaultScope(viewer);
    const owners = await ownersInScope(db, viewer, scope);
    // A scope out of the viewer's reach is not theirs to know about.
    if (owners === null) return reply.callNotFound();
    const options = await scopeOptions(db, viewer);
    const period = defaultPeriod(new Date(), zone);
    let from = monthParam(q.from) ?? period.from;
    let to = monthParam(q.to) ?? period.to;
    let periodError = '';
    if (from > to) {
      periodError = t.badPeriod;
      ({ from, to } = period);
    }
    const pipelineId = Number(q.pipeline) || (pipelines.find((p) => p.is_default) ?? pipelines[0])?.id;
    const pipeline = pipelines.find((p) => p.id === pipelineId);
    if (q.pipeline && !pipeline) return reply.callNotFound();
    const filters = { pipeline: pipeline ? String(pipeline.id) : '', scope: scopeParam(scope), from, to };
    if (!pipeline) return reply.render('pipeline-analytics/index', { pipelines, options, filters, data: null, charts: null, periodError }, { fragment: 'pipeline-analytics/_report' });

    const data = await pipelineAnalytics(db, pipeline.id, owners, from, to);
    const wan = formatter(req.lang, zone).brief;
    const open = data.stages.filter((s) => s.kind === 'open');
    const hasData = data.openCount > 0 || data.stages.some((s) => s.entered > 0);
    const charts = hasData
      ? {
          funnel: funnelSvg(
            open.map((s) => ({ name: s.name, value: s.openCount, label: `${s.name}  ${s.openCount} · ${wan(s.openAmountFen)}` })),
            { width: 560, height: 300 },
          ),
          conversion: barSvg(
            open.map((s) => s.name),
            open.map((s) => (s.conversion === null ? 0 : Math.round(s.conversion * 1000) / 10)),
            { width: 560, height: 260, format: (v) => `${v}%`, formatKey: 'percent' },
          ),
          days: barSvg(
            open.map((s) => s.name),
            open.map((s) => (s.avgDays === null ? 0 : Math.round(s.avgDays * 10) / 10)),
            { width: 560, height: 260 },
          ),
          monthly: lineSvg(
            data.months.map((m) => m.month),
            [
              { name: t.won, values: data.months.map((m) => m.won) },
              { name: t.lost, values: data.months.map((m) => m.lost) },
            ],
            { width: 1120, height: 260 },
          ),
        }
      : null;
    return reply.render('pipeline-analytics/index', { pipelines, options, filters, data, charts, hasData, periodError }, { fragment: 'pipeline-analytics/_report' });
  });
}
