import type { Db } from '../db/index.ts';
import { writeTransaction } from '../db/index.ts';
import type { Language } from '../db/types.ts';
import { fill, messages } from '../i18n/index.ts';
import { formatter } from '../lib/format.ts';
import { claimOnce, notify } from '../notifications/index.ts';
import { flagsForOpportunities, type Flag } from '../features/alerts/queries.ts';
import { todayIn } from '../lib/dates.ts';
import { companyTimeZone } from '../features/company/queries.ts';

/** Reminders older than this when the job first sees them (the app was down for days) are not sent any more. */
const REMINDER_GRACE_MS = 24 * 60 * 60 * 1000;

/**
 * Activity reminders: every planned activity whose reminder time has come notifies its owner once (the key holds the
 * reminder time, so a reminder moved later is announced again at its new time).
 */
export async function sendActivityReminders(db: Db, now: Date, signal?: AbortSignal): Promise<number> {
  const zone = await companyTimeZone(db);
  const due = await db
    .selectFrom('activities as a')
    .innerJoin('users as u', 'u.id', 'a.owner_id')
    .leftJoin('customers as c', 'c.id', 'a.customer_id')
    .select(['a.id', 'a.type', 'a.subject', 'a.starts_at', 'a.remind_at', 'a.owner_id', 'u.language', 'c.name as customer_name'])
    .where('a.remind_at', 'is not', null)
    .where('a.remind_at', '<=', now.toISOString())
    .where('a.remind_at', '>', new Date(now.getTime() - REMINDER_GRACE_MS).toISOString())
    .where('a.status', '=', 'planned')
    .orderBy('a.remind_at')
    .execute();
  let sent = 0;
  for (const a of due) {
    if (signal?.aborted) break;
    const done = await writeTransaction(db, async (trx) => {
      if (!(await claimOnce(trx, `activity_reminder:${a.id}:${a.remind_at}`))) return false;
      const lang = a.language as Language;
      const t = messages(lang);
      const at = formatter(lang, zone).dateTime(a.starts_at);
      await notify(trx, {
        userId: a.owner_id,
        kind: 'activity_reminder',
        title: fill(t.notifications.messages.reminderTitle, { subject: a.subject }),
        body: fill(t.notifications.messages.reminderBody, { type: (t.activities.types as Record<string, string>)[a.type] ?? a.type, at, customer: a.customer_name ? ` · ${a.customer_name}` : '' }),
        link: `/activities/${a.id}`,
      });
      return true;
    });
    if (done) sent += 1;
  }
  return sent;
}

/** MM-DD patterns that fall on `day` (YYYY-MM-DD): 29 February is remembered on the 28th in other years. */
function monthDays(day: string): string[] {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const md = day.slice(5);
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return m === 2 && d === 28 && !leap ? [md, '02-29'] : [md];
}

/**
 * Contacts' key dates: birthdays (contacts.birthday) and contact_key_dates (yearly, or once on the date) that fall on
 * today in the company's time zone notify the contact's owner, once per date.
 */
