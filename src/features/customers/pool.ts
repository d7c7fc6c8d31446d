import type { Db } from '../../db/index.ts';
import { writeTransaction } from '../../db/index.ts';
import { audit } from '../../audit/index.ts';
import { messages } from '../../i18n/index.ts';
import { poolSettings } from './queries.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Returns to the public pool every owned customer whose owner has recorded nothing for `company.pool_days` days:
 * no activity since the cutoff (customers.last_activity_at, kept by the activities feature) and no change to the
 * record either (updated_at — a claim or an assignment also sets it, so a customer just taken is not returned the
 * next night). Each move is audited with no actor (the system). Returns how many went back.
 */
export async function returnIdleCustomersToPool(db: Db, now: Date): Promise<number> {
  return writeTransaction(db, async (trx) => {
    const { poolDays } = await poolSettings(trx);
    const cutoff = new Date(now.getTime() - poolDays * DAY_MS).toISOString();
    const idle = await trx
      .selectFrom('customers')
      .select(['id', 'name', 'owner_id'])
      .where('owner_id', 'is not', null)
      .where('updated_at', '<', cutoff)
      .where((eb) => eb.or([eb('last_activity_at', 'is', null), eb('last_activity_at', '<', cutoff)]))
      .orderBy('id')
      .execute();
    if (idle.length === 0) return 0;
    const at = now.toISOString();
    const summary = messages('zh-CN').customers.moves.idle;
    for (let i = 0; i < idle.length; i += 500) {
      const ids = idle.slice(i, i + 500).map((c) => c.id);
      await trx.updateTable('customers').set({ owner_id: null, pooled_at: at, updated_at: at }).where('id', 'in', ids).execute();
    }
    for (const c of idle) {
      await audit(trx, { actorId: null, ip: '' }, { action: 'update', entity: 'customer', entityId: c.id, summary: `${summary}：${c.name}`, changes: { owner_id: [c.owner_id, null] } });
    }
    return idle.length;
  });
}
