import { sql } from 'kysely';
import type { Language } from '../../src/db/types.ts';
import { fill, messages } from '../../src/i18n/index.ts';
import { absoluteUrl, enqueueMail } from '../../src/mail/index.ts';
import { renderMail } from '../../src/mail/templates.ts';
import { notify } from '../../src/notifications/index.ts';
import { computeFigures } from '../../src/features/work-reports/figures.ts';
import { previousPeriod } from '../../src/features/work-reports/period.ts';
import { summarySentence } from '../../src/features/work-reports/summary.ts';
import { jobRegistry } from '../../src/jobs/registry.ts';
import type { SeedContext } from './context.ts';

/**
 * The scheduled half for the demo: last week's work report for every rep and manager (as the Monday job writes it;
 * rep1's submitted with a summary, a plan and the manager's comment), a few notifications, a populated outbox (mail
 * delivered to the outbox, one queued, one failed) and a history of job runs. Runs inside the seed's transaction,
 * so it writes directly instead of through the jobs' own transactions.
 */
export async function seedJobsAndMail(ctx: SeedContext): Promise<void> {
  const { db, now } = ctx;
  const zone = (await db.selectFrom('company').select('time_zone').where('id', '=', 1).executeTakeFirst())?.time_zone ?? 'Asia/Shanghai';
  const period = previousPeriod('week', now, zone);
  const at = now.toISOString();
  // At large scale only the demo logins' reports (thousands of generated users would only slow the seed).
  const demo = new Set(['rep1', 'rep2', 'rep3', 'rep4', 'rep5', 'rep6', 'manager1', 'manager2'].map((u) => ctx.users.get(u)?.id).filter((id): id is number => id !== undefined));
  const owners = ctx.scale === 'large' ? ctx.owners.filter((id) => demo.has(id)) : ctx.owners;
  const reportIds = new Map<number, number>();
  for (const userId of owners) {
    const figures = await computeFigures(db, userId, period, zone);
    const { id } = await db
      .insertInto('work_reports')
      .values({ user_id: userId, period: 'week', period_start: period.start, period_end: period.end, figures: JSON.stringify(figures), generated_at: at, created_at: at, updated_at: at })
      .returning('id')
      .executeTakeFirstOrThrow();
    reportIds.set(userId, id);
  }

  const rep1 = ctx.users.get('rep1');
  const manager1 = ctx.users.get('manager1');
  const users = await db.selectFrom('users').select(['id', 'username', 'display_name', 'email', 'language']).execute();
  const byName = new Map(users.map((u) => [u.username, u]));
  if (rep1 && manager1) {
    const rid = reportIds.get(rep1.id);
    if (rid) {
      await db
        .updateTable('work_reports')
        .set({ summary: '本周重点推进华东区两个大客户，完成方案交流和报价；一个商机因预算冻结暂缓。', plan: '下周安排技术交流会，跟进报价反馈，争取签约一单。', submitted_at: at })
        .where('id', '=', rid)
        .execute();
      await db.insertInto('work_report_comments').values({ report_id: rid, author_id: manager1.id, body: '进展不错。报价后一周内务必回访，遇到价格问题及时找我。', created_at: at }).execute();
      await notify(db, { userId: rep1.id, kind: 'report_comment', title: fill(messages('zh-CN').notifications.messages.commentTitle, { author: byName.get('manager1')?.display_name ?? '', period: `${period.start} 至 ${period.end} 周报` }), body: '进展不错。报价后一周内务必回访。', link: `/reports/work/${rid}#comments` });
    }
    // Notifications as the jobs would have written them.
    const deal = await db.selectFrom('opportunities').select(['id', 'name']).where('owner_id', '=', rep1.id).where('status', '=', 'open').orderBy('amount_fen', 'desc').limit(1).executeTakeFirst();
    if (deal) await notify(db, { userId: rep1.id, kind: 'deal_at_risk', title: `风险商机：${deal.name}`, body: '已 21 天没有活动（超过 14 天提醒）', link: `/opportunities/${deal.id}` });
    const act = await db.selectFrom('activities').select(['id', 'subject', 'starts_at']).where('owner_id', '=', rep1.id).where('status', '=', 'planned').orderBy('starts_at').limit(1).executeTakeFirst();
    if (act) await notify(db, { userId: rep1.id, kind: 'activity_reminder', title: `活动提醒：${act.subject}`, body: '请按时出发', link: `/activities/${act.id}` });
    const contact = await db.selectFrom('contacts').select(['id', 'name']).where('owner_id', '=', rep1.id).orderBy('id').limit(1).executeTakeFirst();
    if (contact) await notify(db, { userId: rep1.id, kind: 'key_date', title: `${contact.name}的生日：${at.slice(5, 10)}`, link: `/contacts/${contact.id}` });
  }

  // The outbox: a daily digest per demo rep delivered to the outbox, a queued one and a failed one.
  const digestFor = async (username: string) => {
    const u = byName.get(username);
    if (!u || !u.email) return null;
    const lang = u.language as Language;
    const t = messages(lang);
    const date = at.slice(0, 10);
    const mail = await renderMail('digest-daily', lang, { name: u.display_name, title: fill(t.workReports.digest.dailySubject, { date }), agenda: [], overdue: [], atRisk: [], home: absoluteUrl('/'), t: t.workReports.digest });
    return enqueueMail(db, { to: u.email, toName: u.display_name, subject: fill(t.workReports.digest.dailySubject, { date }), text: mail.text, html: mail.html, userId: u.id });
  };
  for (const name of ['rep1', 'rep2', 'rep3', 'manager1']) {
    const id = await digestFor(name);
    if (id) await db.updateTable('mail_messages').set({ status: 'sent', delivered_via: 'outbox', attempts: 1, sent_at: at }).where('id', '=', id).execute();
  }
  if (rep1 && reportIds.get(rep1.id)) {
    const rid = reportIds.get(rep1.id)!;
    const figures = JSON.parse((await db.selectFrom('work_reports').select('figures').where('id', '=', rid).executeTakeFirstOrThrow()).figures);
    const m = byName.get('manager1');
    if (m?.email) {
      await enqueueMail(db, { to: m.email, toName: m.display_name, subject: `工作报告 · ${byName.get('rep1')?.display_name ?? ''} · ${period.start} 至 ${period.end}`, text: `${summarySentence(figures, 'week', 'zh-CN', zone)}\n\n${absoluteUrl(`/reports/work/${rid}`)}`, userId: m.id });
    }
  }
  const failed = await digestFor('rep4');
  if (failed) await db.updateTable('mail_messages').set({ status: 'failed', attempts: 6, error: 'connect ECONNREFUSED 10.0.0.25:587' }).where('id', '=', failed).execute();

  // Job history: each job's last scheduled run succeeded (so /admin/jobs reads like a running system).
  for (const job of jobRegistry()) {
    const started = new Date(now.getTime() - 60 * 60 * 1000);
    await db
      .insertInto('job_runs')
      .values({ job: job.name, slot: new Date(Math.floor(started.getTime() / 60000) * 60000).toISOString(), status: 'succeeded', attempts: 1, items: job.name.startsWith('work-reports') ? owners.length : 0, started_at: started.toISOString(), finished_at: new Date(started.getTime() + 350).toISOString(), holder: 'demo' })
      .execute();
  }
  // Keep the demo's counters honest.
  await db.updateTable('users').set({ unread_notifications: sql<number>`(select count(*) from notifications n where n.user_id = users.id and n.read_at is null)` }).execute();
}
