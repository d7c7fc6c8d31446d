import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, writeTransaction } from '../../src/db/index.ts';
import { whileUnchanged } from '../../src/db/cache.ts';
import { viewerForUser } from '../../src/auth/session.ts';
import { assignableUsers } from '../../src/features/users/queries.ts';
import { scopeOptions } from '../../src/features/pipeline-analytics/queries.ts';
import { newUser, smallOrg } from '../helpers/app.ts';

// whileUnchanged keeps a lookup while the dataVersion stamp says no row has changed (decision 0019). These tests show
// it is never stale: a write here, a commit by another process, or a transaction all make it look again.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guanxi-wu-'));
const file = path.join(dir, 'db.sqlite');
fs.copyFileSync(inject('templateDb'), file);
const mine = openDatabase(file);
const db = mine.db;
/** A second connection to the same file, standing for another process (a CLI script, a second server). */
const other = new Database(file);
let org: Awaited<ReturnType<typeof smallOrg>>;
beforeAll(async () => {
  org = await smallOrg(db);
});
afterAll(async () => {
  other.close();
  await mine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('whileUnchanged', () => {
  it('answers from memory while nothing changes, and looks again after a write here or a commit elsewhere', async () => {
    let loads = 0;
    const load = async () => ({ n: ++loads, names: ['a'] });
    const first = await whileUnchanged(db, 'k', load);
    expect(await whileUnchanged(db, 'k', load)).toBe(first);
    expect(loads).toBe(1);
    // Another key is its own lookup.
    await whileUnchanged(db, 'k2', load);
    expect(loads).toBe(2);

    await db.updateTable('users').set({ display_name: '改名一' }).where('id', '=', org.users.rep1.id).execute();
    expect((await whileUnchanged(db, 'k', load)).n).toBe(3);
    other.prepare("update users set display_name = '改名二' where id = ?").run(org.users.rep1.id);
    expect((await whileUnchanged(db, 'k', load)).n).toBe(4);
    // A write that changes no row is no change.
    await db.updateTable('users').set({ display_name: '改名三' }).where('id', '=', -1).execute();
    expect((await whileUnchanged(db, 'k', load)).n).toBe(4);
  });

  it('inside a transaction always looks (what it reads may be rolled back), and keeps nothing of it', async () => {
    let loads = 0;
    const load = async () => ++loads;
    await writeTransaction(db, async (trx) => {
      expect(await whileUnchanged(trx, 't', load)).toBe(1);
      expect(await whileUnchanged(trx, 't', load)).toBe(2);
    });
    expect(await whileUnchanged(db, 't', load)).toBe(3);
    expect(await whileUnchanged(db, 't', load)).toBe(3);
  });

  it('hands out a frozen answer, so no caller can change what the next one gets', async () => {
    const value = await whileUnchanged(db, 'frozen', async () => ({ list: [{ id: 1 }] }));
    // Typed read-only, and frozen for whoever casts that away.
    expect(() => (value.list as { id: number }[]).push({ id: 2 })).toThrow(TypeError);
    expect(() => {
      (value.list[0] as { id: number }).id = 9;
    }).toThrow(TypeError);
  });
});

describe('the lookups kept by it', () => {
  it('a new rep, a deactivation and a department move show at once in owner pickers and the report scope', async () => {
    const manager = (await viewerForUser(db, org.users.manager1.id))!;
    const director = (await viewerForUser(db, org.users.director.id))!;
    const names = async () => (await assignableUsers(db, manager)).map((u) => u.display_name);
    const reps = async () => (await scopeOptions(db, director)).reps.map((u) => u.display_name);
    const kept = await assignableUsers(db, manager);
    expect(await assignableUsers(db, manager)).toBe(kept); // the same answer while nothing changes
    const added = await newUser(db, { role: 'sales_rep', department: org.departments.east, displayName: '新来的销售' });
    expect(await names()).toContain('新来的销售');
    expect(await reps()).toContain('新来的销售');
    other.prepare('update users set active = 0 where id = ?').run(added.id);
    expect(await names()).not.toContain('新来的销售');
    expect(await reps()).not.toContain('新来的销售');
    other.prepare('update users set active = 1, department_id = ? where id = ?').run(org.departments.south.id, added.id);
    expect(await names()).not.toContain('新来的销售'); // no longer in manager1's departments
    expect(await reps()).toContain('新来的销售');
  });

  it('viewers of different scopes never share an answer', async () => {
    const rep = (await viewerForUser(db, org.users.rep1.id))!;
    const manager = (await viewerForUser(db, org.users.manager1.id))!;
    const repNames = (await assignableUsers(db, rep)).map((u) => u.id);
    const managerNames = (await assignableUsers(db, manager)).map((u) => u.id);
    expect(repNames).toEqual([org.users.rep1.id]);
    expect(managerNames.length).toBeGreaterThan(1);
    expect((await scopeOptions(db, rep)).departments).toEqual([]);
    expect((await scopeOptions(db, manager)).departments.length).toBeGreaterThan(0);
  });
});
