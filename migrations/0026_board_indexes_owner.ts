import type { Kysely } from 'kysely';

// Frozen. The board's column indexes (0008) walk a stage in close-date order, but a manager's or director's column
// keeps only some owners' deals: SQLite read each walked deal's row just to look at its owner (~0.2 ms a column for a
// manager of a third of the company). With owner_id in the index the scope is checked on the index entry and only the
// shown cards' rows are read (~0.1 ms). Same names, so the plans that name them stay true.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // One transaction: a failure leaves the old indexes in place.
  await db.transaction().execute(async (trx) => {
    await trx.schema.dropIndex('opportunities_board_close_idx').execute();
    await trx.schema.createIndex('opportunities_board_close_idx').on('opportunities').columns(['stage_id', 'expected_close_date', 'id', 'owner_id']).execute();
    await trx.schema.dropIndex('opportunities_board_closed_idx').execute();
    await trx.schema.createIndex('opportunities_board_closed_idx').on('opportunities').columns(['stage_id', 'closed_at', 'id', 'owner_id']).execute();
  });
}
