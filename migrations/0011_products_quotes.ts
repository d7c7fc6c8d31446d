import type { Kysely } from 'kysely';

// Frozen. Products with their price book (list and floor price, tax rate), quotes (one row per revision) with
// their line items and history, the per-year counter that numbers quotes without gaps, and the company's quote
// settings (number pattern, the two discount thresholds that route approval, validity and default terms).
// Money is integer fen; quantities are integer thousandths (quantity_milli); rates and discounts are basis points.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('company').addColumn('quote_number_pattern', 'text', (c) => c.notNull().defaultTo('BJ-{YYYY}-{####}')).execute();
  // A total discount beyond this (basis points of the list value) needs the department manager; beyond the second, the director.
  await db.schema.alterTable('company').addColumn('quote_manager_threshold_bp', 'integer', (c) => c.notNull().defaultTo(1000)).execute();
  await db.schema.alterTable('company').addColumn('quote_director_threshold_bp', 'integer', (c) => c.notNull().defaultTo(2000)).execute();
  await db.schema.alterTable('company').addColumn('quote_validity_days', 'integer', (c) => c.notNull().defaultTo(30)).execute();
  await db.schema.alterTable('company').addColumn('quote_payment_terms', 'text', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('company').addColumn('quote_delivery_terms', 'text', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('company').addColumn('quote_warranty_terms', 'text', (c) => c.notNull().defaultTo('')).execute();

  await db.schema
    .createTable('products')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull().defaultTo('')) // 规格型号
    .addColumn('unit', 'text', (c) => c.notNull().defaultTo('台'))
    .addColumn('category', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('list_price_fen', 'integer', (c) => c.notNull().defaultTo(0)) // tax included (含税)
    .addColumn('floor_price_fen', 'integer', (c) => c.notNull().defaultTo(0)) // tax included; 0 = no floor
    .addColumn('tax_rate_bp', 'integer', (c) => c.notNull().defaultTo(1300))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('products_active_category_idx').on('products').columns(['active', 'category', 'code']).execute();

  await db.schema
    .createTable('quote_counters')
    .addColumn('year', 'integer', (c) => c.primaryKey())
    .addColumn('last', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('quotes')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
    // 1 on the newest revision of a number; older revisions stay as they were, read-only.
    .addColumn('latest', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('customer_id', 'integer', (c) => c.notNull().references('customers.id'))
    .addColumn('contact_id', 'integer', (c) => c.references('contacts.id').onDelete('set null'))
    .addColumn('opportunity_id', 'integer', (c) => c.references('opportunities.id').onDelete('set null'))
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id'))
    // draft, pending_approval, approved, sent, accepted, rejected, expired
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft'))
    .addColumn('quote_date', 'text', (c) => c.notNull()) // YYYY-MM-DD
    .addColumn('valid_until', 'text', (c) => c.notNull()) // YYYY-MM-DD
    .addColumn('tax_mode', 'text', (c) => c.notNull().defaultTo('inclusive')) // inclusive (含税) | exclusive (不含税)
    .addColumn('subtotal_fen', 'integer', (c) => c.notNull().defaultTo(0)) // without VAT
    .addColumn('tax_fen', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total_fen', 'integer', (c) => c.notNull().defaultTo(0)) // with VAT
    .addColumn('list_total_fen', 'integer', (c) => c.notNull().defaultTo(0)) // the same lines at list price, with VAT
    .addColumn('discount_bp', 'integer', (c) => c.notNull().defaultTo(0)) // total discount against the list value
    .addColumn('below_floor', 'integer', (c) => c.notNull().defaultTo(0)) // lines under their floor price
    .addColumn('approval_level', 'text', (c) => c.notNull().defaultTo('')) // '' (none needed), manager, director
    .addColumn('approver_id', 'integer', (c) => c.references('users.id'))
    .addColumn('approved_by', 'integer', (c) => c.references('users.id'))
    .addColumn('approved_at', 'text')
    .addColumn('submitted_at', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('closed_at', 'text') // accepted, rejected or expired
    .addColumn('payment_terms', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('delivery_terms', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('warranty_terms', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('notes', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('quotes_number_revision_idx').on('quotes').columns(['number', 'revision']).unique().execute();
  // Lists: the owner's newest revisions, newest first; a manager's team list walks (latest, updated_at).
  await db.schema.createIndex('quotes_owner_idx').on('quotes').columns(['owner_id', 'latest', 'updated_at', 'id']).execute();
  await db.schema.createIndex('quotes_latest_updated_idx').on('quotes').columns(['latest', 'updated_at', 'id']).execute();
  // The customer's quote history and the price reference's "last prices to this customer".
  await db.schema.createIndex('quotes_customer_idx').on('quotes').columns(['customer_id', 'quote_date', 'id']).execute();
  await db.schema.createIndex('quotes_opportunity_idx').on('quotes').column('opportunity_id').execute();
  // The approver's to-do list on the home page: one indexed lookup.
  await db.schema.createIndex('quotes_approver_idx').on('quotes').columns(['approver_id', 'status']).where('status', '=', 'pending_approval').execute();
  // The nightly expiry: sent quotes past their validity.
  await db.schema.createIndex('quotes_status_valid_idx').on('quotes').columns(['status', 'valid_until']).execute();
  await db.schema.createIndex('quotes_sent_idx').on('quotes').columns(['sent_at']).execute();

  await db.schema
    .createTable('quote_lines')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('quote_id', 'integer', (c) => c.notNull().references('quotes.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('product_id', 'integer', (c) => c.references('products.id').onDelete('set null'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('unit', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('quantity_milli', 'integer', (c) => c.notNull()) // 1.5 台 = 1500
    .addColumn('unit_price_fen', 'integer', (c) => c.notNull()) // in the quote's tax mode
    .addColumn('discount_bp', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('tax_rate_bp', 'integer', (c) => c.notNull().defaultTo(1300))
    .addColumn('list_price_fen', 'integer', (c) => c.notNull().defaultTo(0)) // the product's, when the line was added (含税)
    .addColumn('floor_price_fen', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('effective_unit_fen', 'integer', (c) => c.notNull().defaultTo(0)) // after discount, with VAT: comparable across quotes
    .addColumn('net_fen', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('tax_fen', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('amount_fen', 'integer', (c) => c.notNull().defaultTo(0)) // with VAT
    .addColumn('below_floor', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('quote_lines_quote_idx').on('quote_lines').columns(['quote_id', 'position']).execute();
  // The price reference: what one product was quoted at.
  await db.schema.createIndex('quote_lines_product_idx').on('quote_lines').columns(['product_id', 'quote_id']).execute();

  await db.schema
    .createTable('quote_events')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('quote_id', 'integer', (c) => c.notNull().references('quotes.id').onDelete('cascade'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.references('users.id'))
    // created, edited, submitted, approved, approval_rejected, sent, accepted, rejected, expired, revised
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.createIndex('quote_events_quote_idx').on('quote_events').columns(['quote_id', 'id']).execute();
}
