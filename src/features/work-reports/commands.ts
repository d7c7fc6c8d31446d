import type { Db } from '../../db/index.ts';
import { writeTransaction } from '../../db/index.ts';
import type { Language } from '../../db/types.ts';
import { audit, type AuditContext } from '../../audit/index.ts';
import { fill, messages } from '../../i18n/index.ts';
import { notify } from '../../notifications/index.ts';
import type { Viewer } from '../../access/index.ts';
import type { VisibleReport } from './queries.ts';

/** The author writes their summary and plan; `submit` hands the report in (it is then no longer regenerated). */
export async function saveReport(db: Db, ctx: AuditContext, viewer: Viewer, report: VisibleReport, input: { summary: string; plan: string; submit: boolean }): Promise<boolean> {
  if (report.user_id !== viewer.id) return false;
  await writeTransaction(db, async (trx) => {
    const now = new Date().toISOString();
    const submittedAt = input.submit ? (report.submitted_at ?? now) : report.submitted_at;
    await trx.updateTable('work_reports').set({ summary: input.summary, plan: input.plan, submitted_at: submittedAt, updated_at: now }).where('id', '=', report.id).execute();
    const changes: Record<string, [unknown, unknown]> = {};
    if (input.summary !== report.summary) changes.summary = [report.summary, input.summary];
    if (input.plan !== report.plan) changes.plan = [report.plan, input.plan];
    if (submittedAt !== report.submitted_at) changes.submitted_at = [report.submitted_at, submittedAt];
    await audit(trx, ctx, { action: 'update', entity: 'work_report', entityId: report.id, summary: `${report.author} ${report.period_start}`, changes });
  });
  return true;
}

/** A comment on a report; its author is notified ('report_comment') unless they wrote it themselves. */
export async function addComment(db: Db, ctx: AuditContext, viewer: Viewer, report: VisibleReport, body: string): Promise<void> {
  await writeTransaction(db, async (trx) => {
    const { id } = await trx.insertInto('work_report_comments').values({ report_id: report.id, author_id: viewer.id, body, created_at: new Date().toISOString() }).returning('id').executeTakeFirstOrThrow();
    await audit(trx, ctx, { action: 'create', entity: 'work_report_comment', entityId: id, summary: body.slice(0, 100) });
    if (report.user_id !== viewer.id) {
      const author = await trx.selectFrom('users').select('language').where('id', '=', report.user_id).executeTakeFirstOrThrow();
      const t = messages(author.language as Language);
      const period = report.period === 'week' ? fill(t.workReports.periodLabel.week, { start: report.period_start, end: report.period_end }) : fill(t.workReports.periodLabel.month, { month: report.period_start.slice(0, 7) });
      await notify(trx, { userId: report.user_id, kind: 'report_comment', title: fill(t.notifications.messages.commentTitle, { author: viewer.displayName, period }), body: body.slice(0, 200), link: `/reports/work/${report.id}#comments` });
    }
  });
}
