import type { Db } from '../../db/index.ts';
import { writeTransaction } from '../../db/index.ts';
import type { Language, Role } from '../../db/types.ts';
import type { Viewer } from '../../access/index.ts';
import { fill, messages } from '../../i18n/index.ts';
import { formatter } from '../../lib/format.ts';
import { dayRangeUtc } from '../../lib/dates.ts';
import { absoluteUrl, enqueueMail } from '../../mail/index.ts';
import { renderMail } from '../../mail/templates.ts';
import { channelsFor, claimOnce } from '../../notifications/index.ts';
import { listAtRisk } from '../alerts/queries.ts';
import { todayIn } from '../../lib/dates.ts';
import { companyTimeZone } from '../company/queries.ts';
import { flagText } from '../../jobs/notices.ts';
import { periodContaining, periodRangeUtc, previousPeriod } from '../work-reports/period.ts';
import { REPORTING_ROLES } from '../work-reports/generate.ts';
import { dealMovement, sumFen } from '../work-reports/figures.ts';
import { teamReports } from '../work-reports/queries.ts';
import { viewerForUser } from '../../auth/session.ts';

const AT_RISK_LIMIT = 10;

interface Recipient {
  id: number;
  display_name: string;
  email: string;
  language: string;
}

async function recipients(db: Db, roles: readonly Role[]): Promise<Recipient[]> {
  return db
    .selectFrom('users')
    .select(['id', 'display_name', 'email', 'language'])
    .where('active', '=', 1)
    .where('role', 'in', [...roles])
    .where('email', '!=', '')
    .orderBy('id')
    .execute();
}

/**
 * The first deals of the at-risk list (the alerts feature's, through the viewer's scope, so a deal they are a team
 * member of is there as in the app), optionally one owner's, in the reader's words.
 */
async function dealsAtRisk(db: Db, viewer: Viewer, owner: number | undefined, lang: Language, zone: string, now: Date) {
  const { rows } = await listAtRisk(db, viewer, owner === undefined ? {} : { owner }, now);
  const fmt = formatter(lang, zone);
  return rows.slice(0, AT_RISK_LIMIT).map((d) => ({
    name: d.name,
    customer: d.customer_name,
    owner: d.owner_name,
    amount: fmt.money(d.amount_fen),
    link: absoluteUrl(`/opportunities/${d.id}`),
    flags: d.flags.map((f) => flagText(f, lang, zone)),
  }));
}

/**
 * The daily digest for each rep (and sales manager) who has it on: today's agenda, overdue tasks and deals at risk,
 * in their language, with links back into the app. One mail per user and day (a rerun sends nothing twice).
 */
export async function sendDailyDigests(db: Db, now: Date, signal?: AbortSignal): Promise<number> {
  const zone = await companyTimeZone(db);
  const today = todayIn(zone, now);
  const { start, end } = dayRangeUtc(today, today, zone) as { start: string; end: string };
  let sent = 0;
  for (const r of await recipients(db, REPORTING_ROLES)) {
    if (signal?.aborted) break;
    if (!(await channelsFor(db, r.id, 'daily_digest')).email) continue;
    const viewer = await viewerForUser(db, r.id);
    if (!viewer) continue;
    const lang = r.language as Language;
    const fmt = formatter(lang, zone);
    const agenda = await db
      .selectFrom('activities as a')
      .leftJoin('customers as c', 'c.id', 'a.customer_id')
      .select(['a.id', 'a.type', 'a.subject', 'a.starts_at', 'c.name as customer'])
      .where('a.owner_id', '=', r.id)
      .where('a.status', '=', 'planned')
      .where('a.starts_at', '>=', start)
      .where('a.starts_at', '<', end)
      .orderBy('a.starts_at')
      .limit(50)
      .execute();
    const overdue = await db
      .selectFrom('activities as a')
      .leftJoin('customers as c', 'c.id', 'a.customer_id')
      .select(['a.id', 'a.subject', 'a.starts_at', 'c.name as customer'])
      .where('a.owner_id', '=', r.id)
      .where('a.type', '=', 'task')
      .where('a.status', '=', 'planned')
      .where('a.starts_at', '<', now.toISOString())
      .orderBy('a.starts_at')
      .limit(50)
      .execute();
    // Their own deals at risk, as their home page lists them.
    const atRisk = await dealsAtRisk(db, viewer, r.id, lang, zone, now);
    const t = messages(lang);
    const data = {
      name: r.display_name,
      title: fill(t.workReports.digest.dailySubject, { date: today }),
      agenda: agenda.map((a) => ({ time: fmt.dateTime(a.starts_at).slice(11), type: (t.activities.types as Record<string, string>)[a.type] ?? a.type, subject: a.subject, customer: a.customer ?? '', link: absoluteUrl(`/activities/${a.id}`) })),
      overdue: overdue.map((a) => ({ due: fmt.dateTime(a.starts_at), subject: a.subject, customer: a.customer ?? '', link: absoluteUrl(`/activities/${a.id}`) })),
      atRisk,
      home: absoluteUrl('/'),
      t: t.workReports.digest,
    };
    const mail = await renderMail('digest-daily', lang, data);
    const done = await writeTransaction(db, async (trx) => {
      if (!(await claimOnce(trx, `daily_digest:${r.id}:${today}`))) return false;
      await enqueueMail(trx, { to: r.email, toName: r.display_name, subject: data.title, text: mail.text, html: mail.html, userId: r.id });
      return true;
    });
    if (done) sent += 1;
  }
  return sent;
}

