import type { Db } from '../../db/index.ts';
import type { JobDefinition } from '../../jobs/registry.ts';
import { nextDue } from '../../jobs/schedule.ts';

export const RUNS_PER_JOB = 5;

/** Each registered job with its schedule, next due time and last runs. */
export async function jobOverview(db: Db, jobs: readonly JobDefinition[], timeZone: string, now = new Date()) {
  const out = [];
  for (const job of jobs) {
    const runs = await db
      .selectFrom('job_runs')
      .select(['id', 'slot', 'status', 'attempts', 'items', 'error', 'started_at', 'finished_at', 'holder'])
      .where('job', '=', job.name)
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .limit(RUNS_PER_JOB)
      .execute();
    out.push({ name: job.name, cron: job.cron, nextDue: nextDue(job.cron, timeZone, now)?.toISOString() ?? null, runs });
  }
  return out;
}

/** The latest failed runs of any job. */
export async function recentFailures(db: Db, limit = 20) {
  return db
    .selectFrom('job_runs')
    .select(['id', 'job', 'slot', 'status', 'attempts', 'items', 'error', 'started_at', 'finished_at'])
    .where('status', '=', 'failed')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
