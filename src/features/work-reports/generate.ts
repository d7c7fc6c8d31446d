import type { Db } from '../../db/index.ts';
import { writeTransaction } from '../../db/index.ts';
import { companyTimeZone } from '../company/queries.ts';
import { computeFigures } from './figures.ts';
import { previousPeriod, type Period, type PeriodKind } from './period.ts';

/** Who gets a work report: active sales reps and sales managers (managers sell too). */
export const REPORTING_ROLES = ['sales_rep', 'sales_manager'] as const;

/**
 * Writes (or refreshes) one user's report for a period in one transaction. Unique on (user, period kind, start):
 * generating twice never duplicates a report; a report not yet submitted gets fresh figures, a submitted one is kept
 * as the rep submitted it. Returns the report id.
 */
export async function generateReport(db: Db, userId: number, period: Period, zone: string, now = new Date()): Promise<number> {
  const figures = JSON.stringify(await computeFigures(db, userId, period, zone));
  const at = now.toISOString();
  return writeTransaction(db, async (trx) => {
    await trx
      .insertInto('work_reports')
      .values({ user_id: userId, period: period.kind, period_start: period.start, period_end: period.end, figures, generated_at: at, created_at: at, updated_at: at })
      .onConflict((oc) => oc.columns(['user_id', 'period', 'period_start']).doUpdateSet({ figures, generated_at: at, updated_at: at }).where('work_reports.submitted_at', 'is', null))
      .execute();
    const row = await trx.selectFrom('work_reports').select('id').where('user_id', '=', userId).where('period', '=', period.kind).where('period_start', '=', period.start).executeTakeFirstOrThrow();
    return row.id;
  });
}

/**
 * The scheduled generation: last week's (Monday 08:00) or last month's (the 1st) report for every reporting user,
 * one user per transaction, stopping between users on shutdown (the rerun finishes the rest; idempotent).
 */
export async function generateReports(db: Db, kind: PeriodKind, now: Date, signal?: AbortSignal): Promise<number> {
  const zone = await companyTimeZone(db);
  const period = previousPeriod(kind, now, zone);
  const users = await db.selectFrom('users').select('id').where('active', '=', 1).where('role', 'in', [...REPORTING_ROLES]).orderBy('id').execute();
  let n = 0;
  for (const u of users) {
    if (signal?.aborted) break;
    await generateReport(db, u.id, period, zone, now);
    n += 1;
  }
  return n;
}
