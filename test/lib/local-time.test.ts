import { describe, expect, it } from 'vitest';
import { lastDayOf, localDate, localDateTime, localTimeOfDay, monthsBetween, shiftMonth, zoneOffsetMs } from '../../src/lib/dates.ts';

/** The reference: Intl's own formatting, field by field. */
function reference(ms: number, timeZone: string): string {
  const f = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return f.format(ms);
}

describe('local wall time in a time zone (cached offsets)', () => {
  it('agrees with Intl at random instants in zones with and without daylight saving, and odd offsets', () => {
    const zones = ['Asia/Shanghai', 'UTC', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Chatham'];
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const from = Date.UTC(2020, 0, 1);
    const span = Date.UTC(2030, 0, 1) - from;
    for (const zone of zones) {
      for (let i = 0; i < 600; i++) {
        const ms = from + Math.floor(rand() * span);
        expect(localDateTime(new Date(ms).toISOString(), zone), `${zone} ${new Date(ms).toISOString()}`).toBe(reference(ms, zone));
      }
    }
  });

  it('is exact on both sides of a daylight-saving transition, minute by minute', () => {
    // New York, 2026-03-08 02:00 EST → 03:00 EDT (07:00 UTC); Lord Howe moves by half an hour (2026-10-04 02:00 local).
    for (const [zone, at] of [['America/New_York', Date.UTC(2026, 2, 8, 7, 0)], ['Australia/Lord_Howe', Date.UTC(2026, 9, 3, 15, 30)], ['Europe/London', Date.UTC(2026, 9, 25, 1, 0)]] as const) {
      for (let m = -90; m <= 90; m++) {
        const ms = at + m * 60_000;
        expect(localDateTime(new Date(ms), zone), `${zone} ${new Date(ms).toISOString()}`).toBe(reference(ms, zone));
      }
    }
  });

  it('formats dates and times of day, and gives the offset', () => {
    expect(localDate('2026-11-26T16:30:00.000Z', 'Asia/Shanghai')).toBe('2026-11-27');
    expect(localTimeOfDay('2026-11-26T16:30:00.000Z', 'Asia/Shanghai')).toBe('00:30');
    expect(localDate('2026-11-26T16:30:00.000Z', 'UTC')).toBe('2026-11-26');
    expect(zoneOffsetMs('Asia/Shanghai', Date.UTC(2026, 0, 1))).toBe(8 * 3_600_000);
    expect(localDate('not a date', 'Asia/Shanghai')).toBe('');
  });
});

describe('calendar months', () => {
  it('last day, shift and the months between', () => {
    expect(lastDayOf('2024-02')).toBe('2024-02-29');
    expect(lastDayOf('2026-02')).toBe('2026-02-28');
    expect(lastDayOf('2026-12')).toBe('2026-12-31');
    expect(shiftMonth('2026-12', 1)).toBe('2027-01');
    expect(shiftMonth('2026-01', -1)).toBe('2025-12');
    expect(shiftMonth('2026-05', -17)).toBe('2024-12');
    expect(monthsBetween('2025-11', '2026-02')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
    expect(monthsBetween('2026-03', '2026-03')).toEqual(['2026-03']);
    expect(monthsBetween('2026-04', '2026-03')).toEqual([]);
    expect(monthsBetween('2000-01', '2099-12')).toHaveLength(240);
  });
});
