import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../db/index.ts';
import { isAdmin } from '../../access/index.ts';
import { afterWrite, auditContext, idParam, viewerOf } from '../../plugins/guards.ts';
import { companyTimeZone, DEFAULT_TIME_ZONE, getCompany, getCompanyLogo } from '../company/queries.ts';
import { parseForm } from '../../lib/validation.ts';
import { addComment, saveReport } from './commands.ts';
import { renderWorkReportPdf, periodTitle } from './pdf.ts';
import { activityWorkLog, myReports, readsTeamReports, reportComments, reportPeriods, teamReports, visibleReport } from './queries.ts';
import { summarySentence } from './summary.ts';
import { isPeriodStart, previousPeriod, PERIOD_KINDS, type PeriodKind } from './period.ts';

const text = (max: number) => z.preprocess((v) => (typeof v === 'string' ? v : ''), z.string().trim().max(max, `tooLong:${max}`));
const reportSchema = z.object({ summary: text(5000), plan: text(5000), submit: z.preprocess((v) => v === '1', z.boolean()) });
const commentSchema = z.object({ body: z.preprocess((v) => (typeof v === 'string' ? v : ''), z.string().trim().min(1, 'bodyRequired').max(2000, 'tooLong:2000')) });

/** 工作报告: /reports/work (mine, and the team's for managers), one report, its PDF; 行动历史 of an activity. */
export default async function workReportsRoutes(app: FastifyInstance, opts: { db: Db }) {
  const { db } = opts;
  const zoneOf = () => companyTimeZone(db);

  app.get('/reports/work', async (req, reply) => {
    const viewer = viewerOf(req);
    if (isAdmin(viewer)) return reply.callNotFound();
    const q = req.query as { kind?: string; start?: string };
    const kind: PeriodKind = (PERIOD_KINDS as readonly string[]).includes(q.kind ?? '') ? (q.kind as PeriodKind) : 'week';
    const zone = await zoneOf();
    const start = q.start && isPeriodStart(kind, q.start, zone) ? q.start : previousPeriod(kind, new Date(), zone).start;
    const mine = await myReports(db, viewer);
    const team = readsTeamReports(viewer) ? await teamReports(db, viewer, kind, start) : null;
    const periods = readsTeamReports(viewer) ? await reportPeriods(db, kind) : [];
    if (team && !periods.some((p) => p.period_start === start)) periods.unshift({ period_start: start, period_end: '' });
    return reply.render('work-reports/index', { title: req.t.workReports.title, mine, team, kind, start, periods, notSubmitted: team ? team.filter((m) => !m.submitted_at).length : 0 });
  });

  app.get('/reports/work/:id', async (req, reply) => {
    const viewer = viewerOf(req);
    const id = idParam(req.params);
    const report = id ? await visibleReport(db, viewer, id) : undefined;
    if (!report) return reply.callNotFound();
    const zone = await zoneOf();
    const comments = await reportComments(db, report.id);
    return reply.render('work-reports/show', {
      title: `${report.author} · ${periodTitle(report, req.lang)}`,
      report,
      f: report.figures,
      sentence: summarySentence(report.figures, report.period as PeriodKind, req.lang, zone),
      periodName: periodTitle(report, req.lang),
      comments,
      isAuthor: report.user_id === viewer.id,
      errors: {},
    });
  });

  app.post('/reports/work/:id', async (req, reply) => {
    const viewer = viewerOf(req);
    const id = idParam(req.params);
    const report = id ? await visibleReport(db, viewer, id) : undefined;
    if (!report || report.user_id !== viewer.id) return reply.callNotFound();
    const parsed = parseForm(reportSchema, req.body, req.t, req.t.workReports);
    if (!parsed.ok) return reply.code(422).send(Object.values(parsed.errors).join(' '));
    await saveReport(db, auditContext(req), viewer, report, parsed.data);
    reply.flash('success', parsed.data.submit ? req.t.workReports.submittedFlash : req.t.workReports.saved);
    return afterWrite(req, reply, `/reports/work/${report.id}`);
  });

  app.post('/reports/work/:id/comments', async (req, reply) => {
    const viewer = viewerOf(req);
    const id = idParam(req.params);
    const report = id ? await visibleReport(db, viewer, id) : undefined;
    if (!report) return reply.callNotFound();
    const parsed = parseForm(commentSchema, req.body, req.t, req.t.workReports);
    if (!parsed.ok) {
      reply.flash('error', parsed.errors.body ?? req.t.workReports.bodyRequired);
      return afterWrite(req, reply, `/reports/work/${report.id}#comments`);
    }
    await addComment(db, auditContext(req), viewer, report, parsed.data.body);
    reply.flash('success', req.t.workReports.commented);
    return afterWrite(req, reply, `/reports/work/${report.id}#comments`);
  });

  app.get('/reports/work/:id/pdf', async (req, reply) => {
    const viewer = viewerOf(req);
    const id = idParam(req.params);
    const report = id ? await visibleReport(db, viewer, id) : undefined;
    if (!report) return reply.callNotFound();
    const company = await getCompany(db);
    const logo = company?.has_logo ? await getCompanyLogo(db) : undefined;
    const comments = await reportComments(db, report.id);
    const pdf = await renderWorkReportPdf(report, comments, { name: company?.name ?? '', address: company?.address ?? '', phone: company?.phone ?? '', tax_id: company?.tax_id ?? '', logo: logo?.logo ?? null }, req.lang, company?.time_zone ?? DEFAULT_TIME_ZONE);
    const name = `${req.t.workReports.pdfTitle}-${report.author}-${report.period_start}.pdf`;
    return reply.type('application/pdf').header('Content-Disposition', `inline; filename*=UTF-8''${encodeURIComponent(name)}`).header('Cache-Control', 'no-store').send(pdf);
  });

  app.get('/activities/:id/log', async (req, reply) => {
    const viewer = viewerOf(req);
    const id = idParam(req.params);
    const log = id ? await activityWorkLog(db, viewer, id) : undefined;
    if (!log) return reply.callNotFound();
    return reply.render('work-reports/work-log', { title: `${req.t.workReports.workLog} · ${log.activity.subject}`, ...log });
  });
}
