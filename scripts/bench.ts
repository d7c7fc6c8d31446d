// npm run bench -- [--connections N] [--duration S] [--warmup S] [--only /path ...]
//
// Measures the app on the large generated dataset against a bare Fastify route, with autocannon.
// The dataset lives in data/bench/ and is generated once, then reused until the migrations (or SEED_VERSION) change.
// The app and the bare server each run in their own child process, so autocannon never shares their event loop.
// Prints requests/s, p50 and p99 latency and each page's throughput as a share of the bare route's,
// and writes the same figures to data/bench/last-result.json.
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import type { Result } from 'autocannon';
import { ROOT } from '../src/paths.ts';
import { openDatabase } from '../src/db/index.ts';
import { listMigrationNames, migrateToLatest } from '../src/db/migrate.ts';
import { DEMO_PASSWORD, seedDemo } from './seed/index.ts';

/**
 * The pages measured. Each module adds its own: the path, and the demo login to sign in as (null: anonymous).
 * `:customerId` / `:opportunityId` in a path become the id of the newest customer / deal that user owns in the dataset;
 * `:quoteId` becomes that user's longest quote (two PDF pages in the large dataset). `connections` overrides
 * --connections for one page (e.g. a PDF measured at the concurrency its budget is stated for).
 */
const PAGES: { path: string; user: string | null; connections?: number }[] = [
  { path: '/login', user: null },
  { path: '/', user: 'admin' },
  { path: '/admin/users', user: 'admin' },
  { path: '/customers', user: 'rep1' },
  { path: '/customers?q=华为', user: 'rep1' },
  { path: '/customers', user: 'director' },
  { path: '/customers?q=华为', user: 'director' },
  { path: '/search?q=华为', user: 'director' },
  { path: '/search?q=深圳', user: 'manager1' },
  { path: '/customers/:customerId', user: 'rep1' },
  { path: '/contacts', user: 'rep1' },
  { path: '/leads', user: 'rep1' },
  { path: '/calendar?view=week', user: 'rep1' },
  { path: '/', user: 'rep1' },
  { path: '/', user: 'manager1' },
  { path: '/opportunities', user: 'rep1' },
  { path: '/opportunities/board', user: 'rep1' },
  { path: '/opportunities/:opportunityId', user: 'rep1' },
  { path: '/opportunities/overview', user: 'rep1' },
  { path: '/opportunities/overview', user: 'director' },
  { path: '/opportunities/board', user: 'manager1' },
  { path: '/opportunities/at-risk', user: 'manager1' },
  { path: '/opportunities/at-risk?kind=amount', user: 'manager1' },
  { path: '/pipeline', user: 'director' },
  { path: '/pipeline?scope=department::departmentId', user: 'manager1' },
  { path: '/pipeline', user: 'rep1' },
  { path: '/quotes/:quoteId.pdf', user: 'rep1', connections: 4 },
  { path: '/reports/work', user: 'manager1' },
  { path: '/notifications', user: 'rep1' },
];

