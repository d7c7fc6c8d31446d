import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, smallOrg, testApp, type TestApp } from '../helpers/app.ts';
import { newCustomer } from '../helpers/customers.ts';
import { returnIdleCustomersToPool } from '../../src/features/customers/pool.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof smallOrg>>;
beforeAll(async () => {
  t = await testApp();
  org = await smallOrg(t.db);
});
afterAll(async () => t.close());

const NOW = new Date('2026-06-30T18:00:00.000Z'); // 02:00 on 1 July in Shanghai
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000).toISOString();
const owner = async (id: number) => (await t.db.selectFrom('customers').select(['owner_id', 'pooled_at']).where('id', '=', id).executeTakeFirstOrThrow());

describe('returning idle customers to the public pool', () => {
  it('returns customers idle for more than pool_days (default 30), keeps the rest, and audits each move as the system', async () => {
    const idle = await newCustomer(t.db, { owner: org.users.rep1, name: '闲置一', updatedAt: daysAgo(40), lastActivityAt: daysAgo(35) });
    const neverFollowed = await newCustomer(t.db, { owner: org.users.rep1, name: '闲置二', updatedAt: daysAgo(31), lastActivityAt: null });
    const recentActivity = await newCustomer(t.db, { owner: org.users.rep1, name: '最近有跟进', updatedAt: daysAgo(90), lastActivityAt: daysAgo(29) });
    const recentlyClaimed = await newCustomer(t.db, { owner: org.users.rep2, name: '刚领取', updatedAt: daysAgo(2), lastActivityAt: daysAgo(200) });
    const justInside = await newCustomer(t.db, { owner: org.users.rep2, name: '正好三十天', updatedAt: daysAgo(30), lastActivityAt: null });
    const pooled = await newCustomer(t.db, { owner: null, name: '本来就在公海', updatedAt: daysAgo(400) });

    expect(await returnIdleCustomersToPool(t.db, NOW)).toBe(2);
    expect((await owner(idle.id)).owner_id).toBeNull();
    expect((await owner(idle.id)).pooled_at).toBe(NOW.toISOString());
    expect((await owner(neverFollowed.id)).owner_id).toBeNull();
    expect((await owner(recentActivity.id)).owner_id).toBe(org.users.rep1.id);
    expect((await owner(recentlyClaimed.id)).owner_id).toBe(org.users.rep2.id);
    expect((await owner(justInside.id)).owner_id).toBe(org.users.rep2.id); // exactly 30 days is not more than 30
    expect((await owner(pooled.id)).owner_id).toBeNull();

    const log = await t.db.selectFrom('audit_log').selectAll().where('entity', '=', 'customer').where('entity_id', '=', idle.id).executeTakeFirstOrThrow();
    expect(log.actor_id).toBeNull();
    expect(log.action).toBe('update');
    expect(JSON.parse(log.changes)).toEqual({ owner_id: [org.users.rep1.id, null] });
    expect(log.summary).toContain('自动退回公海');

    // Run again the same night: nothing more to do.
    expect(await returnIdleCustomersToPool(t.db, NOW)).toBe(0);
  });

  it('follows the company setting', async () => {
    await sql`update company set pool_days = 7 where id = 1`.execute(t.db);
    const c = await newCustomer(t.db, { owner: org.users.rep3, name: '一周未跟进', updatedAt: daysAgo(8) });
    expect(await returnIdleCustomersToPool(t.db, NOW)).toBeGreaterThanOrEqual(1);
    expect((await owner(c.id)).owner_id).toBeNull();
    await sql`update company set pool_days = 30 where id = 1`.execute(t.db);
  });
});

describe('contacts follow their customer', () => {
  it('move to the rep who claims a pool customer, so its page lists them', async () => {
    const own = await testApp();
    try {
      const t = own;
      const org = await smallOrg(t.db);
      const now = new Date().toISOString();
      const { id: customerId } = await t.db.insertInto('customers').values({ name: '上海宝信软件股份有限公司', owner_id: null, pooled_at: now, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
      await t.db.insertInto('contacts').values({ name: '钱经理', customer_id: customerId, owner_id: org.users.rep3.id, created_at: now, updated_at: now }).execute();
      const rep1 = await signIn(t.app, 'rep1');
      const claim = await rep1.post(`/customers/${customerId}/claim`);
      expect(claim.statusCode).toBe(303);
      const contact = await t.db.selectFrom('contacts').select('owner_id').where('customer_id', '=', customerId).executeTakeFirstOrThrow();
      expect(contact.owner_id).toBe(org.users.rep1.id);
      expect((await rep1.get(`/customers/${customerId}`)).body).toContain('钱经理');
    } finally {
      await own.close();
    }
  });
});
