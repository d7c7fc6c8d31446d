import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { nowIso, openDatabase, type Database_ } from '../../src/db/index.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { JobRunner } from '../../src/jobs/runner.ts';
import type { JobDefinition } from '../../src/jobs/registry.ts';
import { createMailer } from '../../src/mail/sender.ts';
import { newUser, signIn } from '../helpers/app.ts';

const quiet = { info() {}, warn() {}, error() {} };
const config = loadConfig({ NODE_ENV: 'test' });
const outbox = () => createMailer({ smtpUrl: undefined, from: 'crm@example.com' });

describe('the job runner on one database file shared by two app instances', () => {
  let dir: string;
  let a: Database_;
  let b: Database_;
  let apps: FastifyInstance[];
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guanxi-jobs-'));
    const file = path.join(dir, 'guanxi.sqlite');
    a = openDatabase(file);
    await migrateToLatest(a.db);
    await a.db.insertInto('company').values({ id: 1, name: '测试科技', created_at: nowIso(), updated_at: nowIso() }).execute();
    b = openDatabase(file);
    apps = [await buildApp({ config, db: a.db, logger: false }), await buildApp({ config, db: b.db, logger: false })];
  });
  afterEach(async () => {
    for (const app of apps) await app.close();
    await a.close();
    await b.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs a due job exactly once although both instances fire for the same due times', async () => {
    const ran: string[] = [];
    const job = (who: string): JobDefinition => ({
      name: 'count',
      cron: '* * * * *',
      handler: async ({ slot }) => {
        ran.push(`${who}@${slot}`);
        await new Promise((r) => setTimeout(r, 5));
        return 1;
      },
    });
    const ra = new JobRunner({ db: a.db, config, jobs: [job('a')], log: quiet, mailer: outbox() });
    const rb = new JobRunner({ db: b.db, config, jobs: [job('b')], log: quiet, mailer: outbox() });
    const base = Date.parse('2026-11-30T00:00:00.000Z');
    const dues = Array.from({ length: 10 }, (_, i) => new Date(base + i * 60_000 + 123)); // cron fires a little late
    const results = await Promise.all(dues.flatMap((d) => [ra.runSlot('count', d), rb.runSlot('count', d)]));

    expect(ran).toHaveLength(10);
    expect(new Set(ran.map((r) => r.split('@')[1])).size).toBe(10);
    expect(results.filter((r) => r !== null)).toHaveLength(10);
    const rows = await a.db.selectFrom('job_runs').selectAll().where('job', '=', 'count').orderBy('slot').execute();
    expect(rows).toHaveLength(10);
    expect(rows.every((r) => r.status === 'succeeded' && r.items === 1 && r.attempts === 1 && r.finished_at !== null)).toBe(true);
    expect(rows[0]!.slot).toBe('2026-11-30T00:00:00.000Z');
    // Both processes took part (the claim went to whichever inserted first).
    expect(new Set(rows.map((r) => r.holder)).size).toBeGreaterThanOrEqual(1);
    await ra.stop();
    await rb.stop();
  });

  it('a crashed holder’s lease lapses and one other instance takes the run over', async () => {
    let runs = 0;
    const job: JobDefinition = { name: 'count', cron: '0 8 * * 1', handler: async () => ++runs };
    const past = new Date(Date.now() - 60_000).toISOString();
    await a.db.insertInto('job_runs').values({ job: 'count', slot: '2026-11-30T00:00:00.000Z', status: 'running', attempts: 1, started_at: past, lease_until: past, holder: 'crashed-host:1' }).execute();
    const ra = new JobRunner({ db: a.db, config, jobs: [job], log: quiet, mailer: outbox() });
    const rb = new JobRunner({ db: b.db, config, jobs: [job], log: quiet, mailer: outbox() });
    // The same slot cannot be claimed anew…
    expect(await ra.runSlot('count', new Date('2026-11-30T00:00:00.000Z'))).toBeNull();
    // …but its lapsed lease is taken over by exactly one of the two.
    const [x, y] = await Promise.all([ra.poll(), rb.poll()]);
    expect(x + y).toBe(1);
    expect(runs).toBe(1);
    const row = await a.db.selectFrom('job_runs').selectAll().executeTakeFirstOrThrow();
    expect(row.status).toBe('succeeded');
    expect(row.attempts).toBe(2);
    expect(row.holder).not.toBe('crashed-host:1');
    await ra.stop();
    await rb.stop();
  });
  it('start() schedules the registry with node-cron; its ticks claim the due minute once, stop() ends them', async () => {
    let runs = 0;
    // Six fields: node-cron fires every second; every tick in one minute is the same slot.
    const job: JobDefinition = { name: 'tick', cron: '* * * * * *', handler: async () => ++runs };
    const ra = new JobRunner({ db: a.db, config, jobs: [job], log: quiet, mailer: outbox() });
    const rb = new JobRunner({ db: b.db, config, jobs: [job], log: quiet, mailer: outbox() });
    await ra.start();
    await rb.start();
    await new Promise((r) => setTimeout(r, 2500));
    await ra.stop();
    await rb.stop();
    const rows = await a.db.selectFrom('job_runs').selectAll().where('job', '=', 'tick').execute();
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.length).toBeLessThanOrEqual(2); // 2 only if the wait crossed a minute boundary
    expect(runs).toBe(rows.length);
    const after = runs;
    await new Promise((r) => setTimeout(r, 1200));
    expect(runs).toBe(after);
  });
});

