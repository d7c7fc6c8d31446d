import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { countScopes, memberOnlyScope, ownerKeyScope, scope, userScope, type Viewer } from '../../src/access/index.ts';
import { validateSessionToken, createSession } from '../../src/auth/session.ts';
import { freshDatabase, smallOrg } from '../helpers/app.ts';
import type { Db } from '../../src/db/index.ts';

// A probe table shaped like every owned business table (id, owner_id), so the rule is proven before the
// modules that use it exist.
let db: Db;
let close: () => Promise<void>;
let org: Awaited<ReturnType<typeof smallOrg>>;
const records: Record<string, number> = {};

async function viewerFor(userId: number): Promise<Viewer> {
  const { token } = await createSession(db, userId);
  const s = await validateSessionToken(db, token);
  return s!.viewer;
}

async function visible(viewer: Viewer): Promise<string[]> {
  const rows = await db
    .selectFrom('probe_records' as 'users')
    .select(sql<string>`label`.as('label'))
    .where(scope(viewer, 'probe_records'))
    .execute();
  return rows.map((r) => r.label).sort();
}

beforeAll(async () => {
  const database = freshDatabase();
  db = database.db;
  close = () => database.close();
  org = await smallOrg(db);
  await sql`create table probe_records (id integer primary key, owner_id integer not null, label text not null)`.execute(db);
  const u = org.users;
  const rows: [string, number][] = [
    ['rep1-own', u.rep1.id],
    ['rep2-own', u.rep2.id],
    ['rep3-own', u.rep3.id],
    ['manager1-own', u.manager1.id],
    ['manager2-own', u.manager2.id],
    ['director-own', u.director.id],
  ];
  for (const [i, [label, owner]] of rows.entries()) {
    await sql`insert into probe_records (id, owner_id, label) values (${i + 1}, ${owner}, ${label})`.execute(db);
    records[label] = i + 1;
  }
  // rep1 is on the team of rep3's record (e.g. a shared opportunity).
  await db.insertInto('record_members').values({ entity: 'probe_records', record_id: records['rep3-own']!, user_id: u.rep1.id, created_at: new Date().toISOString() }).execute();
});
afterAll(async () => close());

describe('scope(): the one data-scope rule', () => {
  it('a rep sees what they own and what they are a member of, nothing else', async () => {
    expect(await visible(await viewerFor(org.users.rep1.id))).toEqual(['rep1-own', 'rep3-own']);
    expect(await visible(await viewerFor(org.users.rep2.id))).toEqual(['rep2-own']);
    expect(await visible(await viewerFor(org.users.rep3.id))).toEqual(['rep3-own']);
  });

  it('membership of another entity type does not leak', async () => {
    const v = await viewerFor(org.users.rep2.id);
    await db.insertInto('record_members').values({ entity: 'other_table', record_id: records['rep1-own']!, user_id: v.id, created_at: new Date().toISOString() }).execute();
    expect(await visible(v)).toEqual(['rep2-own']);
  });

  it('a manager sees everything owned in their department subtree, including sub-teams', async () => {
    // manager1 heads 华东 (rep1) whose sub-team 上海组 holds rep2; rep3 is in 华南.
    expect(await visible(await viewerFor(org.users.manager1.id))).toEqual(['manager1-own', 'rep1-own', 'rep2-own']);
    expect(await visible(await viewerFor(org.users.manager2.id))).toEqual(['manager2-own', 'rep3-own']);
  });

  it('the director and the general manager see everything', async () => {
    const all = ['director-own', 'manager1-own', 'manager2-own', 'rep1-own', 'rep2-own', 'rep3-own'];
    expect(await visible(await viewerFor(org.users.director.id))).toEqual(all);
    expect(await visible(await viewerFor(org.users.gm.id))).toEqual(all);
  });

  it('an administrator sees no business records', async () => {
    expect(await visible(await viewerFor(org.users.admin.id))).toEqual([]);
  });

  it('a manager without a department falls back to own and member records', async () => {
    const v = { ...(await viewerFor(org.users.manager1.id)), departmentIds: [] };
    expect(await visible(v)).toEqual(['manager1-own']);
  });

  it('the viewer carries the department subtree', async () => {
    const v = await viewerFor(org.users.manager1.id);
    expect([...v.departmentIds].sort()).toEqual([org.departments.east.id, org.departments.eastTeam.id].sort());
  });

  it('userScope(): whose records a viewer may pick or filter by', async () => {
    const names = async (v: Viewer) =>
      (await db.selectFrom('users').select('username').where(userScope(v)).execute()).map((r) => r.username).sort();
    expect(await names(await viewerFor(org.users.rep1.id))).toEqual(['rep1']);
    expect(await names(await viewerFor(org.users.manager1.id))).toEqual(['manager1', 'rep1', 'rep2']);
    expect((await names(await viewerFor(org.users.director.id))).length).toBe(8);
  });
});

