import type { Kysely } from 'kysely';

// Frozen. opportunities.risk_at: the instant from which a deal carries an anomaly flag (stalled, slipped, pushed
// out, amount dropped) if nothing changes — kept by src/features/alerts on every write to the deal and nightly, so
// lists of deals at risk (home page, the at-risk list, a manager's count) are an index range instead of reading
// every deal's history. Null until computed (the deal-risk job fills existing deals at the next start).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('opportunities').addColumn('risk_at', 'text').execute();
  await db.schema.createIndex('opportunities_owner_risk_idx').on('opportunities').columns(['owner_id', 'status', 'risk_at', 'amount_fen']).execute();
  await db.schema.createIndex('opportunities_risk_idx').on('opportunities').columns(['status', 'risk_at']).execute();
}
