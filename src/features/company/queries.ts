import { sql } from 'kysely';
import type { Db } from '../../db/index.ts';
import { whileUnchanged } from '../../db/cache.ts';

export async function getCompany(db: Db) {
  return db
    .selectFrom('company')
    .select(['name', 'address', 'postal_code', 'phone', 'tax_id', 'bank_name', 'bank_account', 'time_zone', 'currency', 'updated_at', (eb) => eb('logo', 'is not', null).as('has_logo'),
      // Added by migration 0003 (the customers' public pool); not yet in src/db/types.ts.
      sql<number>`pool_days`.as('pool_days'), sql<number>`pool_claim_limit`.as('pool_claim_limit'),
      // Added by migration 0010 (the deal alerts); not yet in src/db/types.ts.
      sql<number>`alert_idle_days`.as('alert_idle_days'), sql<number>`alert_stage_multiple`.as('alert_stage_multiple'),
      sql<number>`alert_amount_drop_pct`.as('alert_amount_drop_pct'), sql<number>`alert_pushouts`.as('alert_pushouts')])
    .where('id', '=', 1)
    .executeTakeFirst();
}

export async function getCompanyLogo(db: Db) {
  return db.selectFrom('company').select(['logo', 'logo_mime']).where('id', '=', 1).executeTakeFirst();
}

export interface CompanyBrief {
  name: string;
  time_zone: string;
  currency: string;
  updated_at: string;
  has_logo: boolean;
}

// Every page needs the company's name, zone and currency: kept while no row in the database has changed
// (whileUnchanged, decision 0019), so it is never stale, in this process or after another's write. Inside a
// transaction it is read afresh (what a transaction reads may be rolled back).
export async function companyBrief(db: Db): Promise<CompanyBrief | undefined> {
  return whileUnchanged(db, 'company-brief', async () => {
    const row = await db
      .selectFrom('company')
      .select(['name', 'time_zone', 'currency', 'updated_at', (eb) => eb('logo', 'is not', null).as('has_logo')])
      .where('id', '=', 1)
      .executeTakeFirst();
    return row ? { ...row, has_logo: Boolean(row.has_logo) } : undefined;
  });
}

/** The zone a company works in until it chooses one (company settings). */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** The company's time zone: every local date and time is read and shown in it. */
export async function companyTimeZone(db: Db): Promise<string> {
  return (await companyBrief(db))?.time_zone ?? DEFAULT_TIME_ZONE;
}

