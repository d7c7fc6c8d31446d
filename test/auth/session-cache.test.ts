import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { dataVersion, openDatabase, writeTransaction } from '../../src/db/index.ts';
import { createSession, validateSessionToken } from '../../src/auth/session.ts';
import { notify } from '../../src/notifications/index.ts';
import { newDepartment, newUser, signIn, testApp, type TestApp } from '../helpers/app.ts';

// validateSessionToken reuses its last answer while dataVersion says no row has changed. These tests show the
// answer is never stale: every kind of write a session depends on, from this process or another, is seen at once.

/** The app's database as a file, and a second connection to it standing for another process (a CLI script). */
async function withAnotherProcess(run: (mine: ReturnType<typeof openDatabase>, other: Database.Database) => Promise<void>): Promise<void> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'guanxi-sc-')), 'db.sqlite');
  fs.copyFileSync(inject('templateDb'), file);
  const mine = openDatabase(file);
  const other = new Database(file);
  try {
    await run(mine, other);
  } finally {
    other.close();
    await mine.close();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('dataVersion', () => {
  it('stays while only reading, moves on every write (even one rolled back), and is absent inside a transaction', async () => {
    t = await testApp();
    const v0 = dataVersion(t.db);
    expect(v0).not.toBeNull();
    await t.db.selectFrom('users').selectAll().execute();
    expect(dataVersion(t.db)).toBe(v0);
    await newUser(t.db, { username: 'dv1' });
    const v1 = dataVersion(t.db);
    expect(v1).not.toBe(v0);
    await expect(
      writeTransaction(t.db, async (trx) => {
        await trx.updateTable('users').set({ display_name: 'x' }).where('username', '=', 'dv1').execute();
        // Inside a transaction there is no stamp: what it reads may be rolled back.
        expect(dataVersion(trx)).toBeNull();
        expect(dataVersion(t!.db)).toBeNull();
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(dataVersion(t.db)).not.toBe(v1);
  });

  it('moves when another process commits to the same file', async () => {
    await withAnotherProcess(async (mine, other) => {
      const v0 = dataVersion(mine.db);
      expect(dataVersion(mine.db)).toBe(v0);
      other.prepare("update company set name = 'other' where id = 1").run();
      other.prepare("insert into departments (name, path, created_at, updated_at) values ('d', '/x/', '2026-01-01', '2026-01-01')").run();
      expect(dataVersion(mine.db)).not.toBe(v0);
    });
  });
});

describe('a validated session is reused only while nothing changed', () => {
  it('gives the same answer without a write, and a fresh one after each write it depends on', async () => {
    t = await testApp();
    const db = t.db;
    const user = await newUser(db, { username: 'sc1' });
    const { token } = await createSession(db, user.id);
    const first = await validateSessionToken(db, token);
    expect(first?.viewer.username).toBe('sc1');
    const second = await validateSessionToken(db, token);
    expect(second).toEqual(first);
    expect(await validateSessionToken(db, token)).toBe(second); // reused, not looked up again

    // A new notification: the bell's counter is read from the user row.
    await writeTransaction(db, (trx) => notify(trx, { userId: user.id, kind: 'approval', title: '你好', link: '/' }));
    const afterNotice = await validateSessionToken(db, token);
    expect(afterNotice).not.toBe(second);
    expect(afterNotice?.viewer.unreadNotifications).toBe(1);

    // A team membership widens the data scope.
    await db.insertInto('record_members').values({ entity: 'opportunities', record_id: 1, user_id: user.id, role: 'member', created_at: '2026-01-01' }).execute();
    expect([...(await validateSessionToken(db, token))!.viewer.memberOf]).toEqual(['opportunities']);

    // A changed role, then a deactivated account.
    await db.updateTable('users').set({ role: 'sales_manager' }).where('id', '=', user.id).execute();
    expect((await validateSessionToken(db, token))?.viewer.role).toBe('sales_manager');
    // A department moved under the user's: the manager's subtree grows.
    const east = await newDepartment(db, '华东');
    const team = await newDepartment(db, '华东一组');
    await db.updateTable('users').set({ department_id: east.id }).where('id', '=', user.id).execute();
    expect((await validateSessionToken(db, token))?.viewer.departmentIds).toEqual([east.id]);
    await db.updateTable('departments').set({ parent_id: east.id, path: `${east.path}${team.id}/` }).where('id', '=', team.id).execute();
    expect([...(await validateSessionToken(db, token))!.viewer.departmentIds].sort()).toEqual([east.id, team.id].sort());

    await db.updateTable('users').set({ active: 0 }).where('id', '=', user.id).execute();
    expect(await validateSessionToken(db, token)).toBeNull();
  });

  it('a cached session is refused once another process deactivates the user or deletes the session', async () => {
    await withAnotherProcess(async (mine, other) => {
      const a = await newUser(mine.db, { username: 'sc-a' });
      const b = await newUser(mine.db, { username: 'sc-b' });
      const ta = (await createSession(mine.db, a.id)).token;
      const tb = (await createSession(mine.db, b.id)).token;
      for (const token of [ta, tb]) {
        const first = await validateSessionToken(mine.db, token);
        expect(await validateSessionToken(mine.db, token)).toBe(await validateSessionToken(mine.db, token)); // cached
        expect(first).not.toBeNull();
      }
      other.prepare('update users set active = 0 where id = ?').run(a.id);
      expect(await validateSessionToken(mine.db, ta)).toBeNull();
      other.prepare('delete from sessions where user_id = ?').run(b.id);
      expect(await validateSessionToken(mine.db, tb)).toBeNull();
    });
  });

  it('hands out a frozen Viewer: no request can change the answer the next one gets', async () => {
    t = await testApp();
    const user = await newUser(t.db, { username: 'sc4' });
    const { token } = await createSession(t.db, user.id);
    const session = (await validateSessionToken(t.db, token))!;
    expect(Object.isFrozen(session.viewer)).toBe(true);
    expect(Object.isFrozen(session.viewer.departmentIds)).toBe(true);
    expect(Object.isFrozen(await validateSessionToken(t.db, token))).toBe(true);
  });

  it('looks again once the session enters its renewal window, and renews it', async () => {
    t = await testApp();
    const user = await newUser(t.db, { username: 'sc2' });
    const { token } = await createSession(t.db, user.id);
    expect((await validateSessionToken(t.db, token))?.renewed).toBe(false);
    // Sixteen days later, with no write in between: time alone moves the session into its renewal window.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 16 * 24 * 3600 * 1000);
      const again = await validateSessionToken(t.db, token);
      expect(again?.renewed).toBe(true);
      expect(again!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 29 * 24 * 3600 * 1000);
    } finally {
      vi.useRealTimers();
    }
  });

  it('through the app: a signed-out or deactivated session is refused on the very next request', async () => {
    t = await testApp();
    await newUser(t.db, { username: 'sc3' });
    await newUser(t.db, { username: 'sc-admin', role: 'admin' });
    const rep = await signIn(t.app, 'sc3');
    const second = await signIn(t.app, 'sc3');
    expect((await rep.get('/customers')).statusCode).toBe(200);
    expect((await rep.get('/customers')).statusCode).toBe(200);
    expect((await rep.post('/logout')).statusCode).toBe(303);
    expect((await rep.get('/customers')).headers.location).toMatch(/^\/login/);

    expect((await second.get('/customers')).statusCode).toBe(200);
    const boss = await signIn(t.app, 'sc-admin');
    const sc3 = await t.db.selectFrom('users').select('id').where('username', '=', 'sc3').executeTakeFirstOrThrow();
    expect((await boss.post(`/admin/users/${sc3.id}/status`, { active: '0' })).statusCode).toBe(303);
    expect((await second.get('/customers')).headers.location).toMatch(/^\/login/);
  });
});
