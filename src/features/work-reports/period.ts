import { TZDate } from '@date-fns/tz';
import { dayStartUtc } from '../../lib/dates.ts';

export const PERIOD_KINDS = ['week', 'month'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

/** A report period: calendar days in the company's time zone, start and end inclusive (YYYY-MM-DD). */
export interface Period {
  kind: PeriodKind;
  start: string;
  end: string;
}

const ymd = (d: TZDate): string => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

function parts(day: string): [number, number, number] {
  return day.split('-').map(Number) as [number, number, number];
}

/** The period (Monday–Sunday week, or calendar month) that contains `day`. */
export function periodContaining(kind: PeriodKind, day: string, zone: string): Period {
  const [y, m, d] = parts(day);
  if (kind === 'month') {
    return { kind, start: ymd(new TZDate(y, m - 1, 1, zone)), end: ymd(new TZDate(y, m, 0, zone)) };
  }
  const date = new TZDate(y, m - 1, d, zone);
  const sinceMonday = (date.getDay() + 6) % 7;
  return { kind, start: ymd(new TZDate(y, m - 1, d - sinceMonday, zone)), end: ymd(new TZDate(y, m - 1, d - sinceMonday + 6, zone)) };
}

/** The last complete period before `now`: last week on Monday, last month on the 1st. */
export function previousPeriod(kind: PeriodKind, now: Date, zone: string): Period {
  const today = new TZDate(now.getTime(), zone);
  const current = periodContaining(kind, ymd(today), zone);
  const [y, m, d] = parts(current.start);
  return periodContaining(kind, ymd(new TZDate(y, m - 1, d - 1, zone)), zone);
}

export function nextPeriod(p: Period, zone: string): Period {
  const [y, m, d] = parts(p.end);
  return periodContaining(p.kind, ymd(new TZDate(y, m - 1, d + 1, zone)), zone);
}

/** [start, end) in UTC of a period's days. */
export function periodRangeUtc(p: Period, zone: string): { start: string; end: string } {
  const [y, m, d] = parts(p.end);
  return { start: dayStartUtc(p.start, zone), end: dayStartUtc(ymd(new TZDate(y, m - 1, d + 1, zone)), zone) };
}

export function isPeriodStart(kind: PeriodKind, day: string, zone: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) && periodContaining(kind, day, zone).start === day;
}
