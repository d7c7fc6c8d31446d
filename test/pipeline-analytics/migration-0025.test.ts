import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { newDepartment, newUser } from '../helpers/app.ts';
import { customerRow } from '../helpers/contacts.ts';
import { historyRow, newOpportunityRow, newPipeline } from '../helpers/pipeline-analytics.ts';
import { dealTotalsFromDeals } from '../helpers/opportunities.ts';
import { openDatabase } from '../../src/db/index.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { MIGRATIONS_DIR } from '../../src/paths.ts';
import { rebuildRollup, withStats } from '../../src/features/pipeline-analytics/rollup.ts';

// Migration 0025 on a database written before it: the stage rollup is rebuilt by each deal's current owner (until
// then a deal that changed owner kept its history under the old one) with company and department rows, and
// deal_totals gains department rows added up from its per-owner rows.
describe('migration 0025 on a database that already has deals', () => {
  it('rebuilds the rollup by current owner with department rows, and adds department rows to the deal totals', async () => {
    const before = fs.mkdtempSync(path.join(os.tmpdir(), 'guanxi-0025-'));
    for (const f of fs.readdirSync(MIGRATIONS_DIR).filter((f) => /^\d{4}_/.test(f) && f < '0025')) fs.symlinkSync(path.join(MIGRATIONS_DIR, f), path.join(before, f));
    const database = openDatabase(':memory:');
    const db = database.db;
    try {
      await migrateToLatest(db, before);
      const east = await newDepartment(db, '华东销售部');
      const south = await newDepartment(db, '华南销售部');
      const a = await newUser(db, { username: 'mig-a', department: east });
      const b = await newUser(db, { username: 'mig-b', department: south });
      const c = await newUser(db, { username: 'mig-c' });
      const p = await newPipeline(db);
      const customer = await customerRow(db, { owner: a.id });
      // Created by a, won, then handed to b: the old incremental rollup kept its history under a.
      const d1 = await newOpportunityRow(db, { owner: b.id, customerId: customer, pipelineId: p.id, stageId: p.stages.won, status: 'won', amountFen: 500_000, createdAt: '2026-10-01T02:00:00.000Z' });
      await historyRow(db, d1, null, p.stages.a, '2026-10-01T02:00:00.000Z', null, 500_000);
      await historyRow(db, d1, p.stages.a, p.stages.b, '2026-10-05T02:00:00.000Z', 4, 500_000);
      await historyRow(db, d1, p.stages.b, p.stages.won, '2026-10-31T17:00:00.000Z', 26, 500_000);
      // A user without a department: company rows only.
      const d2 = await newOpportunityRow(db, { owner: c.id, customerId: customer, pipelineId: p.id, stageId: p.stages.b, amountFen: 70_000, createdAt: '2026-09-10T02:00:00.000Z' });
      await historyRow(db, d2, null, p.stages.a, '2026-09-10T02:00:00.000Z', null, 70_000);
      await historyRow(db, d2, p.stages.a, p.stages.b, '2026-09-12T02:00:00.000Z', 2, 70_000);
      // What a database before 0025 held: no department rows, d1's history under a.
      await sql`delete from deal_totals where owner_id < 0`.execute(db);
      await sql`
        insert into stage_month_stats (pipeline_id, month, owner_id, stage_id, entered, exits, advanced, lost, won, days_sum, cycle_days_sum, won_amount_fen)
        values (${p.id}, '2026-10', ${a.id}, ${p.stages.a}, 1, 1, 1, 0, 0, 4, 0, 0), (${p.id}, '2026-10', 0, ${p.stages.a}, 1, 1, 1, 0, 0, 4, 0, 0)
      `.execute(db);

      await migrateToLatest(db);
      const rows = async () =>
        (await withStats(db).selectFrom('stage_month_stats').selectAll().orderBy('pipeline_id').orderBy('owner_id').orderBy('month').orderBy('stage_id').execute()).map((r) => ({ ...r }));
      const migrated = await rows();
      await rebuildRollup(db);
      expect(migrated).toEqual(await rows());
      const owners = new Set(migrated.map((r) => r.owner_id));
      expect([...owners].sort((x, y) => x - y)).toEqual([-south.id, 0, b.id, c.id].sort((x, y) => x - y));
      // The win on 10-31 17:00 UTC is November in Shanghai, with its 30 days of cycle and its amount.
      expect(migrated.find((r) => r.owner_id === -south.id && r.stage_id === p.stages.won)).toMatchObject({ month: '2026-11', entered: 1, cycle_days_sum: 30, won_amount_fen: 500_000 });
      const { summary, fromDeals } = await dealTotalsFromDeals(db);
      expect(summary).toEqual(fromDeals);
      expect(summary.some((s) => s.startsWith(`${-south.id}|`))).toBe(true);
    } finally {
      await db.destroy();
      fs.rmSync(before, { recursive: true, force: true });
    }
  });
});
