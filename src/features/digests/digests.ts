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
import { flagsForOpportunities } from '../alerts/queries.ts';
import { todayIn } from '../../lib/dates.ts';
import { companyBrief } from '../company/queries.ts';
import { flagText } from '../../jobs/notices.ts';
import { periodContaining, periodRangeUtc, previousPeriod } from '../work-reports/period.ts';
import { REPORTING_ROLES } from '../work-reports/generate.ts';
import { dealMovement, sumFen } from '../work-reports/figures.ts';
import { teamReports } from '../work-reports/queries.ts';
import { briefMoney } from '../work-reports/summary.ts';

const AT_RISK_LIMIT = 10;

interface Recipient {
  id: number;
  username: string;
  display_name: string;
  email: string;
  role: string;
  language: string;
  department_id: number | null;
  department_path: string | null;
}

async function recipients(db: Db, roles: readonly Role[]): Promise<Recipient[]> {
  return db
    .selectFrom('users as u')
    .leftJoin('departments as d', 'd.id', 'u.department_id')
    .select(['u.id', 'u.username', 'u.display_name', 'u.email', 'u.role', 'u.language', 'u.department_id', 'd.path as department_path'])
    .where('u.active', '=', 1)
    .where('u.role', 'in', [...roles])
    .where('u.email', '!=', '')
    .orderBy('u.id')
    .execute();
}

/** The recipient as the scope rule sees them, so a digest shows exactly what they would see signed in. */
async function viewerOf(db: Db, r: Recipient): Promise<Viewer> {
  const departmentIds = r.department_path
    ? (await db.selectFrom('departments').select('id').where('path', '>=', r.department_path).where('path', '<', `${r.department_path}~`).execute()).map((d) => d.id)
    : [];
  return { id: r.id, username: r.username, displayName: r.display_name, role: r.role as Role, departmentId: r.department_id, departmentIds, language: r.language as Language, mustChangePassword: false, memberOf: new Set() };
}

/** Open deals of some owners with their risk flags (the alerts feature's), largest first. */
async function dealsAtRisk(db: Db, ownerIds: number[], lang: Language, zone: string, now: Date) {
  if (ownerIds.length === 0) return [];
  const open = await db
    .selectFrom('opportunities as o')
    .innerJoin('customers as c', 'c.id', 'o.customer_id')
    .innerJoin('users as u', 'u.id', 'o.owner_id')
    .select(['o.id', 'o.name', 'o.amount_fen', 'c.name as customer', 'u.display_name as owner'])
    .where('o.status', '=', 'open')
    .where('o.owner_id', 'in', ownerIds)
    .where('o.risk_at', '<=', now.toISOString())
    .orderBy('o.amount_fen', 'desc')
    .orderBy('o.id')
    .limit(2000)
    .execute();
  const flags = await flagsForOpportunities(db, open.map((o) => o.id), now);
  const out = [];
  for (const o of open) {
    const fs = flags.get(o.id) ?? [];
    if (fs.length === 0) continue;
    out.push({ ...o, link: absoluteUrl(`/opportunities/${o.id}`), flags: fs.map((f) => flagText(f, lang, zone)) });
    if (out.length >= AT_RISK_LIMIT) break;
  }
  return out;
}

/**
 * The daily digest for each rep (and sales manager) who has it on: today's agenda, overdue tasks and deals at risk,
 * in their language, with links back into the app. One mail per user and day (a rerun sends nothing twice).
 */
export async function sendDailyDigests(db: Db, now: Date, signal?: AbortSignal): Promise<number> {
  const zone = (await companyBrief(db))?.time_zone ?? 'Asia/Shanghai';
  const today = todayIn(zone, now);
  const { start, end } = dayRangeUtc(today, today, zone) as { start: string; end: string };
  let sent = 0;
  for (const r of await recipients(db, REPORTING_ROLES)) {
    if (signal?.aborted) break;
    if (!(await channelsFor(db, r.id, 'daily_digest')).email) continue;
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
    const atRisk = await dealsAtRisk(db, [r.id], lang, zone, now);
    const t = messages(lang);
    const data = {
      name: r.display_name,
      title: fill(t.workReports.digest.dailySubject, { date: today }),
      agenda: agenda.map((a) => ({ time: fmt.dateTime(a.starts_at).slice(11), type: (t.activities.types as Record<string, string>)[a.type] ?? a.type, subject: a.subject, customer: a.customer ?? '', link: absoluteUrl(`/activities/${a.id}`) })),
      overdue: overdue.map((a) => ({ due: fmt.dateTime(a.starts_at), subject: a.subject, customer: a.customer ?? '', link: absoluteUrl(`/activities/${a.id}`) })),
      atRisk: atRisk.map((d) => ({ ...d, amount: fmt.money(d.amount_fen) })),
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
 * per team member, pipeline movement (advanced, won, lost with amounts), the team's deals at risk and who has not
 * submitted last week's work report. The team is the manager's user scope — what they see in the app.
 */
export async function sendWeeklyDigests(db: Db, now: Date, signal?: AbortSignal): Promise<number> {
  const zone = (await companyBrief(db))?.time_zone ?? 'Asia/Shanghai';
  const week = periodContaining('week', todayIn(zone, now), zone);
  const { start } = periodRangeUtc(week, zone);
  const end = now.toISOString();
  const lastWeek = previousPeriod('week', now, zone);
  let sent = 0;
  for (const r of await recipients(db, ['sales_manager', 'sales_director', 'general_manager'])) {
    if (signal?.aborted) break;
    if (!(await channelsFor(db, r.id, 'weekly_digest')).email) continue;
    const viewer = await viewerOf(db, r);
    const lang = r.language as Language;
    const fmt = formatter(lang, zone);
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
    const atRisk = await dealsAtRisk(db, ids, lang, zone, now);
    const title = fill(t.workReports.digest.weeklySubject, { start: week.start, end: week.end });
    const data = {
      name: r.display_name,
      title,
      activity,
      pipeline: { advanced: moved.advanced.length, won: moved.won.length, wonAmount: briefMoney(sumFen(moved.won), lang, zone), lost: moved.lost.length, lostAmount: briefMoney(sumFen(moved.lost), lang, zone) },
      atRisk: atRisk.map((d) => ({ ...d, amount: fmt.money(d.amount_fen) })),
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
