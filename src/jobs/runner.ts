import crypto from 'node:crypto';
import os from 'node:os';
import cron, { type ScheduledTask } from 'node-cron';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { writeTransaction } from '../db/index.ts';
import { createMailer, type Mailer } from '../mail/sender.ts';
import { setAppUrl } from '../mail/index.ts';
import { messages } from '../i18n/index.ts';
import { notify } from '../notifications/index.ts';
import type { JobContext, JobDefinition } from './registry.ts';
import { previousDue, slotOf } from './schedule.ts';
import { companyTimeZone, DEFAULT_TIME_ZONE } from '../features/company/queries.ts';

/** Minutes to wait before attempt n+1 after n failed attempts of a run; after the last, the run is failed. */
export const JOB_BACKOFF_MINUTES = [1, 5, 15] as const;
const DEFAULT_LEASE_MS = 10 * 60 * 1000;
const POLL_MS = 15 * 1000;
/** At start, a due time missed within this window (the app was down or restarting) is run late rather than skipped. */
export const CATCH_UP_MS = 12 * 60 * 60 * 1000;

/** What the runner and jobs log through (Fastify's logger in the server, console in scripts). */
export interface JobLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export type RunStatus = 'running' | 'queued' | 'retrying' | 'succeeded' | 'failed';

export interface RunnerOptions {
  db: Db;
  config: Pick<Config, 'smtpUrl' | 'mailFrom' | 'appUrl'>;
  jobs: readonly JobDefinition[];
  log?: JobLog;
  /** Overrides the SMTP/outbox mailer (tests). */
  mailer?: Mailer;
  /** Overrides the backoff (tests use seconds, not minutes). */
  backoffMs?: readonly number[];
  /** A name for this process in run history (host:pid:random). */
  holder?: string;
}

interface Claimed {
  id: number;
  job: string;
  slot: string;
  attempts: number;
}

/**
 * Runs the registry's jobs. Every due time is a slot; a process runs a slot only if it inserted the slot's row
 * (INSERT … ON CONFLICT (job, slot) DO NOTHING RETURNING — the same SQL on SQLite and PostgreSQL), so when several
 * processes share the database each due time runs exactly once. The row is the run's history (start, end, status,
 * items, error) and its lease: the holder renews `lease_until` while it works; a row whose lease lapsed (the holder
 * crashed) or whose retry is due is taken over by one process through a conditional UPDATE … RETURNING.
 * A run that throws is retried with backoff; after the last attempt it is failed and the admins are alerted
 * (in-app notification and mail).
 */
export class JobRunner {
  readonly db: Db;
  readonly holder: string;
  readonly mailer: Mailer;
  private readonly jobs: Map<string, JobDefinition>;
  private readonly log: JobLog;
  private readonly backoffMs: readonly number[];
  private readonly config: RunnerOptions['config'];
  private tasks: ScheduledTask[] = [];
  private poller: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private stopping = false;
  private timezone = DEFAULT_TIME_ZONE;

