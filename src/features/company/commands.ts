import { sql } from 'kysely';
import type { Db } from '../../db/index.ts';
import { nowIso, writeTransaction } from '../../db/index.ts';
import { audit, diff, type AuditContext } from '../../audit/index.ts';
import type { CompanyInput } from './schemas.ts';
import { rebuildRollup } from '../pipeline-analytics/rollup.ts';

/** The settings a deal's stored risk is computed from (src/features/alerts): the thresholds and the time zone. */
const RISK_INPUTS = ['alert_idle_days', 'alert_stage_multiple', 'alert_amount_drop_pct', 'alert_pushouts', 'time_zone'];

/** Saves the company settings; `riskInputsChanged` says whether the deals' stored risk must be recomputed. */
export async function updateCompany(
  db: Db,
  ctx: AuditContext,
  input: CompanyInput,
  logo: { data: Buffer; mime: string } | 'remove' | null,
): Promise<{ riskInputsChanged: boolean }> {
  const result = await writeTransaction(db, async (trx) => {
    const before = await trx
      .selectFrom('company')
      .select(['name', 'address', 'postal_code', 'phone', 'tax_id', 'bank_name', 'bank_account', 'time_zone', 'currency', 'logo_mime', sql<number>`pool_days`.as('pool_days'), sql<number>`pool_claim_limit`.as('pool_claim_limit'),
        sql<number>`alert_idle_days`.as('alert_idle_days'), sql<number>`alert_stage_multiple`.as('alert_stage_multiple'), sql<number>`alert_amount_drop_pct`.as('alert_amount_drop_pct'), sql<number>`alert_pushouts`.as('alert_pushouts')])
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    const values = {
      name: input.name,
      address: input.address,
      postal_code: input.postal_code,
      phone: input.phone,
      tax_id: input.tax_id,
      bank_name: input.bank_name,
      bank_account: input.bank_account,
      time_zone: input.time_zone,
      currency: input.currency,
      ...(logo === 'remove' ? { logo: null, logo_mime: null } : logo ? { logo: logo.data, logo_mime: logo.mime } : {}),
    };
    await trx.updateTable('company').set({ ...values, updated_at: nowIso() }).where('id', '=', 1).execute();
    // The public pool's settings (migration 0003 columns, not yet in src/db/types.ts): only when the form sent them.
    const pool = { pool_days: input.pool_days ?? before.pool_days, pool_claim_limit: input.pool_claim_limit ?? before.pool_claim_limit };
    await sql`update company set pool_days = ${pool.pool_days}, pool_claim_limit = ${pool.pool_claim_limit} where id = 1`.execute(trx);
    // The deal alerts' settings (migration 0010 columns): likewise only when sent.
    const alerts = {
      alert_idle_days: input.alert_idle_days ?? before.alert_idle_days,
      alert_stage_multiple: input.alert_stage_multiple ?? before.alert_stage_multiple,
      alert_amount_drop_pct: input.alert_amount_drop_pct ?? before.alert_amount_drop_pct,
      alert_pushouts: input.alert_pushouts ?? before.alert_pushouts,
    };
    await sql`update company set alert_idle_days = ${alerts.alert_idle_days}, alert_stage_multiple = ${alerts.alert_stage_multiple}, alert_amount_drop_pct = ${alerts.alert_amount_drop_pct}, alert_pushouts = ${alerts.alert_pushouts} where id = 1`.execute(trx);
    const changes = diff(before, { ...before, ...values, ...pool, ...alerts });
    if (logo) changes.logo = [before.logo_mime ? 'logo' : null, logo === 'remove' ? null : 'logo'];
    delete changes.logo_mime;
    await audit(trx, ctx, { action: 'update', entity: 'company', entityId: 1, summary: input.name, changes });
    // The rollup files moves by month in the company's zone: recounted in the new one, in this transaction.
    if ('time_zone' in changes) await rebuildRollup(trx);
    return { riskInputsChanged: RISK_INPUTS.some((key) => key in changes) };
  });
  return result;
}
