import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { newUser, signIn, smallOrg, testApp, type TestApp } from '../helpers/app.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { shortTermIds } from '../../src/db/search.ts';
import { queryPlans } from '../helpers/query-plans.ts';
import { openDatabase, type Db } from '../../src/db/index.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { MIGRATIONS_DIR } from '../../src/paths.ts';

// Short Chinese terms are answered from ${table}_grams (migrations/0024), kept in step by triggers. These tests prove
// the gram index always equals the grams of the rows, whatever wrote them, and that searching through it finds what
// LIKE finds: one- and two-character terms, at the start, middle and end of a value, ASCII letters in any case.
let t: TestApp;
let org: Awaited<ReturnType<typeof smallOrg>>;
const now = new Date().toISOString();
beforeAll(async () => {
  t = await testApp();
  org = await smallOrg(t.db);
});
afterAll(async () => t.close());

const COLUMNS = { customers: ['name', 'short_name'], contacts: ['name', 'organisation'], leads: ['company', 'person'] } as const;

/** The grams every row should have: each two-character substring and the last character, ASCII lower-cased. */
async function expectedGrams(db: Db, table: keyof typeof COLUMNS): Promise<string[]> {
  const rows = (await sql<Record<string, string | number | null>>`select * from ${sql.table(table)}`.execute(db)).rows;
  const out = new Set<string>();
  for (const r of rows) {
    for (const c of COLUMNS[table]) {
      const chars = [...String(r[c] ?? '')].map((ch) => ch.replace(/[A-Z]/, (x) => x.toLowerCase()));
      for (let i = 0; i + 1 < chars.length && i < 255; i++) out.add(`${chars[i]}${chars[i + 1]}|${r.id}`);
      if (chars.length) out.add(`${chars[chars.length - 1]}|${r.id}`);
    }
  }
  return [...out].sort();
}
const storedGrams = async (db: Db, table: keyof typeof COLUMNS) =>
  (await sql<{ gram: string; id: number }>`select gram, id from ${sql.table(`${table}_grams`)}`.execute(db)).rows.map((r) => `${r.gram}|${r.id}`).sort();