  constructor(opts: RunnerOptions) {
    this.db = opts.db;
    this.config = opts.config;
    this.jobs = new Map(opts.jobs.map((j) => [j.name, j]));
    this.log = opts.log ?? console;
    this.backoffMs = opts.backoffMs ?? JOB_BACKOFF_MINUTES.map((m) => m * 60 * 1000);
    this.holder = opts.holder ?? `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
    this.mailer = opts.mailer ?? createMailer({ smtpUrl: opts.config.smtpUrl, from: opts.config.mailFrom });
    setAppUrl(opts.config.appUrl);
  }

  /** Schedules every job with node-cron in the company's time zone, and polls for retries and lapsed leases. */
  async start(): Promise<void> {
    const timezone = await companyTimeZone(this.db);
    this.timezone = timezone;
    for (const job of this.jobs.values()) {
      this.tasks.push(
        cron.schedule(job.cron, (ctx) => this.fire(this.runSlot(job.name, ctx.date)), { name: `guanxi:${job.name}`, timezone, noOverlap: false }),
      );
    }
    this.poller = setInterval(() => this.fire(this.poll()), POLL_MS);
    this.poller.unref();
    this.fire(this.catchUp());
  }

  /**
   * Runs each job's latest due time of the last 12 hours if no process ran it (its slot row is missing): a restart
   * across Monday 08:00 still produces the weekly reports. Claimed like any slot, so it never runs twice.
   */
  async catchUp(now = new Date(), timeZone = this.timezone): Promise<number> {
    let ran = 0;
    for (const job of this.jobs.values()) {
      if (this.stopping) break;
      const due = previousDue(job.cron, timeZone, now, CATCH_UP_MS);
      if (due && (await this.runSlot(job.name, due)) !== null) ran += 1;
    }
    return ran;
  }

  /** Keeps a run's promise until it settles, so stop() can wait for it. */
  private inflight<T>(p: Promise<T>): Promise<T> {
    const settled: Promise<void> = p.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(settled);
    void settled.finally(() => this.running.delete(settled));
    return p;
  }

  /** For timers: errors are logged, never thrown into the event loop. */
  private fire(p: Promise<unknown>): void {
    p.catch((err: unknown) => this.log.error({ err }, 'job runner error'));
  }

  /**
   * Claims and runs one due time of a job. Returns the run's id, or null when another process (or an earlier call)
   * already has this slot.
   */
  runSlot(name: string, due: Date): Promise<number | null> {
    return this.inflight(this.claimAndRun(name, due));
  }

  private async claimAndRun(name: string, due: Date): Promise<number | null> {
    if (this.stopping || !this.jobs.has(name)) return null;
    const claimed = await this.claim(name, slotOf(due));
    if (!claimed) return null;
    await this.execute(claimed);
    return claimed.id;
  }

  private async claim(job: string, slot: string): Promise<Claimed | null> {
    const now = new Date();
    const row = await this.db
      .insertInto('job_runs')
      .values({ job, slot, status: 'running', attempts: 1, started_at: now.toISOString(), lease_until: this.leaseFrom(job, now), holder: this.holder })
      .onConflict((oc) => oc.columns(['job', 'slot']).doNothing())
      .returning(['id', 'job', 'slot', 'attempts'])
      .executeTakeFirst();
    return row ?? null;
  }

  private leaseFrom(job: string, now: Date): string {
    return new Date(now.getTime() + (this.jobs.get(job)?.leaseMs ?? DEFAULT_LEASE_MS)).toISOString();
  }

  /** "Run now": a queued run that the next poll of any process picks up. */
  static async queueManualRun(db: Db, job: string, userId: number | null): Promise<number> {
    const now = new Date().toISOString();
    const { id } = await db
      .insertInto('job_runs')
      .values({ job, slot: `manual:${now}:${crypto.randomBytes(2).toString('hex')}`, status: 'queued', attempts: 0, started_at: now, next_attempt_at: now, triggered_by: userId })
      .returning('id')
      .executeTakeFirstOrThrow();
    return id;
  }

  /**
   * Takes over runs that are due again: queued (run now), retrying whose backoff has passed, and running whose
   * lease lapsed. Each is claimed by a conditional UPDATE, so only one process gets it. Returns how many it ran.
   */
  poll(now = new Date()): Promise<number> {
    return this.inflight(this.takeOver(now));
  }

  private async takeOver(now: Date): Promise<number> {
    if (this.stopping) return 0;
    const nowIso = now.toISOString();
    const candidates = await this.db
      .selectFrom('job_runs')
      .select(['id', 'job', 'status', 'next_attempt_at', 'lease_until'])
      .where((eb) =>
        eb.or([
          eb.and([eb('status', 'in', ['queued', 'retrying']), eb('next_attempt_at', '<=', nowIso)]),
          eb.and([eb('status', '=', 'running'), eb('lease_until', '<', nowIso)]),
        ]),
      )
      .orderBy('id')
      .limit(20)
      .execute();
    let ran = 0;
    for (const c of candidates) {
      if (this.stopping || !this.jobs.has(c.job)) continue;
      let q = this.db
        .updateTable('job_runs')
        .set({ status: 'running', attempts: (eb) => eb('attempts', '+', 1), started_at: nowIso, finished_at: null, lease_until: this.leaseFrom(c.job, now), next_attempt_at: null, holder: this.holder })
        .where('id', '=', c.id)
        .where('status', '=', c.status);
      q = c.status === 'running' ? q.where('lease_until', '=', c.lease_until) : q.where('next_attempt_at', '=', c.next_attempt_at);
      const claimed = await q.returning(['id', 'job', 'slot', 'attempts']).executeTakeFirst();
      if (!claimed) continue;
      await this.execute(claimed);
      ran += 1;
    }
    return ran;
  }

  private async execute(run: Claimed): Promise<void> {
    const job = this.jobs.get(run.job);
    if (!job) return;
    const leaseMs = job.leaseMs ?? DEFAULT_LEASE_MS;
    // Renew the lease while working, so only a crashed holder's lease lapses.
    const heartbeat = setInterval(() => {
      void this.db.updateTable('job_runs').set({ lease_until: this.leaseFrom(run.job, new Date()) }).where('id', '=', run.id).where('holder', '=', this.holder).execute().catch(() => undefined);
    }, Math.max(1000, Math.floor(leaseMs / 3)));
    heartbeat.unref();
    const ctx: JobContext = { db: this.db, mailer: this.mailer, now: new Date(), slot: run.slot, signal: this.abort.signal, log: this.log };
    try {
      const items = await job.handler(ctx);
      clearInterval(heartbeat);
      if (this.abort.signal.aborted) {
        // Stopped part-way (SIGTERM): every item the job finished is committed; the rest runs again right away in
        // whichever process polls next. Jobs are idempotent per item.
        await this.finish(run, { status: 'retrying', items, error: 'interrupted by shutdown', next: new Date() });
        return;
      }
      await this.finish(run, { status: 'succeeded', items, error: '' });
      this.log.info({ job: run.job, slot: run.slot, items }, 'job run succeeded');
    } catch (err) {
      clearInterval(heartbeat);
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      const wait = this.backoffMs[run.attempts - 1];
      this.log.error({ err, job: run.job, slot: run.slot, attempt: run.attempts }, 'job run failed');
      if (wait !== undefined && !this.abort.signal.aborted) {
        await this.finish(run, { status: 'retrying', items: 0, error, next: new Date(Date.now() + wait) });
      } else if (wait !== undefined) {
        await this.finish(run, { status: 'retrying', items: 0, error, next: new Date() });
      } else {
        await this.finish(run, { status: 'failed', items: 0, error });
        await this.alertAdmins(run, error);
      }
    }
  }

  private async finish(run: Claimed, r: { status: RunStatus; items: number; error: string; next?: Date }): Promise<void> {
    const now = new Date().toISOString();
    await this.db
      .updateTable('job_runs')
      .set({ status: r.status, items: r.items, error: r.error.slice(0, 4000), finished_at: now, lease_until: null, next_attempt_at: r.next ? r.next.toISOString() : null })
      .where('id', '=', run.id)
      .where('holder', '=', this.holder)
      .execute();
  }

  private async alertAdmins(run: Claimed, error: string): Promise<void> {
    const firstLine = error.split('\n')[0] ?? '';
    await writeTransaction(this.db, async (trx) => {
      const admins = await trx.selectFrom('users').select(['id', 'language']).where('role', '=', 'admin').where('active', '=', 1).execute();
      for (const a of admins) {
        const t = messages(a.language);
        const jobName = (t.jobs.names as Record<string, string>)[run.job] ?? run.job;
        await notify(trx, { userId: a.id, kind: 'job_failed', title: t.notifications.messages.jobFailedTitle.replace('{job}', jobName), body: `${run.slot} · ${firstLine}`, link: '/admin/jobs' });
      }
    });
  }

  /**
   * Stops scheduling, tells running jobs to stop between items (their signal aborts), and waits for them: a job
   * commits each item (one report, one mail) in its own transaction, so nothing is left half-written.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.poller) clearInterval(this.poller);
    for (const t of this.tasks) await t.destroy();
    this.tasks = [];
    this.abort.abort();
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    this.mailer.close();
  }
}
