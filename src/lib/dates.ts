import { TZDate } from '@date-fns/tz';
import { addDays } from 'date-fns';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isIsoDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/** The UTC instant at which a calendar day (YYYY-MM-DD) starts in a time zone. */
export function dayStartUtc(day: string, timeZone: string): string {
  const m = DATE_RE.exec(day);
  if (!m) throw new Error(`not a date: ${day}`);
  return new Date(new TZDate(Number(m[1]), Number(m[2]) - 1, Number(m[3]), timeZone).getTime()).toISOString();
}

/** [start, end) in UTC covering the days from..to inclusive in a time zone. */
export function dayRangeUtc(from: string | undefined, to: string | undefined, timeZone: string): { start?: string; end?: string } {
  const out: { start?: string; end?: string } = {};
  if (from && isIsoDate(from)) out.start = dayStartUtc(from, timeZone);
  if (to && isIsoDate(to)) {
    const next = addDays(new TZDate(dayStartUtc(to, timeZone), timeZone), 1);
    out.end = new Date(next.getTime()).toISOString();
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ local wall time
// Every list shows dates in the company's time zone, one or two per row: Intl's format() or date-fns' format() on a
// TZDate costs 2–20 µs a call, which made the week calendar (hundreds of entries) spend most of its time formatting.
// A zone's offset from UTC is constant between transitions, and transitions fall on quarter hours of UTC, so the
// offset is looked up once per quarter hour of time and reused; a quarter hour that contains a transition (its two
// ends disagree) is never cached and is computed exactly for the instant.

const QUARTER_HOUR_MS = 15 * 60 * 1000;
const MAX_CACHED_QUARTERS = 50_000;
const offsetFormatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, Map<number, number>>();

/** The zone's offset from UTC at an instant (local wall time − UTC, in ms), computed by Intl. */
function exactOffsetMs(timeZone: string, ms: number): number {
  let f = offsetFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    offsetFormatters.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(ms)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const local = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  // Intl works in whole seconds: compare against the instant rounded down to its second.
  return local - (ms - (((ms % 1000) + 1000) % 1000));
}

/** The zone's offset from UTC at an instant, in ms (Asia/Shanghai: 8 h). */
export function zoneOffsetMs(timeZone: string, ms: number): number {
  const quarter = Math.floor(ms / QUARTER_HOUR_MS);
  let zone = offsetCache.get(timeZone);
  if (!zone) offsetCache.set(timeZone, (zone = new Map()));
  const hit = zone.get(quarter);
  if (hit !== undefined) return hit;
  const start = exactOffsetMs(timeZone, quarter * QUARTER_HOUR_MS);
  const end = exactOffsetMs(timeZone, (quarter + 1) * QUARTER_HOUR_MS - 1000);
  if (start !== end) return exactOffsetMs(timeZone, ms);
  if (zone.size >= MAX_CACHED_QUARTERS) zone.clear();
  zone.set(quarter, start);
  return start;
}

const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;

/** The local wall time of an instant as a Date whose UTC fields read the local time (only for reading fields). */
function wallClock(iso: string | Date, timeZone: string): Date | null {
  const ms = typeof iso === 'string' ? Date.parse(iso) : iso.getTime();
  if (Number.isNaN(ms)) return null;
  return new Date(ms + zoneOffsetMs(timeZone, ms));
}

/** YYYY-MM-DD of an instant in a time zone. */
export function localDate(iso: string | Date, timeZone: string): string {
  const w = wallClock(iso, timeZone);
  return w ? `${w.getUTCFullYear()}-${pad2(w.getUTCMonth() + 1)}-${pad2(w.getUTCDate())}` : '';
}

/** HH:mm of an instant in a time zone. */
export function localTimeOfDay(iso: string | Date, timeZone: string): string {
  const w = wallClock(iso, timeZone);
  return w ? `${pad2(w.getUTCHours())}:${pad2(w.getUTCMinutes())}` : '';
}

/** YYYY-MM-DD HH:mm of an instant in a time zone. */
export function localDateTime(iso: string | Date, timeZone: string): string {
  const w = wallClock(iso, timeZone);
  return w ? `${w.getUTCFullYear()}-${pad2(w.getUTCMonth() + 1)}-${pad2(w.getUTCDate())} ${pad2(w.getUTCHours())}:${pad2(w.getUTCMinutes())}` : '';
}

/** Today (YYYY-MM-DD) in a time zone. */
export function todayIn(timeZone: string, now = new Date()): string {
  return localDate(now, timeZone);
}

/** The calendar quarter that contains a day (YYYY-MM-DD): its first and last day. */
export function quarterOf(day: string): { from: string; to: string } {
  const y = Number(day.slice(0, 4));
  const startMonth = Math.floor((Number(day.slice(5, 7)) - 1) / 3) * 3 + 1;
  const last = new Date(Date.UTC(y, startMonth + 2, 0)).getUTCDate();
  return { from: `${y}-${pad2(startMonth)}-01`, to: `${y}-${pad2(startMonth + 2)}-${pad2(last)}` };
}

// ---------- calendar days ('YYYY-MM-DD') and months ('YYYY-MM'): civil dates, no time zone involved ----------

const pad4 = (n: number): string => String(n).padStart(4, '0');
const civil = (ms: number): string => {
  const d = new Date(ms);
  return `${pad4(d.getUTCFullYear())}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
};
const civilMs = (day: string): number => Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10)));

/** The day `by` days after (before, if negative) a day 'YYYY-MM-DD'. */
export function shiftDay(day: string, by: number): string {
  return civil(civilMs(day) + by * 86_400_000);
}

/** How many days a day 'YYYY-MM-DD' is past the Monday of its week (Monday 0 … Sunday 6). */
export function daysSinceMonday(day: string): number {
  return (new Date(civilMs(day)).getUTCDay() + 6) % 7;
}

/** The same day of the month `by` months later (earlier, if negative), or that month's last day if it is shorter. */
export function shiftMonthOfDay(day: string, by: number): string {
  const month = shiftMonth(day.slice(0, 7), by);
  const last = lastDayOf(month);
  return `${month}-${day.slice(8, 10)}` > last ? last : `${month}-${day.slice(8, 10)}`;
}

/** The last day (YYYY-MM-DD) of a month 'YYYY-MM'. */
export function lastDayOf(month: string): string {
  const days = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).getUTCDate();
  return `${month}-${pad2(days)}`;
}

/** The month `by` months after (before, if negative) a month 'YYYY-MM'. */
export function shiftMonth(month: string, by: number): string {
  const d = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1 + by, 1));
  return `${pad4(d.getUTCFullYear())}-${pad2(d.getUTCMonth() + 1)}`;
}

/** Every month 'YYYY-MM' from..to inclusive (at most 20 years; none when from is after to). */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let m = from; m <= to && out.length < 240; m = shiftMonth(m, 1)) out.push(m);
  return out;
}