describe('the gram index of short Chinese terms', () => {
  it('follows inserts, edits and deletes of customers, contacts and leads', async () => {
    const u = org.users;
    const ins = async (table: 'customers' | 'contacts' | 'leads', values: Record<string, unknown>) =>
      (await sql<{ id: number }>`insert into ${sql.table(table)} (${sql.join(Object.keys(values).map((k) => sql.ref(k)))}, created_at, updated_at) values (${sql.join(Object.values(values).map((v) => sql`${v}`))}, ${now}, ${now}) returning id`.execute(t.db)).rows[0]!.id;
    const c1 = await ins('customers', { name: '深圳华为技术有限公司', short_name: '华为', owner_id: u.rep1.id });
    const c2 = await ins('customers', { name: 'ABC中国有限公司', short_name: '', owner_id: u.rep3.id });
    const c3 = await ins('customers', { name: '宁', short_name: '', owner_id: null });
    await ins('contacts', { name: '张华', organisation: '华为云', owner_id: u.rep1.id });
    await ins('contacts', { name: 'Lily王', organisation: '', owner_id: u.rep3.id });
    await ins('leads', { company: '杭州云帆科技', person: '李华', owner_id: u.rep1.id });
    for (const table of ['customers', 'contacts', 'leads'] as const) expect(await storedGrams(t.db, table), table).toEqual(await expectedGrams(t.db, table));

    await t.db.updateTable('customers').set({ name: '深圳华三通信有限公司' }).where('id', '=', c1).execute();
    await t.db.updateTable('customers').set({ phone: '0755-1' }).where('id', '=', c2).execute(); // not a gram column
    await t.db.deleteFrom('customers').where('id', '=', c3).execute();
    await t.db.updateTable('contacts').set({ organisation: '腾讯' }).where('name', '=', '张华').execute();
    await t.db.deleteFrom('leads').where('person', '=', '李华').execute();
    for (const table of ['customers', 'contacts', 'leads'] as const) expect(await storedGrams(t.db, table), table).toEqual(await expectedGrams(t.db, table));
    expect(await storedGrams(t.db, 'customers')).not.toContain(`技术|${c1}`);
    expect(await storedGrams(t.db, 'customers')).toContain(`华三|${c1}`);
  });

  it('finds what LIKE finds for one- and two-character terms anywhere in a value', async () => {
    const names = ['华为终端有限公司', '深圳华为', '北京华', '华', '中华人民', 'ABC华为', 'xyz股份'];
    const ids: number[] = [];
    for (const name of names) ids.push((await t.db.insertInto('customers').values({ name, short_name: '', owner_id: org.users.rep1.id, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()).id);
    const like = async (term: string) =>
      (await sql<{ id: number }>`select id from customers where (name like ${`%${term}%`} or short_name like ${`%${term}%`}) and id in (${sql.join(ids)})`.execute(t.db)).rows.map((r) => r.id).sort((a, b) => a - b);
    for (const term of ['华', '华为', '为', '公司', '人民', 'C华', 'c华', '股', 'Z股']) {
      const found = (await shortTermIds(t.db, 'customers', term))!.filter((id) => ids.includes(id)).sort((a, b) => a - b);
      expect(found, term).toEqual(await like(term));
      expect(found.length, term).toBeGreaterThan(0);
    }
    // Not a short Chinese term: left to the trigram index or LIKE.
    for (const term of ['华为终', 'ab', '1', '']) expect(await shortTermIds(t.db, 'customers', term), term).toBeNull();
    // More rows than the cap: a common term, left to LIKE over the sort index.
    expect(await shortTermIds(t.db, 'customers', '华', 2)).toBeNull();
    expect(await shortTermIds(t.db, 'customers', '人民', 2)).toHaveLength(1);
  });

  it('serves the lists and the top bar for every role, within the scope', async () => {
    await t.db.insertInto('contacts').values({ name: '欧阳锋', organisation: '白驼山庄', owner_id: org.users.rep3.id, created_at: now, updated_at: now }).execute();
    await t.db.insertInto('leads').values({ company: '白驼山庄贸易', person: '欧阳克', owner_id: org.users.rep1.id, created_at: now, updated_at: now }).execute();
    const director = await signIn(t.app, 'director');
    const rep1 = await signIn(t.app, 'rep1');
    const q = encodeURIComponent('白驼');
    expect((await director.get(`/contacts?q=${q}`)).body).toContain('欧阳锋');
    expect((await rep1.get(`/contacts?q=${q}`)).body).not.toContain('欧阳锋'); // rep3's
    expect((await rep1.get(`/leads?q=${q}`)).body).toContain('欧阳克');
    const top = await director.get(`/search?q=${encodeURIComponent('欧阳')}`);
    expect(top.body).toContain('欧阳锋');
    expect(top.body).toContain('欧阳克');
    const repTop = await rep1.get(`/search?q=${encodeURIComponent('欧阳')}`);
    expect(repTop.body).toContain('欧阳克');
    expect(repTop.body).not.toContain('欧阳锋');
    expect((await director.get(`/customers?q=${encodeURIComponent('北京')}`)).body).toContain('北京华');
  });
});

describe('reading the gram index', () => {
  it('finds a two-character term by its key and one character by a key range, never scanning', async () => {
    for (const table of ['customers', 'contacts', 'leads'] as const) {
      for (const [term, shape] of [
        ['华为', /SEARCH \w+_grams USING PRIMARY KEY \(gram=\?\)/],
        ['张', /SEARCH \w+_grams USING PRIMARY KEY \(gram>\? AND gram<\?\)/],
      ] as const) {
        const plans = await queryPlans(t.sqlite, (db) => shortTermIds(db, table, term));
        expect(plans).toHaveLength(1);
        expect(plans[0]!.plan, `${table} ${term}`).toMatch(shape);
        expect(plans[0]!.plan).not.toMatch(/\bSCAN\b/);
      }
    }
  });
});

describe('migration 0024 on a database that already has records', () => {
  it('fills the gram index from the existing rows', async () => {
    // Migrate a new database up to 0023 only, write records, then run 0024.
    const before = fs.mkdtempSync(path.join(os.tmpdir(), 'guanxi-0024-'));
    for (const f of fs.readdirSync(MIGRATIONS_DIR).filter((f) => /^\d{4}_/.test(f) && f < '0024')) fs.symlinkSync(path.join(MIGRATIONS_DIR, f), path.join(before, f));
    const database = openDatabase(':memory:');
    try {
      await migrateToLatest(database.db, before);
      const at = new Date().toISOString();
      await database.db.insertInto('customers').values([
        { name: '深圳华为技术有限公司', short_name: '华为', created_at: at, updated_at: at },
        { name: 'ABC中国', short_name: '', created_at: at, updated_at: at },
        { name: '宁', short_name: '', created_at: at, updated_at: at },
      ]).execute();
      const owner = await newUser(database.db, { username: 'mig-owner' });
      await database.db.insertInto('contacts').values({ name: '张华', organisation: '华为云', owner_id: owner.id, created_at: at, updated_at: at }).execute();
      await database.db.insertInto('leads').values({ company: '杭州云帆科技', person: '李华', owner_id: owner.id, created_at: at, updated_at: at }).execute();
      await migrateToLatest(database.db);
      for (const table of ['customers', 'contacts', 'leads'] as const) expect(await storedGrams(database.db, table), table).toEqual(await expectedGrams(database.db, table));
      expect(await shortTermIds(database.db, 'customers', '华为')).toHaveLength(1);
    } finally {
      await database.close();
      fs.rmSync(before, { recursive: true, force: true });
    }
  });
});

describe('a common term for a manager', () => {
  it('goes back to the gram index without a cap, and finds what LIKE finds', async () => {
    const { searchCondition } = await import('../../src/db/search.ts');
    const like = async (term: string) =>
      (await sql<{ id: number }>`select id from customers where name like ${`%${term}%`} or short_name like ${`%${term}%`} order by id`.execute(t.db)).rows.map((r) => r.id);
    for (const term of ['华', '有限']) {
      const where = await searchCondition(t.db, 'customers', 'c', term, ['name', 'short_name'], { commonByLike: false, cap: 1 });
      const query = t.db.selectFrom('customers as c').select('c.id').where(where).orderBy('c.id');
      expect(query.compile().sql, term).toContain('customers_grams');
      const found = (await query.execute()).map((r) => r.id);
      expect(found.length, term).toBeGreaterThan(1);
      expect(found, term).toEqual(await like(term));
    }
  });
});