/**
 * The weekly digest for managers (sales managers, directors, general managers) who have it on: this week's activity
 * per team member, pipeline movement (advanced, won, lost with amounts), the deals at risk they see and who has not
 * submitted last week's work report. Each part is read as the app reads it for the manager signed in (viewerForUser):
 * the team as the work reports page lists it, movement by the work reports' rule, deals at risk as the at-risk list.
 */
export async function sendWeeklyDigests(db: Db, now: Date, signal?: AbortSignal): Promise<number> {
  const zone = await companyTimeZone(db);
  const week = periodContaining('week', todayIn(zone, now), zone);
  const { start } = periodRangeUtc(week, zone);
  const end = now.toISOString();
  const lastWeek = previousPeriod('week', now, zone);
  let sent = 0;
  for (const r of await recipients(db, ['sales_manager', 'sales_director', 'general_manager'])) {
    if (signal?.aborted) break;
    if (!(await channelsFor(db, r.id, 'weekly_digest')).email) continue;
    const viewer = await viewerForUser(db, r.id);
    if (!viewer) continue;
    const lang = r.language as Language;
    const t = messages(lang);
    // The team and their reports for last week, as the work reports page lists them.
    const team = await teamReports(db, viewer, 'week', lastWeek.start);
    const ids = team.map((m) => m.user_id);
    if (ids.length === 0) continue;
    const counts = await db
      .selectFrom('activities')
      .select(['owner_id', 'type', (eb) => eb.fn.countAll<number>().as('n')])
      .where('owner_id', 'in', ids)
      .where('status', '=', 'done')
      .where('starts_at', '>=', start)
      .where('starts_at', '<', end)
      .groupBy(['owner_id', 'type'])
      .execute();
    const count = (id: number, type: string) => Number(counts.find((c) => c.owner_id === id && c.type === type)?.n ?? 0);
    const activity = team.map((m) => ({ name: m.display_name, visits: count(m.user_id, 'visit'), calls: count(m.user_id, 'call'), meetings: count(m.user_id, 'meeting'), tasks: count(m.user_id, 'task') }));
    // The team's pipeline movement so far this week, by the work reports' rule (what their reports will say).
    const moved = await dealMovement(db, ids, { start, end });
    const notSubmitted = team.filter((x) => !x.submitted_at).map((x) => ({ name: x.display_name, link: absoluteUrl(x.report_id ? `/reports/work/${x.report_id}` : '/reports/work') }));
    // The deals at risk the viewer sees on the at-risk list.
    const atRisk = await dealsAtRisk(db, viewer, undefined, lang, zone, now);
    const title = fill(t.workReports.digest.weeklySubject, { start: week.start, end: week.end });
    const data = {
      name: r.display_name,
      title,
      activity,
      pipeline: { advanced: moved.advanced.length, won: moved.won.length, wonAmount: formatter(lang, zone).brief(sumFen(moved.won)), lost: moved.lost.length, lostAmount: formatter(lang, zone).brief(sumFen(moved.lost)) },
      atRisk,
      notSubmitted,
      lastWeek,
      reportsLink: absoluteUrl(`/reports/work?kind=week&start=${lastWeek.start}`),
      home: absoluteUrl('/'),
      t: t.workReports.digest,
      figures: t.workReports.figures,
    };
    const mail = await renderMail('digest-weekly', lang, data);
    const done = await writeTransaction(db, async (trx) => {
      if (!(await claimOnce(trx, `weekly_digest:${r.id}:${week.start}`))) return false;
      await enqueueMail(trx, { to: r.email, toName: r.display_name, subject: title, text: mail.text, html: mail.html, userId: r.id });
      return true;
    });
    if (done) sent += 1;
  }
  return sent;
}
