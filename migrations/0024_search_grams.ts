import { sql, type Kysely } from 'kysely';

// Frozen. Short Chinese terms (华为, 张) cannot use the trigram index (0002): a LIKE over a director's 300,000
// contacts took ~110 ms per keystroke of the top-bar search. `${table}_grams` holds, for the columns Chinese text is
// searched in, every two-character substring of each value and its last character (lower-cased ASCII, as LIKE
// compares): a two-character term is one key, a one-character term one key range. Kept in step by triggers, like the
// trigram index, so every write path (forms, imports, scripts) updates it. `search_positions` numbers the characters
// (triggers cannot use a recursive CTE); values longer than 255 characters have their first 255 indexed.
const GRAMS: [string, string[]][] = [
  ['customers', ['name', 'short_name']],
  ['contacts', ['name', 'organisation']],
  ['leads', ['company', 'person']],
];

/** The statements that add the grams of the trigger's `new` row to `${table}_grams`. */
function addGrams(table: string, cols: string[]): string {
  return cols
    .map(
      (c) =>
        `insert or ignore into ${table}_grams (gram, id) select lower(substr(new.${c}, p.n, 2)), new.id from search_positions p where p.n < length(new.${c}); ` +
        `insert or ignore into ${table}_grams (gram, id) select lower(substr(new.${c}, -1)), new.id where length(new.${c}) > 0;`,
    )
    .join(' ');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('search_positions').addColumn('n', 'integer', (c) => c.primaryKey()).execute();
  await sql.raw(`insert into search_positions (n) values ${Array.from({ length: 255 }, (_, i) => `(${i + 1})`).join(', ')}`).execute(db);
  for (const [table, cols] of GRAMS) {
    await sql.raw(`create table ${table}_grams (gram text not null, id integer not null, primary key (gram, id)) without rowid`).execute(db);
    await sql.raw(`create trigger ${table}_grams_ai after insert on ${table} begin ${addGrams(table, cols)} end`).execute(db);
    await sql.raw(`create trigger ${table}_grams_ad after delete on ${table} begin delete from ${table}_grams where id = old.id; end`).execute(db);
    await sql
      .raw(`create trigger ${table}_grams_au after update of ${cols.join(', ')} on ${table} begin delete from ${table}_grams where id = old.id; ${addGrams(table, cols)} end`)
      .execute(db);
    // The existing rows, in key order (appending to the b-tree, not inserting at random), then the index by id that
    // the triggers' deletes use.
    const grams = cols
      .flatMap((c) => [
        `select lower(substr(t.${c}, p.n, 2)) as gram, t.id from ${table} t join search_positions p on p.n < length(t.${c})`,
        `select lower(substr(t.${c}, -1)) as gram, t.id from ${table} t where length(t.${c}) > 0`,
      ])
      .join(' union ');
    await sql.raw(`insert or ignore into ${table}_grams (gram, id) select gram, id from (${grams}) order by gram, id`).execute(db);
    await sql.raw(`create index ${table}_grams_id_idx on ${table}_grams (id)`).execute(db);
  }
}
