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
