import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { dayStartUtc, daysSinceMonday, isIsoDate, lastDayOf, localDate, localTimeOfDay, shiftDay, shiftMonthOfDay } from '../../lib/dates.ts';

// Times are typed in the company's time zone (datetime-local inputs: 2026-11-27T14:30) and stored as UTC ISO text.
const LOCAL_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2})?$/;

/** '2026-11-27T14:30' in `timeZone` → UTC ISO, or null when it is not a real wall-clock time. */
export function localToUtc(local: string, timeZone: string): string | null {
  const m = LOCAL_RE.exec(local.trim());
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return null;
  const t = new TZDate(y, mo - 1, d, h, mi, timeZone);
  // Rejects 2026-02-30 and the like (Date would roll them over into the next month).
  if (t.getFullYear() !== y || t.getMonth() !== mo - 1 || t.getDate() !== d) return null;
  return new Date(t.getTime()).toISOString();
}

/** UTC ISO → '2026-11-27T14:30' in `timeZone`, the value a datetime-local input takes. */
export function utcToLocal(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return '';
  return format(new TZDate(new Date(iso).getTime(), timeZone), "yyyy-MM-dd'T'HH:mm");
}

/** The calendar day (YYYY-MM-DD) of an instant in `timeZone`. */
export function localDay(iso: string | Date, timeZone: string): string {
  return localDate(iso, timeZone);
}

/** HH:mm of an instant in `timeZone`. */
export function localTime(iso: string, timeZone: string): string {
  return localTimeOfDay(iso, timeZone);
}

export type CalendarView = 'day' | 'week' | 'month';

export interface CalendarRange {
  view: CalendarView;
  /** The day the view is anchored on (YYYY-MM-DD). */
  date: string;
  /** The days shown, in order (month: whole weeks Monday–Sunday around the month). */
  days: string[];
  /** [start, end) in UTC: the bounds of the query. */
  start: string;
  end: string;
  prev: string;
  next: string;
  /** The month the view is about (month view: days outside it are shown muted). */
  month: string;
}

/**
 * The days and UTC bounds of a day/week/month view in a time zone. Weeks start on Monday. The days are civil dates
 * (no zone is needed to count them); only the bounds of the query depend on the zone.
 */
export function calendarRange(view: CalendarView, date: string | undefined, timeZone: string, now: Date = new Date()): CalendarRange {
  // A calendar of the years 1900–2199 (a week of 9999-12-30 would run into a five-digit year): others show today.
  const anchorDay = date && isIsoDate(date) && date >= '1900-01-01' && date <= '2199-12-31' ? date : localDay(now, timeZone);
  let first: string;
  let count: number;
  let prev: string;
  let next: string;
  if (view === 'day') {
    first = anchorDay;
    count = 1;
    prev = shiftDay(anchorDay, -1);
    next = shiftDay(anchorDay, 1);
  } else if (view === 'week') {
    first = shiftDay(anchorDay, -daysSinceMonday(anchorDay));
    count = 7;
    prev = shiftDay(anchorDay, -7);
    next = shiftDay(anchorDay, 7);
  } else {
    const firstOfMonth = `${anchorDay.slice(0, 7)}-01`;
    const lastOfMonth = lastDayOf(anchorDay.slice(0, 7));
    first = shiftDay(firstOfMonth, -daysSinceMonday(firstOfMonth));
    const last = shiftDay(lastOfMonth, 6 - daysSinceMonday(lastOfMonth));
    count = Math.round((Date.parse(last) - Date.parse(first)) / 86_400_000) + 1;
    prev = shiftMonthOfDay(anchorDay, -1);
    next = shiftMonthOfDay(anchorDay, 1);
  }
  const days = Array.from({ length: count }, (_, i) => shiftDay(first, i));
  const start = dayStartUtc(first, timeZone);
  const end = dayStartUtc(shiftDay(days[count - 1]!, 1), timeZone);
  return { view, date: anchorDay, days, start, end, prev, next, month: anchorDay.slice(0, 7) };
}
