import type { Db } from '../../db/index.ts';
import { nowIso, writeTransaction } from '../../db/index.ts';
import { audit } from '../../audit/index.ts';
import { addEvent } from './commands.ts';
import { localDate } from '../../lib/dates.ts';
import { companyTimeZone } from '../company/queries.ts';

/** 'YYYY-MM-DD' of an instant in a time zone. */
export function dateIn(now: Date, timeZone: string): string {
  return localDate(now, timeZone);
}

/**
 * The nightly check: every sent quote whose validity ended before today (in the company's time zone) becomes
 * expired, with a history entry. Returns how many. Registered by the job registry (src/jobs/registry.ts).
 */
export async function expireOverdueQuotes(db: Db, now: Date): Promise<number> {
  return writeTransaction(db, async (trx) => {
    const today = dateIn(now, await companyTimeZone(trx));
    const due = await trx.selectFrom('quotes').select(['id', 'number', 'revision']).where('status', '=', 'sent').where('valid_until', '<', today).execute();
    if (due.length === 0) return 0;
    const at = nowIso();
    for (const q of due) {
      await trx.updateTable('quotes').set({ status: 'expired', closed_at: at, updated_at: at }).where('id', '=', q.id).where('status', '=', 'sent').execute();
      await addEvent(trx, q.id, null, 'expired');
    }
    await audit(trx, { actorId: null, ip: '' }, { action: 'update', entity: 'quote', entityId: null, summary: `expired ${due.length} quotes`, changes: { ids: [null, due.map((q) => q.id)] } });
    return due.length;
  });
}
