import type { Db } from '../../src/db/index.ts';
import { writeTransaction } from '../../src/db/index.ts';
import { seedOrg } from './org.ts';

export type Scale = 'small' | 'large';
export { DEMO_LOGINS, DEMO_PASSWORD } from './org.ts';

/** Loads the demo company into an empty, migrated database. One generator per module; each later module adds its own. */
export async function seedDemo(db: Db, scale: Scale = 'small'): Promise<void> {
  await writeTransaction(db, async (trx) => {
    await seedOrg(trx, scale);
  });
}
