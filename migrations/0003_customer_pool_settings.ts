import type { Kysely } from 'kysely';

// Frozen. The public pool's settings on the company: after how many idle days a customer returns to the pool,
// and how many customers one rep may hold when claiming from it. Plus the index the "newest first" sort needs.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('company').addColumn('pool_days', 'integer', (c) => c.notNull().defaultTo(30)).execute();
  await db.schema.alterTable('company').addColumn('pool_claim_limit', 'integer', (c) => c.notNull().defaultTo(100)).execute();
  await db.schema.createIndex('customers_created_idx').on('customers').columns(['created_at', 'id']).execute();
  // Short search terms scan the short names' own index rather than the table (customers' searchCondition).
  await db.schema.createIndex('customers_short_name_idx').on('customers').column('short_name').execute();
  // The public pool page: owner_id IS NULL, newest in the pool first.
  await db.schema.createIndex('customers_pool_idx').on('customers').columns(['owner_id', 'updated_at', 'id']).execute();
}
