import type { Kysely } from 'kysely';

// Frozen. Uploaded spreadsheets waiting between the steps of the import wizard (upload → map → preview → import).
// The file lives here, not in the session cookie; a row is deleted when its import runs, or after 24 hours.
// `sheet` holds the parsed cells (JSON) so later steps need not re-read a large workbook (≈1 s for 20,000 rows).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('import_batches')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('entity', 'text', (c) => c.notNull()) // customers, contacts, leads
    .addColumn('filename', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('content', 'blob', (c) => c.notNull())
    .addColumn('sheet', 'text', (c) => c.notNull()) // JSON { headers: string[], rows: string[][] }
    .addColumn('mapping', 'text', (c) => c.notNull().defaultTo('{}')) // JSON { field: column index }
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('import_batches_user_idx').on('import_batches').columns(['user_id', 'id']).execute();
  await db.schema.createIndex('import_batches_created_idx').on('import_batches').column('created_at').execute();
}
