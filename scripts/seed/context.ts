import type Database from 'better-sqlite3';
import type { Db } from '../../src/db/index.ts';
import type { Role } from '../../src/db/types.ts';
import { rng } from './org.ts';

export type Scale = 'small' | 'large';

/** What every module's generator gets: the database (Kysely and, for bulk inserts, the raw handle on the same connection). */
export interface SeedContext {
  db: Db;
  /** better-sqlite3 on the same connection as `db` (inside the same transaction): use prepared statements for bulk rows. */
  sqlite: Database.Database;
  scale: Scale;
  /** "Now" for the demo: records spread around it. */
  now: Date;
  /** The demo users by username (admin, gm, director, manager1, manager2, rep1…rep6), and at large scale user0001… */
  users: Map<string, { id: number; role: Role; department_id: number | null }>;
  /** The sales users who own records (reps and managers), demo logins first. */
  owners: number[];
  /** Deterministic random numbers in [0, 1). */
  random: () => number;
}

export async function seedContext(db: Db, sqlite: Database.Database, scale: Scale): Promise<SeedContext> {
  const rows = await db.selectFrom('users').select(['id', 'username', 'role', 'department_id']).where('active', '=', 1).orderBy('id').execute();
  const users = new Map(rows.map((r) => [r.username, { id: r.id, role: r.role, department_id: r.department_id }]));
  const owners = rows.filter((r) => r.role === 'sales_rep' || r.role === 'sales_manager').map((r) => r.id);
  return { db, sqlite, scale, now: new Date(), users, owners, random: rng(20261127) };
}
