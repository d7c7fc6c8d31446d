import { refreshPlannerStatistics, type Db } from '../db/index.ts';
import { refreshAllOpenRisk } from '../features/alerts/queries.ts';
import type { Mailer } from '../mail/sender.ts';
import { sendDueMail } from '../mail/sender.ts';
import { returnIdleCustomersToPool } from '../features/customers/pool.ts';
import { expireOverdueQuotes } from '../features/quotes/expiry.ts';
import { deleteExpiredSessions } from '../auth/session.ts';
import { pruneLoginFailures } from '../auth/commands.ts';
import { generateReports } from '../features/work-reports/generate.ts';
import { sendDailyDigests, sendWeeklyDigests } from '../features/digests/digests.ts';
import { sendActivityReminders, sendDealAtRiskNotices, sendKeyDateNotices } from './notices.ts';
import type { JobLog } from './runner.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface JobContext {
  db: Db;
  mailer: Mailer;
  /** When the run started. */
  now: Date;
  /** The due time (UTC ISO) the run is for, or manual:… */
  slot: string;
  /** Aborted on SIGTERM: a job stops between items (each committed on its own). */
  signal: AbortSignal;
  log: JobLog;
}

export interface JobDefinition {
  /** Stable key (run history, i18n jobs.names). */
  name: string;
  /** Five-field cron expression in the company's time zone. */
  cron: string;
  /** Does the work; returns how many items it handled. Must be safe to run again (idempotent per item). */
  handler(ctx: JobContext): Promise<number>;
  /** How long a run may go without renewing its lease before another process takes it over. */
  leaseMs?: number;
}

/**
 * Every scheduled job, in the order /admin/jobs shows them. Times are the company's (company.time_zone). README
 * "Jobs and mail" lists the same table — keep them in step.
 */
export function jobRegistry(): JobDefinition[] {
  return [
    {
      name: 'mail',
      cron: '* * * * *',
      handler: async ({ db, mailer, now }) => {
        const r = await sendDueMail(db, mailer, now);
        return r.sent + r.failed;
      },
    },
    { name: 'activity-reminders', cron: '* * * * *', handler: ({ db, now, signal }) => sendActivityReminders(db, now, signal) },
    { name: 'key-dates', cron: '0 8 * * *', handler: ({ db, now, signal }) => sendKeyDateNotices(db, now, signal) },
    { name: 'deals-at-risk', cron: '30 8 * * 1-5', handler: ({ db, now, signal }) => sendDealAtRiskNotices(db, now, signal) },
    { name: 'digest-daily', cron: '30 7 * * 1-5', handler: ({ db, now, signal }) => sendDailyDigests(db, now, signal) },
    { name: 'work-reports-weekly', cron: '0 8 * * 1', handler: ({ db, now, signal }) => generateReports(db, 'week', now, signal) },
    { name: 'work-reports-monthly', cron: '0 8 1 * *', handler: ({ db, now, signal }) => generateReports(db, 'month', now, signal) },
    { name: 'digest-weekly', cron: '0 17 * * 5', handler: ({ db, now, signal }) => sendWeeklyDigests(db, now, signal) },
    { name: 'customers-pool', cron: '0 2 * * *', handler: ({ db, now }) => returnIdleCustomersToPool(db, now) },
    { name: 'quotes-expiry', cron: '10 0 * * *', handler: ({ db, now }) => expireOverdueQuotes(db, now) },
    {
      name: 'housekeeping',
      cron: '17 * * * *',
      handler: async ({ db, now }) => {
        const sessions = await deleteExpiredSessions(db);
        await pruneLoginFailures(db);
        // The every-minute jobs write ~2,900 history rows a day: keep a month of successes, every failure.
        await db.deleteFrom('job_runs').where('status', '=', 'succeeded').where('started_at', '<', new Date(now.getTime() - 30 * DAY_MS).toISOString()).execute();
        // Keep the query planner's statistics current as the data grows (docs/decisions/0017).
        await refreshPlannerStatistics(db);
        return sessions;
      },
    },
    // The deals' stored risk (opportunities.risk_at): every write keeps it, but time passing does not — stage medians
    // drift as deals close and planned activities come due. Nightly, every open deal, a batch at a time.
    { name: 'deal-risk', cron: '40 1 * * *', handler: ({ db, now, signal }) => refreshAllOpenRisk(db, { now, signal }) },
  ];
}
