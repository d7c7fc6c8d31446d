import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/index.ts';
import { jobRegistry } from '../../jobs/registry.ts';
import { JobRunner } from '../../jobs/runner.ts';
import { companyTimeZone } from '../company/queries.ts';
import { afterWrite, viewerOf } from '../../plugins/guards.ts';
import { audit } from '../../audit/index.ts';
import { writeTransaction } from '../../db/index.ts';
import { jobOverview, recentFailures } from './queries.ts';

/** /admin/jobs: every scheduled job, its schedule, next due time, last runs and "run now" (admins; under /admin). */
export default async function jobsAdminRoutes(app: FastifyInstance, opts: { db: Db }) {
  const { db } = opts;

  app.get('/jobs', async (req, reply) => {
    const timeZone = await companyTimeZone(db);
    const jobs = await jobOverview(db, jobRegistry(), timeZone);
    const failures = await recentFailures(db);
    return reply.render('jobs-admin/index', { title: req.t.jobs.title, jobs, failures, timeZone });
  });

  app.post('/jobs/:name/runs', async (req, reply) => {
    const name = (req.params as { name: string }).name;
    if (!jobRegistry().some((j) => j.name === name)) return reply.callNotFound();
    const viewer = viewerOf(req);
    await writeTransaction(db, async (trx) => {
      const id = await JobRunner.queueManualRun(trx, name, viewer.id);
      await audit(trx, { actorId: viewer.id, ip: req.ip }, { action: 'create', entity: 'job_run', entityId: id, summary: `${req.t.jobs.runNow}：${(req.t.jobs.names as Record<string, string>)[name] ?? name}` });
    });
    reply.flash('success', req.t.jobs.queued);
    return afterWrite(req, reply, '/admin/jobs');
  });
}
