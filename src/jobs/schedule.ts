import { TZDate } from '@date-fns/tz';
import cron from 'node-cron';

/**
 * The next due time of a five-field cron expression in a time zone, strictly after `after`, computed from the
 * expression's fields (node-cron's own parser) day by day: at most ~400 days are looked at, each in microseconds,
 * where asking node-cron minute by minute took ~1 s for a monthly job. Day-of-month and day-of-week are both
 * required to match (our registry never restricts both).
 */
export function nextDue(expression: string, timeZone: string, after: Date): Date | null {
  const f = cron.parse(expression);
  const minutes = [...f.minute].sort((a, b) => a - b);
  const hours = [...f.hour].sort((a, b) => a - b);
  const months = new Set(f.month);
  const doms = new Set(f.dayOfMonth.map(Number));
  const dows = new Set(f.dayOfWeek.map((d) => Number(d) % 7));
  const start = new TZDate(after.getTime(), timeZone);
  for (let i = 0; i < 400; i++) {
    const day = new TZDate(start.getFullYear(), start.getMonth(), start.getDate() + i, timeZone);
    if (!months.has(day.getMonth() + 1) || !doms.has(day.getDate()) || !dows.has(day.getDay())) continue;
    for (const h of hours) {
      for (const m of minutes) {
        const at = new TZDate(day.getFullYear(), day.getMonth(), day.getDate(), h, m, timeZone);
        // A wall-clock time skipped by a DST change rolls over to another hour: not a due time.
        if (at.getHours() !== h) continue;
        if (at.getTime() > after.getTime()) return new Date(at.getTime());
      }
    }
  }
  return null;
}

/** The minute a due time belongs to, as the slot key of a run: 2026-11-30T00:00:00.000Z. */
export function slotOf(due: Date): string {
  const d = new Date(due.getTime());
  d.setUTCSeconds(0, 0);
  return d.toISOString();
}

/** The latest due time at or before `at` and no older than `lookbackMs`, or null (for catching up after a restart). */
export function previousDue(expression: string, timeZone: string, at: Date, lookbackMs: number): Date | null {
  const f = cron.parse(expression);
  const minutes = [...f.minute].sort((a, b) => b - a);
  const hours = [...f.hour].sort((a, b) => b - a);
  const months = new Set(f.month);
  const doms = new Set(f.dayOfMonth.map(Number));
  const dows = new Set(f.dayOfWeek.map((d) => Number(d) % 7));
  const earliest = at.getTime() - lookbackMs;
  const start = new TZDate(at.getTime(), timeZone);
  for (let i = 0; i <= Math.ceil(lookbackMs / 86_400_000) + 1; i++) {
    const day = new TZDate(start.getFullYear(), start.getMonth(), start.getDate() - i, timeZone);
    if (!months.has(day.getMonth() + 1) || !doms.has(day.getDate()) || !dows.has(day.getDay())) continue;
    for (const h of hours) {
      for (const m of minutes) {
        const t = new TZDate(day.getFullYear(), day.getMonth(), day.getDate(), h, m, timeZone);
        if (t.getHours() !== h) continue;
        if (t.getTime() > at.getTime()) continue;
        return t.getTime() >= earliest ? new Date(t.getTime()) : null;
      }
    }
  }
  return null;
}
