import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { nowIso, openDatabase } from '../../src/db/index.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

const run = promisify(execFile);

it('two app processes on one database file: each due time runs exactly once', { timeout: 60_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guanxi-2proc-'));
  const file = path.join(dir, 'guanxi.sqlite');
  const setup = openDatabase(file);
  await migrateToLatest(setup.db);
  await setup.db.insertInto('company').values({ id: 1, name: '测试', created_at: nowIso(), updated_at: nowIso() }).execute();
  await setup.close();

  const slots = 30;
  const startAt = String(Date.now() + 8000); // both processes are up by then and fire together
  const child = () => run(process.execPath, ['--import', 'tsx', path.resolve('test/jobs/fixtures/runner-process.ts'), file, startAt, String(slots)], { cwd: process.cwd() });
  const outs = await Promise.all([child(), child()]);
  const results = outs.map((o) => JSON.parse(o.stdout) as { pid: number; ran: number });

  const db = openDatabase(file);
  const runs = await db.db.selectFrom('job_runs').selectAll().where('job', '=', 'count').execute();
  const executions = await db.db.selectFrom('audit_log').select(['entity_id', 'summary']).where('entity', '=', 'test_job').execute();
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });

  expect(runs).toHaveLength(slots);
  expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
  expect(executions).toHaveLength(slots);
  expect(new Set(executions.map((e) => e.summary)).size).toBe(slots);
  expect(results[0]!.ran + results[1]!.ran).toBe(slots);
  // Both processes were really there (pids recorded by the handler match the two children).
  expect(new Set(executions.map((e) => e.entity_id)).size).toBeLessThanOrEqual(2);
  expect(results.map((r) => r.pid).sort()).not.toEqual([undefined, undefined]);
});
