import type { Language } from '../../db/types.ts';
import { fill, messages } from '../../i18n/index.ts';
import { formatter } from '../../lib/format.ts';
import { sumFen, type WorkReportFigures } from './figures.ts';
import type { PeriodKind } from './period.ts';

/**
 * The report's opening sentences, written from its figures: 本周拜访客户 5 家，其中新客户 2 家；电话 3 次，会议 1 次；…
 * Built at display time in the reader's language, so a report reads in Chinese for one manager and English for another.
 */
export function summarySentence(f: WorkReportFigures, kind: PeriodKind, lang: Language, zone: string): string {
  const t = messages(lang).workReports;
  const p = t.summaryParts;
  const won = f.dealsWon.length;
  const lost = f.dealsLost.length;
  const brief = formatter(lang, zone).brief;
  const amount = (n: number, fen: number) => (n > 0 ? ` ${brief(fen)}` : '');
  const parts = [
    fill(p.visits, { period: t.thisPeriod[kind], n: f.customersVisited }) + (f.newCustomersVisited > 0 ? fill(p.newVisited, { n: f.newCustomersVisited }) : ''),
    fill(p.contacts, { calls: f.calls.length, meetings: f.meetings.length }),
    fill(p.created, { customers: f.newCustomers.length, leads: f.newLeads.length }),
    fill(p.deals, { created: f.dealsCreated.length, advanced: f.dealsAdvanced.length, won, wonAmount: amount(won, sumFen(f.dealsWon)), lost, lostAmount: amount(lost, sumFen(f.dealsLost)) }),
    fill(p.quotes, { n: f.quotesSent.length }),
    fill(p.tasks, { done: f.tasksDone.length, overdue: f.tasksOverdue.length }),
    fill(p.next, { period: t.nextPeriod[kind], n: f.nextActivities.length }),
  ];
  return parts.join(p.separator) + p.end;
}