describe('the same rule in other shapes', () => {
  const labels = async (where: ReturnType<typeof scope>) =>
    (await db.selectFrom('probe_records as p' as 'users').select(sql<string>`label`.as('label')).where(where).execute()).map((r) => r.label).sort();

  it('countScopes (a manager\'s owners as one IN list, then member-only records) see exactly what scope sees, for every user, members too', async () => {
    // manager2 is also on the team of rep1's record: the member clause must survive the reshaping.
    await db.insertInto('record_members').values({ entity: 'probe_records', record_id: records['rep1-own']!, user_id: org.users.manager2.id, created_at: new Date().toISOString() }).execute();
    for (const u of Object.values(org.users)) {
      const v = await viewerFor(u.id);
      for (const variant of [v, { ...v, departmentIds: [] }]) {
        const parts = await Promise.all(countScopes(variant, 'probe_records', 'p').map(labels));
        const all = parts.flat().sort();
        expect(all, `${variant.username}: the parts do not overlap`).toEqual([...new Set(all)]);
        expect(all, `${variant.username}`).toEqual(await visible(variant));
      }
    }
    const manager2 = await viewerFor(org.users.manager2.id);
    expect(await Promise.all(countScopes(manager2, 'probe_records', 'p').map(labels))).toEqual([['manager2-own', 'rep3-own'], ['rep1-own']]);
  });

  it('ownerKeyScope (summary rows keyed by owner) and memberOnlyScope split scope in two, for every user', async () => {
    // manager2 is on the team of rep1's record (outside their department) and of their own: only the first is member-only.
    await db.insertInto('record_members').values({ entity: 'probe_records', record_id: records['rep1-own']!, user_id: org.users.manager2.id, created_at: new Date().toISOString() }).onConflict((oc) => oc.doNothing()).execute();
    await db.insertInto('record_members').values({ entity: 'probe_records', record_id: records['manager2-own']!, user_id: org.users.manager2.id, created_at: new Date().toISOString() }).onConflict((oc) => oc.doNothing()).execute();
    let members = 0;
    for (const u of Object.values(org.users)) {
      const v = await viewerFor(u.id);
      const byOwner = await labels(ownerKeyScope(v, 'p.owner_id'));
      const only = memberOnlyScope(v, 'probe_records', 'p');
      const memberOnly = only ? await labels(only) : [];
      if (memberOnly.length) members++;
      expect(byOwner.filter((l) => memberOnly.includes(l)), v.username).toEqual([]);
      expect([...byOwner, ...memberOnly].sort(), v.username).toEqual(await visible(v));
    }
    expect(members).toBeGreaterThan(0);
    expect(memberOnlyScope(await viewerFor(org.users.manager2.id), 'probe_records', 'p')).not.toBeNull();
    expect(await labels(memberOnlyScope(await viewerFor(org.users.manager2.id), 'probe_records', 'p')!)).toEqual(['rep1-own']);
    // A director who is also on a team sees every owner anyway: nothing is member-only.
    const director = await viewerFor(org.users.director.id);
    expect(memberOnlyScope({ ...director, memberOf: new Set(['probe_records']) }, 'probe_records', 'p')).toBeNull();
  });
});