describe('catching up after a restart', () => {
  it('runs each job’s latest due time of the last 12 hours once, if no process ran it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guanxi-jobs-'));
    const database = openDatabase(path.join(dir, 'guanxi.sqlite'));
    await migrateToLatest(database.db);
    const ran: string[] = [];
    const job = (name: string, cron: string): JobDefinition => ({ name, cron, handler: async ({ slot }) => (ran.push(`${name}@${slot}`), 1) });
    const jobs = [job('weekly', '0 8 * * 1'), job('nightly', '0 2 * * *'), job('monthly', '0 8 1 * *'), job('minutely', '* * * * *')];
    const runner = new JobRunner({ db: database.db, config, jobs, log: quiet, mailer: outbox() });
    // Monday 2026-11-30 10:00:30 in Shanghai: the process was down at 08:00 and 02:00.
    const now = new Date('2026-11-30T02:00:30.000Z');
    const t0 = performance.now();
    expect(await runner.catchUp(now, 'Asia/Shanghai')).toBe(3);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(ran.sort()).toEqual(['minutely@2026-11-30T02:00:00.000Z', 'nightly@2026-11-29T18:00:00.000Z', 'weekly@2026-11-30T00:00:00.000Z']);
    expect(await runner.catchUp(now, 'Asia/Shanghai')).toBe(0);
    await runner.stop();
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('retries and failure', () => {
  let dir: string;
  let database: Database_;
  let app: FastifyInstance;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guanxi-jobs-'));
    database = openDatabase(path.join(dir, 'guanxi.sqlite'));
    await migrateToLatest(database.db);
    await database.db.insertInto('company').values({ id: 1, name: '测试科技', created_at: nowIso(), updated_at: nowIso() }).execute();
    app = await buildApp({ config, db: database.db, logger: false });
  });
  afterEach(async () => {
    await app.close();
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a job that throws is retried with backoff, then shown as failed and the admins are alerted', async () => {
    const { db } = database;
    const admin = await newUser(db, { role: 'admin', username: 'admin' });
    await db.updateTable('users').set({ email: 'admin@example.com' }).where('id', '=', admin.id).execute();
    let calls = 0;
    const job: JobDefinition = {
      name: 'customers-pool',
      cron: '0 2 * * *',
      handler: async () => {
        calls += 1;
        throw new Error(`数据库不可用 (attempt ${calls})`);
      },
    };
    const runner = new JobRunner({ db, config, jobs: [job], log: quiet, mailer: outbox(), backoffMs: [1000, 2000] });
    await runner.runSlot('customers-pool', new Date('2026-11-27T18:00:00.000Z'));
    let row = await db.selectFrom('job_runs').selectAll().executeTakeFirstOrThrow();
    expect(row.status).toBe('retrying');
    expect(row.error).toContain('attempt 1');
    // Not yet: the backoff has not passed.
    expect(await runner.poll(new Date())).toBe(0);
    expect(await runner.poll(new Date(Date.parse(row.next_attempt_at!) + 1))).toBe(1);
    row = await db.selectFrom('job_runs').selectAll().executeTakeFirstOrThrow();
    expect(row.status).toBe('retrying');
    expect(row.attempts).toBe(2);
    expect(await runner.poll(new Date(Date.parse(row.next_attempt_at!) + 1))).toBe(1);
    row = await db.selectFrom('job_runs').selectAll().executeTakeFirstOrThrow();
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(3);
    expect(calls).toBe(3);
    expect(row.error).toContain('attempt 3');
    // No more attempts.
    expect(await runner.poll(new Date(Date.now() + 3600_000))).toBe(0);

    const notes = await db.selectFrom('notifications').selectAll().where('user_id', '=', admin.id).execute();
    expect(notes).toHaveLength(1);
    expect(notes[0]!.kind).toBe('job_failed');
    expect(notes[0]!.title).toContain('公海回收');
    expect(notes[0]!.link).toBe('/admin/jobs');
    const mail = await db.selectFrom('mail_messages').selectAll().where('to_address', '=', 'admin@example.com').execute();
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toContain('公海回收');

    const client = await signIn(app, 'admin');
    const page = await client.get('/admin/jobs');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('失败');
    expect(page.body).toContain('数据库不可用 (attempt 3)');
    await runner.stop();
  });

  it('a job that throws once succeeds on its retry', async () => {
    let calls = 0;
    const job: JobDefinition = { name: 'flaky', cron: '0 2 * * *', handler: async () => (++calls === 1 ? Promise.reject(new Error('busy')) : 7) };
    const runner = new JobRunner({ db: database.db, config, jobs: [job], log: quiet, mailer: outbox(), backoffMs: [0] });
    await runner.runSlot('flaky', new Date());
    await runner.poll(new Date(Date.now() + 10));
    const row = await database.db.selectFrom('job_runs').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'succeeded', attempts: 2, items: 7, error: '' });
    await runner.stop();
  });

  it('stop() (SIGTERM) waits for the running job, which stops between items; the rest runs on the next poll', async () => {
    const { db } = database;
    const done: number[] = [];
    const job: JobDefinition = {
      name: 'batch',
      cron: '0 2 * * *',
      handler: async ({ signal }) => {
        let n = 0;
        for (let i = 1; i <= 5; i++) {
          if (signal.aborted) break;
          if (done.includes(i)) continue;
          await new Promise((r) => setTimeout(r, 20));
          done.push(i);
          n += 1;
        }
        return n;
      },
    };
    const first = new JobRunner({ db, config, jobs: [job], log: quiet, mailer: outbox() });
    const running = first.runSlot('batch', new Date());
    await new Promise((r) => setTimeout(r, 30));
    await first.stop();
    await running;
    const stopped = await db.selectFrom('job_runs').selectAll().executeTakeFirstOrThrow();
    expect(stopped.status).toBe('retrying');
    expect(stopped.error).toBe('interrupted by shutdown');
    expect(done.length).toBeGreaterThan(0);
    expect(done.length).toBeLessThan(5);
    const second = new JobRunner({ db, config, jobs: [job], log: quiet, mailer: outbox() });
    expect(await second.poll()).toBe(1);
    expect(done).toEqual([1, 2, 3, 4, 5]);
    expect((await db.selectFrom('job_runs').select('status').executeTakeFirstOrThrow()).status).toBe('succeeded');
    await second.stop();
  });
});
