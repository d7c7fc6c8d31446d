import type { Db } from '../../db/index.ts';

export async function getCompany(db: Db) {
  return db
    .selectFrom('company')
    .select(['name', 'address', 'postal_code', 'phone', 'tax_id', 'bank_name', 'bank_account', 'time_zone', 'currency', 'updated_at', (eb) => eb('logo', 'is not', null).as('has_logo')])
    .where('id', '=', 1)
    .executeTakeFirst();
}

export async function getCompanyLogo(db: Db) {
  return db.selectFrom('company').select(['logo', 'logo_mime']).where('id', '=', 1).executeTakeFirst();
}
