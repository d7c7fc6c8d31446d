import type Database from 'better-sqlite3';
import type { Db } from '../../src/db/index.ts';
import { writeTransaction, optimizeDatabase } from '../../src/db/index.ts';
import { seedOrg } from './org.ts';
import { seedContext, type Scale } from './context.ts';
import { seedCustomers } from './customers.ts';
import { seedContacts } from './contacts.ts';
import { seedLeads } from './leads.ts';
import { seedActivities } from './activities.ts';
import { seedPipelines } from './pipelines.ts';
import { seedOpportunities } from './opportunities.ts';
import { seedDecisionTrees } from './decision-tree.ts';
import { seedProducts } from './products.ts';
import { refreshAllOpenRisk } from '../../src/features/alerts/queries.ts';
import { seedQuotes } from './quotes.ts';
import { seedJobsAndMail } from './jobs-mail.ts';

export type { Scale };
export { DEMO_LOGINS, DEMO_PASSWORD } from './org.ts';

/**
 * Loads the demo company into an empty, migrated database, in one transaction. One generator per module, in
 * dependency order; each later module adds its own.
 */
export async function seedDemo(database: { db: Db; sqlite: Database.Database }, scale: Scale = 'small'): Promise<void> {
  await writeTransaction(database.db, async (trx) => {
    await seedOrg(trx, scale);
    const ctx = await seedContext(trx, database.sqlite, scale);
    await seedCustomers(ctx);
    await seedContacts(ctx);
    await seedLeads(ctx);
    await seedActivities(ctx);
    await seedPipelines(ctx);
    await seedOpportunities(ctx);
    await seedDecisionTrees(ctx);
    await seedQuotes(ctx, await seedProducts(ctx));
    // The deals' stored risk, as the app's own writes would have kept it (after everything that touches a deal).
    await refreshAllOpenRisk(trx, { now: ctx.now, inTransaction: true });
    await seedJobsAndMail(ctx);
  });
  // Statistics for the planner on the freshly loaded data (the server refreshes them at start and hourly).
  optimizeDatabase(database.sqlite, { initial: true });
}