/** Fills `:customerId` from the dataset, so the page shows a real, populated customer of that user. */
async function resolvePath(pagePath: string, user: string | null): Promise<string> {
  if (pagePath.includes(':departmentId')) {
    const database = openDatabase(DB_FILE);
    try {
      const row = await database.db.selectFrom('users').select('department_id').where('username', '=', user ?? '').executeTakeFirst();
      if (!row?.department_id) throw new Error(`${pagePath}: ${user} has no department in the dataset`);
      return encodeURI(pagePath.replace(':departmentId', String(row.department_id)));
    } finally {
      await database.close();
    }
  }
  if (pagePath.includes(':quoteId')) {
    const database = openDatabase(DB_FILE);
    try {
      const row = await database.db
        .selectFrom('quotes as q')
        .innerJoin('users as u', 'u.id', 'q.owner_id')
        .innerJoin('quote_lines as l', 'l.quote_id', 'q.id')
        .select(['q.id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('u.username', '=', user ?? '')
        .groupBy('q.id')
        .orderBy('n', 'desc')
        .orderBy('q.id', 'desc')
        .executeTakeFirst();
      if (!row) throw new Error(`${pagePath}: ${user} owns no quotes in the dataset`);
      return encodeURI(pagePath.replace(':quoteId', String(row.id)));
    } finally {
      await database.close();
    }
  }
  const param = pagePath.includes(':customerId') ? ':customerId' : pagePath.includes(':opportunityId') ? ':opportunityId' : null;
  if (!param) return encodeURI(pagePath);
  const table = param === ':customerId' ? 'customers' : 'opportunities';
  const database = openDatabase(DB_FILE);
  try {
    const row = await database.db
      .selectFrom(`${table} as r` as 'customers as r')
      .innerJoin('users as u', 'u.id', 'r.owner_id')
      .select('r.id')
      .where('u.username', '=', user ?? '')
      .orderBy('r.id', 'desc')
      .executeTakeFirst();
    if (!row) throw new Error(`${pagePath}: ${user} owns no ${table} in the dataset`);
    return encodeURI(pagePath.replace(param, String(row.id)));
  } finally {
    await database.close();
  }
}

/** Bump when the generated data changes in a way the migration names do not show (e.g. a seeder now makes more rows). */
const SEED_VERSION = 4;

/** Node flags of the app in production: a larger young generation (fewer scavenges under load; docs/decisions/0017). */
const APP_NODE_FLAGS = ['--max-semi-space-size=32'];

/** The app's own cheapest route (GUANXI_BENCH=1): every app hook, no page. Separates framework cost from page cost. */
const APP_FLOOR_PATH = '/__bench/ping';

const HOST = '127.0.0.1';
const BENCH_DIR = path.join(ROOT, 'data', 'bench');
const DB_FILE = path.join(BENCH_DIR, 'guanxi.sqlite');
const MARKER_FILE = path.join(BENCH_DIR, 'dataset.json');
const RESULT_FILE = path.join(BENCH_DIR, 'last-result.json');
const STARTUP_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_S = 10;
const OUTPUT_KEEP_CHARS = 200_000;

// ---------------------------------------------------------------------------------------------- options

interface Options {
  connections: number;
  duration: number;
  warmup: number;
  only: string[];
}

const USAGE = 'usage: npm run bench -- [--connections N] [--duration S] [--warmup S] [--only /path ...]';

function parseArgs(argv: string[]): Options {
  const opts: Options = { connections: 10, duration: 10, warmup: 2, only: [] };
  const int = (flag: string, v: string | undefined, min: number, max: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < min || n > max) throw new Error(`${flag} takes a whole number from ${min} to ${max}\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--connections':
      case '-c':
        opts.connections = int('--connections', value(), 1, 1000);
        break;
      case '--duration':
      case '-d':
        opts.duration = int('--duration', value(), 1, 600);
        break;
      case '--warmup':
        opts.warmup = int('--warmup', value(), 0, 60);
        break;
      case '--only': {
        const p = value();
        if (!p || !p.startsWith('/')) throw new Error(`--only takes a path starting with /\n${USAGE}`);
        opts.only.push(p);
        break;
      }
      case '--help':
      case '-h':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${arg}\n${USAGE}`);
    }
  }
  return opts;
}

// ---------------------------------------------------------------------------------------------- dataset

interface DatasetInfo {
  hash: string;
  seedVersion: number;
  migrations: string[];
  generatedAt: string;
}

