import type { Kysely } from 'kysely';
import { sql } from 'kysely';

// Frozen. Customers, contacts, leads, activities, tags, saved views, and the trigram full-text indexes
// (SQLite FTS5, kept in step by triggers so every write path — forms, imports, scripts — updates them).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('customers')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('short_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('type', 'text', (c) => c.notNull().defaultTo('enterprise'))
    .addColumn('credit_code', 'text')
    .addColumn('industry', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('province', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('city', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('address', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('postal_code', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('phone', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('website', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('size', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('source', 'text', (c) => c.notNull().defaultTo('other'))
    .addColumn('grade', 'text', (c) => c.notNull().defaultTo('C'))
    .addColumn('lifecycle', 'text', (c) => c.notNull().defaultTo('prospect'))
    .addColumn('notes', 'text', (c) => c.notNull().defaultTo(''))
    // NULL owner = in the public pool (公海).
    .addColumn('owner_id', 'integer', (c) => c.references('users.id'))
    .addColumn('pooled_at', 'text')
    .addColumn('last_activity_at', 'text')
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('customers_owner_idx').on('customers').columns(['owner_id', 'id']).execute();
  await db.schema.createIndex('customers_credit_code_idx').on('customers').column('credit_code').execute();
  await db.schema.createIndex('customers_phone_idx').on('customers').column('phone').execute();
  await db.schema.createIndex('customers_name_idx').on('customers').column('name').execute();
  await db.schema.createIndex('customers_updated_idx').on('customers').columns(['updated_at', 'id']).execute();
  await db.schema.createIndex('customers_owner_activity_idx').on('customers').columns(['owner_id', 'last_activity_at']).execute();

  await db.schema
    .createTable('customer_tags')
    .addColumn('customer_id', 'integer', (c) => c.notNull().references('customers.id').onDelete('cascade'))
    .addColumn('tag', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('customer_tags_pk', ['customer_id', 'tag'])
    .execute();
  await db.schema.createIndex('customer_tags_tag_idx').on('customer_tags').columns(['tag', 'customer_id']).execute();

  await db.schema
    .createTable('contacts')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    // 'customer': a contact at a customer (or an opportunity's); 'public_relations': not tied to a customer.
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('customer'))
    .addColumn('customer_id', 'integer', (c) => c.references('customers.id').onDelete('set null'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('gender', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('title', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('department', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('organisation', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('mobile', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('phone', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('email', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('wechat', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('address', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('postal_code', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('birthday', 'text') // YYYY-MM-DD
    .addColumn('notes', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('contacts_owner_idx').on('contacts').columns(['owner_id', 'id']).execute();
  await db.schema.createIndex('contacts_customer_idx').on('contacts').columns(['customer_id', 'id']).execute();
  await db.schema.createIndex('contacts_mobile_idx').on('contacts').column('mobile').execute();

  await db.schema
    .createTable('contact_key_dates')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('contact_id', 'integer', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('date', 'text', (c) => c.notNull()) // YYYY-MM-DD
    .addColumn('yearly', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('contact_key_dates_contact_idx').on('contact_key_dates').column('contact_id').execute();

  await db.schema
    .createTable('leads')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('source', 'text', (c) => c.notNull().defaultTo('other'))
    .addColumn('company', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('person', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('mobile', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('phone', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('email', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('wechat', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('province', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('city', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('address', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('industry', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('new'))
    .addColumn('disqualify_reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('notes', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('converted_at', 'text')
    .addColumn('customer_id', 'integer', (c) => c.references('customers.id').onDelete('set null'))
    .addColumn('contact_id', 'integer', (c) => c.references('contacts.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('leads_owner_idx').on('leads').columns(['owner_id', 'id']).execute();
  await db.schema.createIndex('leads_status_idx').on('leads').columns(['status', 'id']).execute();

  await db.schema
    .createTable('activities')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('type', 'text', (c) => c.notNull()) // visit, call, meeting, email, task, note
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'text', (c) => c.notNull()) // UTC; for a task, when it is due
    .addColumn('duration_minutes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('planned')) // planned, done, cancelled
    .addColumn('location', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('outcome', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('next_step', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('remind_at', 'text')
    .addColumn('completed_at', 'text')
    .addColumn('customer_id', 'integer', (c) => c.references('customers.id').onDelete('set null'))
    .addColumn('contact_id', 'integer', (c) => c.references('contacts.id').onDelete('set null'))
    .addColumn('lead_id', 'integer', (c) => c.references('leads.id').onDelete('set null'))
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('activities_owner_time_idx').on('activities').columns(['owner_id', 'starts_at']).execute();
  await db.schema.createIndex('activities_customer_time_idx').on('activities').columns(['customer_id', 'starts_at']).execute();
  await db.schema.createIndex('activities_contact_time_idx').on('activities').columns(['contact_id', 'starts_at']).execute();
  await db.schema.createIndex('activities_lead_time_idx').on('activities').columns(['lead_id', 'starts_at']).execute();
  await db.schema.createIndex('activities_open_tasks_idx').on('activities').columns(['owner_id', 'status', 'type', 'starts_at']).execute();

  await db.schema
    .createTable('saved_views')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('query', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('saved_views_user_idx').on('saved_views').columns(['user_id', 'entity']).execute();

  // Trigram full-text indexes: substrings of 3+ characters (Chinese included). Shorter terms use LIKE (src/db/search.ts).
  const fts: [string, string[]][] = [
    ['customers', ['name', 'short_name', 'credit_code', 'phone', 'address']],
    ['contacts', ['name', 'mobile', 'phone', 'email', 'organisation']],
    ['leads', ['company', 'person', 'mobile', 'phone', 'email']],
  ];
  for (const [table, cols] of fts) {
    const list = cols.join(', ');
    const newVals = cols.map((c) => `coalesce(new.${c}, '')`).join(', ');
    await sql.raw(`create virtual table ${table}_fts using fts5(${list}, content='', contentless_delete=1, tokenize='trigram')`).execute(db);
    await sql.raw(`create trigger ${table}_fts_ai after insert on ${table} begin insert into ${table}_fts(rowid, ${list}) values (new.id, ${newVals}); end`).execute(db);
    await sql.raw(`create trigger ${table}_fts_ad after delete on ${table} begin delete from ${table}_fts where rowid = old.id; end`).execute(db);
    await sql
      .raw(`create trigger ${table}_fts_au after update of ${list} on ${table} begin delete from ${table}_fts where rowid = old.id; insert into ${table}_fts(rowid, ${list}) values (new.id, ${newVals}); end`)
      .execute(db);
  }
}
