import type { Kysely } from 'kysely';

// Frozen. The deal board lists each column's first cards: open stages by expected close date, closed stages (won,
// lost) latest closed first. Without these the planner sorts every deal of the stage for 50 cards.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('opportunities_board_close_idx').on('opportunities').columns(['stage_id', 'expected_close_date', 'id']).execute();
  await db.schema.createIndex('opportunities_board_closed_idx').on('opportunities').columns(['stage_id', 'closed_at', 'id']).execute();
}