export async function sendKeyDateNotices(db: Db, now: Date, signal?: AbortSignal): Promise<number> {
  const zone = await companyTimeZone(db);
  const today = todayIn(zone, now);
  const mds = monthDays(today);
  const birthdays = await db
    .selectFrom('contacts as ct')
    .innerJoin('users as u', 'u.id', 'ct.owner_id')
    .leftJoin('customers as c', 'c.id', 'ct.customer_id')
    .select(['ct.id', 'ct.name', 'ct.owner_id', 'ct.birthday as date', 'u.language', 'c.name as customer_name'])
    .where('ct.birthday', 'is not', null)
    .where((eb) => eb.or(mds.map((md) => eb('ct.birthday', 'like', `%-${md}`))))
    .execute();
  const keyDates = await db
    .selectFrom('contact_key_dates as k')
    .innerJoin('contacts as ct', 'ct.id', 'k.contact_id')
    .innerJoin('users as u', 'u.id', 'ct.owner_id')
    .leftJoin('customers as c', 'c.id', 'ct.customer_id')
    .select(['k.id as key_id', 'k.label', 'k.date', 'k.yearly', 'ct.id', 'ct.name', 'ct.owner_id', 'u.language', 'c.name as customer_name'])
    .where((eb) => eb.or([eb.and([eb('k.yearly', '=', 1), eb.or(mds.map((md) => eb('k.date', 'like', `%-${md}`)))]), eb('k.date', '=', today)]))
    .execute();
  const notices = [
    ...birthdays.map((b) => ({ key: `key_date:birthday:${b.id}:${today}`, contact: b, label: null as string | null })),
    ...keyDates.map((k) => ({ key: `key_date:${k.key_id}:${today}`, contact: k, label: k.label })),
  ];
  let sent = 0;
  for (const n of notices) {
    if (signal?.aborted) break;
    const done = await writeTransaction(db, async (trx) => {
      if (!(await claimOnce(trx, n.key))) return false;
      const t = messages(n.contact.language as Language).notifications.messages;
      await notify(trx, {
        userId: n.contact.owner_id,
        kind: 'key_date',
        title: fill(t.keyDateTitle, { contact: n.contact.name, label: n.label ?? t.birthday, date: today.slice(5) }),
        body: n.contact.customer_name ? fill(t.keyDateBody, { customer: n.contact.customer_name }) : null,
        link: `/contacts/${n.contact.id}`,
      });
      return true;
    });
    if (done) sent += 1;
  }
  return sent;
}

/** A flag in words, in the alerts feature's own phrases (the same the at-risk list shows). */
export function flagText(f: Flag, lang: Language, zone: string): string {
  const t = messages(lang).alerts;
  const fmt = formatter(lang, zone);
  const money = fmt.brief;
  switch (f.kind) {
    case 'idle':
      return fill(t.flag.idle, { days: f.days, limit: f.limit });
    case 'stage':
      return fill(f.fromHistory ? t.flag.stage : t.flag.stageExpected, { stage: f.stage, days: f.days, typical: f.typical, multiple: f.multiple });
    case 'slipped':
      return fill(t.flag.slipped, { date: f.date, days: f.days });
    case 'pushed':
      return fill(t.flag.pushed, { times: f.times });
    case 'amount':
      return fill(t.flag.amount, { from: money(f.fromFen), to: money(f.toFen), pct: f.pct });
  }
}

/**
 * Deals at risk: the pipeline alerts' flags (src/features/alerts, reused as they are) for every open deal at risk; a deal
 * whose set of flag kinds is new notifies its owner — the same flags do not notify again every morning.
 */
export async function sendDealAtRiskNotices(db: Db, now: Date, signal?: AbortSignal): Promise<number> {
  const zone = await companyTimeZone(db);
  const open = await db
    .selectFrom('opportunities as o')
    .innerJoin('users as u', 'u.id', 'o.owner_id')
    .select(['o.id', 'o.name', 'o.owner_id', 'u.language'])
    .where('o.status', '=', 'open')
    // Only deals whose stored risk has begun (opportunities.risk_at, kept by the alerts feature): the flags below
    // give the words; computing them for every open deal took seconds on the large dataset.
    .where('o.risk_at', '<=', now.toISOString())
    .orderBy('o.id')
    .execute();
  let sent = 0;
  for (let i = 0; i < open.length; i += 500) {
    if (signal?.aborted) break;
    const chunk = open.slice(i, i + 500);
    const flags = await flagsForOpportunities(db, chunk.map((d) => d.id), now);
    for (const d of chunk) {
      const fs = flags.get(d.id) ?? [];
      if (fs.length === 0) continue;
      const kinds = [...new Set(fs.map((f) => f.kind))].sort().join(',');
      const done = await writeTransaction(db, async (trx) => {
        if (!(await claimOnce(trx, `deal_at_risk:${d.id}:${kinds}`))) return false;
        const lang = d.language as Language;
        await notify(trx, {
          userId: d.owner_id,
          kind: 'deal_at_risk',
          title: fill(messages(lang).notifications.messages.atRiskTitle, { deal: d.name }),
          body: fs.map((f) => flagText(f, lang, zone)).join('；'),
          link: `/opportunities/${d.id}`,
        });
        return true;
      });
      if (done) sent += 1;
    }
  }
  return sent;
}