/** Generates data/bench/ when its marker is missing or stale; otherwise reuses it. */
async function prepareDataset(): Promise<DatasetInfo & { generated: boolean }> {
  const migrations = await listMigrationNames();
  const hash = crypto.createHash('sha256').update(JSON.stringify({ migrations, seedVersion: SEED_VERSION })).digest('hex').slice(0, 16);
  let marker: Partial<DatasetInfo> | null = null;
  try {
    marker = JSON.parse(fs.readFileSync(MARKER_FILE, 'utf8')) as Partial<DatasetInfo>;
  } catch {
    marker = null;
  }
  if (marker?.hash === hash && fs.existsSync(DB_FILE)) {
    console.error(`dataset: reusing ${path.relative(ROOT, BENCH_DIR)}/ (${hash})`);
    return { hash, seedVersion: SEED_VERSION, migrations, generatedAt: String(marker.generatedAt ?? ''), generated: false };
  }

  // Never delete anything but our own folder.
  if (path.relative(ROOT, BENCH_DIR) !== path.join('data', 'bench')) throw new Error(`refusing to delete ${BENCH_DIR}`);
  console.error(`dataset: ${marker ? `stale (${String(marker.hash)} ≠ ${hash})` : 'missing'}; generating the large dataset into ${path.relative(ROOT, BENCH_DIR)}/ …`);
  const t0 = Date.now();
  fs.rmSync(BENCH_DIR, { recursive: true, force: true });
  fs.mkdirSync(BENCH_DIR, { recursive: true });
  const database = openDatabase(DB_FILE);
  try {
    await migrateToLatest(database.db);
    await seedDemo(database, 'large');
  } finally {
    await database.close();
  }
  // The marker is written last, so an interrupted generation is redone next time.
  const info: DatasetInfo = { hash, seedVersion: SEED_VERSION, migrations, generatedAt: new Date().toISOString() };
  fs.writeFileSync(MARKER_FILE, JSON.stringify(info, null, 2) + '\n');
  console.error(`dataset: generated in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { ...info, generated: true };
}

// ---------------------------------------------------------------------------------------------- child processes

interface Child {
  name: string;
  proc: ChildProcess;
  base: string;
  exited: Promise<void>;
  output(): string;
}

const children = new Set<Child>();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const isAlive = (proc: ChildProcess) => proc.exitCode === null && proc.signalCode === null;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error('could not find a free port'))));
    });
  });
}

/** Starts `node --import tsx <script>` on 127.0.0.1:<free port>, keeping the tail of its output for error reports. */
async function startChild(name: string, script: string, env: Record<string, string>): Promise<Child> {
  const port = await freePort();
  // BENCH_PROFILE=1: the app writes a V8 CPU profile of the whole run to data/bench/profiles (open it in Chrome DevTools).
  const profile = name === 'app' && process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', path.join(BENCH_DIR, 'profiles')] : [];
  // The app runs with the flags it runs with in production (package.json "start", Dockerfile).
  const nodeFlags = name === 'app' ? APP_NODE_FLAGS : [];
  const proc = spawn(process.execPath, [...nodeFlags, ...profile, '--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (chunk: Buffer) => {
    out += chunk.toString('utf8');
    if (out.length > OUTPUT_KEEP_CHARS) out = out.slice(-OUTPUT_KEEP_CHARS / 2);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    proc.once('exit', () => resolve());
    proc.once('error', (err) => {
      out += `\nspawn failed: ${err.message}`;
      resolve();
    });
  });
  const child: Child = { name, proc, base: `http://${HOST}:${port}`, exited, output: () => out };
  children.add(child);
  return child;
}

async function waitHealthy(child: Child, healthPath: string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    if (!isAlive(child.proc)) throw new Error(`${child.name} exited during startup (code ${child.proc.exitCode}):\n${child.output().slice(-4000)}`);
    try {
      const res = await fetch(target(child, healthPath), { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(200);
  }
  throw new Error(`${child.name} not healthy after ${STARTUP_TIMEOUT_MS / 1000} s (${last}):\n${child.output().slice(-4000)}`);
}

async function stopChild(child: Child): Promise<void> {
  if (isAlive(child.proc)) {
    child.proc.kill('SIGTERM');
    await Promise.race([child.exited, sleep(STOP_TIMEOUT_MS)]);
    if (isAlive(child.proc)) {
      console.error(`${child.name} did not exit ${STOP_TIMEOUT_MS / 1000} s after SIGTERM; killing it`);
      child.proc.kill('SIGKILL');
      await Promise.race([child.exited, sleep(STOP_TIMEOUT_MS)]);
    }
  }
  children.delete(child);
}

async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => stopChild(c)));
}

