import type { Db } from '../../db/index.ts';
import { isAdmin, isManager, scope, seesAllRecords, userScope, type Viewer } from '../../access/index.ts';
import type { WorkReportFigures } from './figures.ts';
import { REPORTING_ROLES } from './generate.ts';
import type { PeriodKind } from './period.ts';

/** Managers and above read their team's reports; a rep reads their own. */
export const readsTeamReports = (viewer: Viewer): boolean => isManager(viewer) || seesAllRecords(viewer);

/** A report the viewer may read (its author, or someone whose user scope holds the author), else undefined → 404. */
export async function visibleReport(db: Db, viewer: Viewer, id: number) {
  if (isAdmin(viewer)) return undefined;
  const row = await db
    .selectFrom('work_reports as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .leftJoin('departments as d', 'd.id', 'u.department_id')
    .select(['r.id', 'r.user_id', 'r.period', 'r.period_start', 'r.period_end', 'r.figures', 'r.summary', 'r.plan', 'r.submitted_at', 'r.generated_at', 'r.updated_at', 'u.display_name as author', 'd.name as department'])
    .where('r.id', '=', id)
    .where(userScope(viewer, 'u'))
    .executeTakeFirst();
  if (!row) return undefined;
  return { ...row, figures: JSON.parse(row.figures) as WorkReportFigures };
}
export type VisibleReport = NonNullable<Awaited<ReturnType<typeof visibleReport>>>;

export async function myReports(db: Db, viewer: Viewer, limit = 30) {
  return db
    .selectFrom('work_reports')
    .select(['id', 'period', 'period_start', 'period_end', 'submitted_at', 'generated_at'])
    .where('user_id', '=', viewer.id)
    .orderBy('period_start', 'desc')
    .orderBy('period', 'desc')
    .limit(limit)
    .execute();
}

/** Each reporting user the viewer manages, with their report for the period (or none) — who has not submitted. */
export async function teamReports(db: Db, viewer: Viewer, kind: PeriodKind, start: string) {
  return db
    .selectFrom('users as u')
    .leftJoin('departments as d', 'd.id', 'u.department_id')
    .leftJoin('work_reports as r', (j) => j.onRef('r.user_id', '=', 'u.id').on('r.period', '=', kind).on('r.period_start', '=', start))
    .select(['u.id as user_id', 'u.display_name', 'd.name as department', 'r.id as report_id', 'r.submitted_at', 'r.generated_at'])
    .where('u.active', '=', 1)
    .where('u.role', 'in', [...REPORTING_ROLES])
    .where(userScope(viewer, 'u'))
    .orderBy('d.name')
    .orderBy('u.display_name')
    .execute();
}

/** Period starts that have reports, newest first (the period picker). */
export async function reportPeriods(db: Db, kind: PeriodKind, limit = 26) {
  const rows = await db.selectFrom('work_reports').select(['period_start', 'period_end']).distinct().where('period', '=', kind).orderBy('period_start', 'desc').limit(limit).execute();
  return rows;
}

export async function reportComments(db: Db, reportId: number) {
  return db
    .selectFrom('work_report_comments as c')
    .innerJoin('users as u', 'u.id', 'c.author_id')
    .select(['c.id', 'c.body', 'c.created_at', 'u.display_name as author'])
    .where('c.report_id', '=', reportId)
    .orderBy('c.id')
    .execute();
}

/** 行动历史: every audited action on one activity the viewer may see, oldest first. */
export async function activityWorkLog(db: Db, viewer: Viewer, activityId: number) {
  const activity = await db
    .selectFrom('activities')
    .select(['id', 'type', 'subject', 'status', 'starts_at', 'completed_at'])
    .where('id', '=', activityId)
    .where(scope(viewer, 'activities'))
    .executeTakeFirst();
  if (!activity) return undefined;
  const entries = await db
    .selectFrom('audit_log as a')
    .leftJoin('users as u', 'u.id', 'a.actor_id')
    .select(['a.id', 'a.at', 'a.action', 'a.summary', 'a.changes', 'u.display_name as actor'])
    .where('a.entity', '=', 'activity')
    .where('a.entity_id', '=', activityId)
    .orderBy('a.id')
    .execute();
  return { activity, entries: entries.map((e) => ({ ...e, changes: safeJson(e.changes) })) };
}

function safeJson(s: string): Record<string, [unknown, unknown]> {
  try {
    const v = JSON.parse(s) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, [unknown, unknown]>) : {};
  } catch {
    return {};
  }
}
