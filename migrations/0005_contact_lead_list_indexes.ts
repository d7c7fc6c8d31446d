import type { Kysely } from 'kysely';

// Frozen. Keyset indexes for the contact and lead lists' sorts (updated, name/company, created): without them a
// viewer who sees many rows (a director, a manager) made SQLite sort all 300,000 contacts for every page (~1 s).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('contacts_updated_idx').on('contacts').columns(['updated_at', 'id']).execute();
  await db.schema.createIndex('contacts_name_idx').on('contacts').columns(['name', 'id']).execute();
  await db.schema.createIndex('contacts_created_idx').on('contacts').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('leads_updated_idx').on('leads').columns(['updated_at', 'id']).execute();
  await db.schema.createIndex('leads_company_idx').on('leads').columns(['company', 'id']).execute();
  await db.schema.createIndex('leads_created_idx').on('leads').columns(['created_at', 'id']).execute();
  // The status filter (new, contacted…) in the default order.
  await db.schema.createIndex('leads_status_updated_idx').on('leads').columns(['status', 'updated_at', 'id']).execute();
}
