import { sql } from 'kysely';
import type { Db } from '../../db/index.ts';

/** The anomaly alerts' thresholds (company columns added by migration 0010, not yet in src/db/types.ts). */
export interface AlertSettings {
  /** N: a deal with no activity for this many days is stalled. */
  idleDays: number;
  /** k: a deal in its stage longer than k × the stage's typical duration is stalled. */
  stageMultiple: number;
  /** X: an amount that fell by more than this percentage from its highest recorded value. */
  amountDropPct: number;
  /** M: a close date pushed out to a later date this many times or more. */
  pushouts: number;
}

export const DEFAULT_ALERT_SETTINGS: AlertSettings = { idleDays: 14, stageMultiple: 2, amountDropPct: 20, pushouts: 3 };

export async function alertSettings(db: Db): Promise<AlertSettings> {
  const row = await db
    .selectFrom('company')
    .select([
      sql<number>`alert_idle_days`.as('idle'),
      sql<number>`alert_stage_multiple`.as('multiple'),
      sql<number>`alert_amount_drop_pct`.as('drop'),
      sql<number>`alert_pushouts`.as('pushouts'),
    ])
    .where('id', '=', 1)
    .executeTakeFirst();
  if (!row) return DEFAULT_ALERT_SETTINGS;
  return { idleDays: Number(row.idle), stageMultiple: Number(row.multiple), amountDropPct: Number(row.drop), pushouts: Number(row.pushouts) };
}
