import { afterAll, describe, expect, it } from 'vitest';
import { rootOf, writeTransaction } from '../../src/db/index.ts';
import { remember } from '../../src/db/cache.ts';
import { freshDatabase } from '../helpers/app.ts';

// Each transaction gets its own Kysely object. Caches keyed by that object were empty in every transaction (a deal
// write recomputed every stage's median under the write lock); they key by the database instead.
const database = freshDatabase();
const db = database.db;
afterAll(async () => database.close());

describe('caches inside a transaction', () => {
  it('a transaction (and one nested in its connection) belongs to its database', async () => {
    await writeTransaction(db, async (trx) => {
      expect(trx).not.toBe(db);
      expect(rootOf(trx)).toBe(db);
    });
    expect(rootOf(db)).toBe(db);
  });

  it('remember() filled outside a transaction is a hit inside one, and the other way round', async () => {
    let loads = 0;
    const load = async () => ++loads;
    expect(await remember(db, 'k', 60_000, load)).toBe(1);
    await writeTransaction(db, async (trx) => {
      expect(await remember(trx, 'k', 60_000, load)).toBe(1);
      expect(await remember(trx, 'k2', 60_000, load)).toBe(2);
    });
    expect(await remember(db, 'k2', 60_000, load)).toBe(2);
    expect(loads).toBe(2);
  });
});

describe('limits', () => {
  // SQLite compiles a statement again whenever a bound LIMIT is bound anew (it steers the plan), which better-sqlite3
  // does on every run: whole-number limits are written into the SQL text instead; offsets stay bound.
  it('writes a whole-number limit into the SQL and keeps other values bound', async () => {
    const q = db.selectFrom('users').select('id').where('username', '=', 'x').orderBy('id').limit(12).offset(24).compile();
    expect(q.sql).toMatch(/ limit 12 offset \?$/);
    expect(q.parameters).toEqual(['x', 24]);
    expect(await db.selectFrom('users').select('id').orderBy('id').limit(0).execute()).toEqual([]);
    const inTrx = await writeTransaction(db, async (trx) => trx.selectFrom('users').select('id').limit(3).compile().sql);
    expect(inTrx).toMatch(/ limit 3$/);
  });
});