// Last resort: never leave a server behind, whatever happens to this process.
process.on('exit', () => {
  for (const c of children) if (isAlive(c.proc)) c.proc.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the servers`);
    void stopAll().finally(() => process.exit(130));
  });
}

/** Every URL the bench touches is built here, and only ever points at 127.0.0.1. */
function target(child: Child, urlPath: string): string {
  const url = new URL(urlPath, child.base);
  if (url.hostname !== HOST) throw new Error(`refusing a non-local target: ${url.href}`);
  return url.href;
}

// ---------------------------------------------------------------------------------------------- signing in

interface SignedIn {
  user: string;
  /** `guanxi_session=…`, sent with every request. */
  sessionCookie: string;
  /** The CSRF cookie(s) and token from the login page, reused to sign out at the end. */
  csrfCookies: string[];
  csrfToken: string;
}

/** `name=value` pairs from Set-Cookie headers whose name matches, the last one per name winning. Cleared cookies are skipped. */
function cookiePairs(setCookies: string[], name: RegExp): string[] {
  const byName = new Map<string, string>();
  for (const header of setCookies) {
    const pair = header.split(';', 1)[0]!.trim();
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const key = pair.slice(0, eq);
    if (!name.test(key)) continue;
    if (pair.length === eq + 1) byName.delete(key);
    else byName.set(key, pair);
  }
  return [...byName.values()];
}

function decodeAttr(v: string): string {
  return v.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

async function signIn(app: Child, user: string): Promise<SignedIn> {
  const page = await fetch(target(app, '/login'), { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`GET /login: expected 200, got ${page.status}`);
  const csrfCookies = cookiePairs(page.headers.getSetCookie(), /^(__Host-)?guanxi_csrf$/);
  const match = /<input type="hidden" name="_csrf" value="([^"]*)">/.exec(html);
  if (csrfCookies.length === 0) throw new Error('GET /login set no guanxi_csrf cookie');
  if (!match?.[1]) throw new Error('GET /login: no _csrf hidden input in the page');
  const csrfToken = decodeAttr(match[1]);

  const res = await fetch(target(app, '/login'), {
    method: 'POST',
    redirect: 'manual',
    signal: AbortSignal.timeout(30_000),
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookies.join('; ') },
    body: new URLSearchParams({ username: user, password: DEMO_PASSWORD, _csrf: csrfToken }).toString(),
  });
  const body = await res.text();
  if (res.status !== 303) throw new Error(`POST /login as ${user}: expected 303, got ${res.status}\n${body.slice(0, 1000)}`);
  const [sessionCookie] = cookiePairs(res.headers.getSetCookie(), /^(__Host-)?guanxi_session$/);
  if (!sessionCookie) throw new Error(`POST /login as ${user}: the 303 set no guanxi_session cookie`);
  return { user, sessionCookie, csrfCookies, csrfToken };
}

/** Ends the bench sessions, so runs do not pile sessions up in the bench database. Best effort. */
async function signOut(app: Child, s: SignedIn): Promise<void> {
  try {
    const res = await fetch(target(app, '/logout'), {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [s.sessionCookie, ...s.csrfCookies].join('; ') },
      body: new URLSearchParams({ _csrf: s.csrfToken }).toString(),
    });
    await res.arrayBuffer();
    if (res.status !== 303) console.error(`warning: POST /logout as ${s.user} answered ${res.status}`);
  } catch (err) {
    console.error(`warning: POST /logout as ${s.user} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function verify(child: Child, urlPath: string, headers: Record<string, string>, who: string): Promise<void> {
  const res = await fetch(target(child, urlPath), { headers, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
  const body = await res.text();
  if (res.status !== 200) {
    const where = res.headers.get('location');
    const title = /<title>([^<]*)<\/title>/.exec(body)?.[1];
    throw new Error(`GET ${urlPath} as ${who}: expected 200, got ${res.status}${where ? ` → ${where}` : ''}${title ? ` (page title: ${title.trim()})` : `\n${body.slice(0, 500)}`}`);
  }
}

// ---------------------------------------------------------------------------------------------- measuring

interface Row {
  name: string;
  path: string;
  user: string | null;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  ratioToBare: number;
  totalRequests: number;
  bytesPerSec: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

async function measure(opts: Options, child: Child, urlPath: string, headers: Record<string, string>, label: string, connections = opts.connections): Promise<Result> {
  const url = target(child, urlPath);
  const run = (duration: number) => autocannon({ url, connections, duration, headers, timeout: REQUEST_TIMEOUT_S });
  process.stderr.write(`  ${label.padEnd(34)} `);
  if (opts.warmup > 0) {
    process.stderr.write(`warm-up ${opts.warmup} s… `);
    await run(opts.warmup);
  }
  process.stderr.write(`measuring ${opts.duration} s… `);
  const result = await run(opts.duration);
  process.stderr.write(`${result.requests.average.toFixed(0)} req/s\n`);
  return result;
}

function toRow(name: string, urlPath: string, user: string | null, r: Result, bareRps: number): Row {
  return {
    name,
    path: urlPath,
    user,
    requestsPerSec: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    ratioToBare: bareRps > 0 ? r.requests.average / bareRps : 0,
    totalRequests: r.requests.total,
    bytesPerSec: r.throughput.average,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

/** autocannon records latency in whole milliseconds, so a p50 of 0 means under 1 ms. */
const fmtMs = (ms: number) => (Number.isInteger(ms) ? String(ms) : ms.toFixed(1));
const fmtRps = (n: number) => Math.round(n).toLocaleString('en-US');
const fmtPct = (x: number) => `${(x * 100).toFixed(1)}%`;

function table(rows: Row[]): string {
  const head = ['route', 'user', 'req/s', 'p50 ms', 'p99 ms', 'vs bare', 'non-2xx', 'errors'];
  const right = [false, false, true, true, true, true, true, true];
  const body = rows.map((r) => [r.name, r.user ?? '—', fmtRps(r.requestsPerSec), fmtMs(r.p50Ms), fmtMs(r.p99Ms), fmtPct(r.ratioToBare), String(r.non2xx), String(r.errors + r.timeouts)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** Warn-or-worse log lines the app printed (pino JSON at LOG_LEVEL=warn), for the report. */
function serverComplaints(output: string): string[] {
  return output
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, 10_000);
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const pages = opts.only.length ? PAGES.filter((p) => opts.only.includes(p.path)) : PAGES;
  const measureFloor = opts.only.length === 0 || opts.only.includes(APP_FLOOR_PATH);
  const unknown = opts.only.filter((p) => p !== APP_FLOOR_PATH && !PAGES.some((pg) => pg.path === p));
  if (unknown.length) throw new Error(`--only: not in the page list: ${unknown.join(', ')} (known: ${PAGES.map((p) => p.path).join(', ')})`);

  const dataset = await prepareDataset();
  const urls = new Map<string, string>();
  const key = (p: { path: string; user: string | null }) => `${p.user ?? ''}|${p.path}`;
  for (const p of pages) urls.set(key(p), await resolvePath(p.path, p.user));
  const url = (p: { path: string; user: string | null }) => urls.get(key(p))!;
  const startedAt = new Date();

  console.error('starting the servers…');
  const [bare, app] = await Promise.all([
    startChild('bench-bare', path.join('scripts', 'bench-bare.ts'), {}),
    // Pages only: the scheduled jobs (catching up on reports and digests at start-up) would run amid the measurement.
    startChild('app', path.join('src', 'server.ts'), { DATA_DIR: BENCH_DIR, NODE_ENV: 'production', LOG_LEVEL: 'warn', GUANXI_BENCH: '1', JOBS: 'off' }),
  ]);
  const sessions: SignedIn[] = [];
  try {
    await Promise.all([waitHealthy(bare, '/healthz'), waitHealthy(app, '/healthz')]);

    // Sign in once per user, then check every page answers 200 before spending time measuring anything.
    const users = [...new Set(pages.map((p) => p.user).filter((u): u is string => u !== null))];
    for (const user of users) sessions.push(await signIn(app, user));
    const headersFor = (user: string | null): Record<string, string> => {
      if (user === null) return {};
      const s = sessions.find((x) => x.user === user);
      if (!s) throw new Error(`no session for ${user}`);
      // Every cookie a browser would hold: the session and the CSRF secret (without it each page mints a new one).
      return { cookie: [s.sessionCookie, ...s.csrfCookies].join('; ') };
    };
    await verify(bare, '/', {}, 'anonymous');
    if (measureFloor) await verify(app, APP_FLOOR_PATH, {}, 'anonymous');
    for (const p of pages) await verify(app, url(p), headersFor(p.user), p.user ?? 'anonymous');

    console.error(`measuring: ${opts.connections} connections, ${opts.warmup} s warm-up + ${opts.duration} s per route`);
    const bareResult = await measure(opts, bare, '/', {}, 'bare Fastify GET /');
    const bareRps = bareResult.requests.average;
    const rows: Row[] = [toRow('bare fastify', '/', null, bareResult, bareRps)];
    if (measureFloor) {
      rows.push(toRow(`${APP_FLOOR_PATH} (app floor)`, APP_FLOOR_PATH, null, await measure(opts, app, APP_FLOOR_PATH, {}, APP_FLOOR_PATH), bareRps));
    }
    for (const p of pages) {
      const r = await measure(opts, app, url(p), headersFor(p.user), `${p.path} (${p.user ?? 'anonymous'}${p.connections ? `, ${p.connections} conn.` : ''})`, p.connections);
      rows.push(toRow(p.connections ? `${p.path} @${p.connections}` : p.path, url(p), p.user, r, bareRps));
    }

    const finishedAt = new Date();
    const complaints = serverComplaints(app.output());

    const cpu = os.cpus();
    const result = {
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      commit: gitCommit(),
      node: process.version,
      cpu: `${cpu.length} × ${cpu[0]?.model ?? 'unknown'}`,
      settings: { connections: opts.connections, durationSec: opts.duration, warmupSec: opts.warmup, pipelining: 1 },
      dataset: { dir: path.relative(ROOT, BENCH_DIR), hash: dataset.hash, seedVersion: dataset.seedVersion, generatedAt: dataset.generatedAt },
      results: rows,
      serverLogLines: complaints.length,
    };
    fs.writeFileSync(RESULT_FILE, JSON.stringify(result, null, 2) + '\n');

    console.log('');
    console.log(`Guanxi bench · ${result.commit ?? 'no commit'} · node ${process.version} · ${result.cpu}`);
    console.log(`${opts.connections} connections · ${opts.warmup} s warm-up + ${opts.duration} s per route · dataset ${dataset.hash} (large) · latency in whole ms`);
    console.log('');
    console.log(table(rows));
    console.log('');
    console.log(`written to ${path.relative(ROOT, RESULT_FILE)}`);

    const bad = rows.filter((r) => r.non2xx > 0 || r.errors > 0 || r.timeouts > 0);
    for (const r of bad) console.error(`FAILED: ${r.name}: ${r.non2xx} non-2xx responses, ${r.errors} errors, ${r.timeouts} timeouts during the run`);
    if (complaints.length) {
      console.error(`\nthe app logged ${complaints.length} line(s) at warn or above; the first ones:`);
      for (const l of complaints.slice(0, 5)) console.error(`  ${l.slice(0, 500)}`);
    }
    if (bad.length) process.exitCode = 1;
  } finally {
    if (isAlive(app.proc)) for (const s of sessions) await signOut(app, s);
    await stopAll();
  }
}

main().catch(async (err: unknown) => {
  console.error(`\nbench failed: ${err instanceof Error ? err.message : String(err)}`);
  await stopAll();
  process.exit(1);
});
