import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Kysely } from 'kysely';
import { guanxiSqliteDialect } from '../../src/db/index.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { planOf } from '../helpers/query-plans.ts';
import { countScopes, type Viewer } from '../../src/access/index.ts';
import type { DB } from '../../src/db/types.ts';

let t: TestApp;
beforeEach(async () => {
  t = await testApp();
});
afterEach(async () => t.close());

const plan = (sql: string, ...params: unknown[]) => planOf(t.sqlite, sql, ...params);

describe('query plans of the alerts and the home page', () => {
  it('walks the stage history by (from_stage_id, days) for the median', () => {
    expect(plan('select days_in_from_stage from opportunity_stage_history where from_stage_id = ? and days_in_from_stage is not null order by days_in_from_stage limit 1 offset 10', 1)).toContain(
      'opportunity_stage_history_from_days_idx',
    );
  });

  it('reads one owner’s open deals largest first from the owner/amount index', () => {
    const p = plan("select id from opportunities o where o.owner_id = ? and o.status = 'open' order by o.amount_fen desc, o.id desc limit 500", 1);
    expect(p).toContain('opportunities_owner_amount_idx');
    expect(p).not.toContain('TEMP B-TREE');
  });

  it('walks every open deal by amount for the at-risk list', () => {
    const p = plan("select id from opportunities o where o.status = 'open' and (o.amount_fen < ? or (o.amount_fen = ? and o.id < ?)) order by o.amount_fen desc, o.id desc limit 500", 1, 1, 1);
    expect(p).toContain('opportunities_status_amount_idx');
    expect(p).not.toContain('TEMP B-TREE');
  });

  it("counts a manager's team deals at risk and won this quarter owner by owner (countScopes), not by status, and their member-only deals from their memberships", () => {
    const base: Viewer = { id: 2, username: 'm', displayName: 'm', role: 'sales_manager', departmentId: 1, departmentIds: [1, 2], language: 'zh-CN', mustChangePassword: false, memberOf: new Set() };
    const db = new Kysely<DB>({ dialect: guanxiSqliteDialect(t.sqlite) });
    for (const manager of [base, { ...base, memberOf: new Set(['opportunities']) }]) {
      const parts = countScopes(manager, 'opportunities', 'o');
      expect(parts.length).toBe(manager.memberOf.size + 1);
      parts.forEach((who, i) => {
        const risk = db.selectFrom('opportunities as o').select((eb) => eb.fn.countAll().as('n')).where('o.status', '=', 'open').where('o.risk_at', '<=', '2026-11-27').where(who).compile();
        const won = db
          .selectFrom('opportunities as o')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('o.status', '=', 'won')
          .where('o.closed_at', '>=', '2026-09-30T16:00:00Z')
          .where('o.closed_at', '<', '2026-12-31T16:00:00Z')
          .where(who)
          .compile();
        if (i === 0) {
          expect(plan(risk.sql, ...risk.parameters)).toMatch(/opportunities_owner_risk_idx \(owner_id=\? AND status=\? AND risk_at<\?\)/);
          expect(plan(won.sql, ...won.parameters)).toMatch(/opportunities_owner_closed_idx \(owner_id=\? AND status=\? AND closed_at>\? AND closed_at<\?\)/);
        } else {
          // The deals they are on the team of: their memberships by index, never a scan of the deals.
          for (const q of [risk, won]) {
            const p = plan(q.sql, ...q.parameters);
            expect(p).toContain('record_members_user_idx (user_id=? AND entity=?)');
            expect(p).not.toMatch(/SCAN o\b/);
          }
        }
      });
    }
  });
});
