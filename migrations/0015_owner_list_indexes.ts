import type { Kysely } from 'kysely';

// Frozen. A rep's contact and lead lists ("mine", the default for a rep) in their default order: with only
// (owner_id, id) SQLite read every one of the owner's rows and sorted them for each page (1,700 contacts: ~7 ms);
// (owner_id, updated_at, id) walks the page in order, as customers_pool_idx does for customers.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('contacts_owner_updated_idx').on('contacts').columns(['owner_id', 'updated_at', 'id']).execute();
  await db.schema.createIndex('leads_owner_updated_idx').on('leads').columns(['owner_id', 'updated_at', 'id']).execute();
}
