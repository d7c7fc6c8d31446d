import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { inject } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { nowIso, openDatabase, type Db } from '../../src/db/index.ts';
import type { Role } from '../../src/db/types.ts';
import { hashPassword } from '../../src/auth/password.ts';

export const PASSWORD = 'secret-pass-1';
let passwordHash: Promise<string> | undefined;
const hashOnce = () => (passwordHash ??= hashPassword(PASSWORD));

/** A fresh in-memory copy of the migrated template database. */
export function freshDatabase() {
  const template = fs.readFileSync(inject('templateDb'));
  return openDatabase(new Database(template));
}

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  sqlite: Database.Database;
  config: Config;
  close(): Promise<void>;
}

/** The real app on its own database (company already set up unless `setUp: false`). */
export async function testApp(opts: { setUp?: boolean; env?: Record<string, string> } = {}): Promise<TestApp> {
  const database = freshDatabase();
  if (opts.setUp !== false) {
    const now = nowIso();
    await database.db.insertInto('company').values({ id: 1, name: '测试科技有限公司', created_at: now, updated_at: now }).execute();
  }
  const config = loadConfig({ NODE_ENV: 'test', ...opts.env });
  const app = await buildApp({ config, db: database.db, logger: false });
  await app.ready();
  return {
    app,
    db: database.db,
    sqlite: database.sqlite,
    config,
    async close() {
      await app.close();
      await database.close();
    },
  };
}

// ---------- factories ----------
let seq = 0;

export async function newDepartment(db: Db, name: string, parent: { id: number; path: string } | null = null) {
  const now = nowIso();
  const { id } = await db
    .insertInto('departments')
    .values({ name, parent_id: parent?.id ?? null, path: '', created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const path = `${parent?.path ?? '/'}${id}/`;
  await db.updateTable('departments').set({ path }).where('id', '=', id).execute();
  return { id, path, name };
}

export async function newUser(
  db: Db,
  opts: { role?: Role; department?: { id: number } | null; username?: string; displayName?: string; active?: boolean; language?: 'zh-CN' | 'en' } = {},
) {
  seq += 1;
  const now = nowIso();
  const username = opts.username ?? `user${seq}`;
  const { id } = await db
    .insertInto('users')
    .values({
      username,
      display_name: opts.displayName ?? `测试用户${seq}`,
      role: opts.role ?? 'sales_rep',
      department_id: opts.department?.id ?? null,
      active: opts.active === false ? 0 : 1,
      language: opts.language ?? 'zh-CN',
      password_hash: await hashOnce(),
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id, username };
}

// ---------- a browser-like client: cookie jar + CSRF token ----------
export class Client {
  cookies = new Map<string, string>();
  csrf = '';
  constructor(readonly app: FastifyInstance) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: LightMyRequestResponse): LightMyRequestResponse {
    for (const c of res.cookies as { name: string; value: string; expires?: Date; maxAge?: number }[]) {
      const expired = (c.expires && c.expires.getTime() <= Date.now()) || c.maxAge === 0 || c.value === '';
      if (expired) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const m = /name="csrf-token" content="([^"]+)"/.exec(res.body) ?? /name="_csrf" value="([^"]+)"/.exec(res.body);
    if (m?.[1]) this.csrf = m[1];
    return res;
  }

  async get(url: string, headers: Record<string, string> = {}) {
    return this.keep(await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader(), ...headers } }));
  }

  /** Posts a form with the CSRF token (unless `csrf: false`). */
  async post(url: string, form: Record<string, string> = {}, opts: { csrf?: boolean; headers?: Record<string, string> } = {}) {
    if (!this.csrf && opts.csrf !== false) await this.get('/login');
    const body = new URLSearchParams({ ...(opts.csrf === false ? {} : { _csrf: this.csrf }), ...form }).toString();
    return this.keep(
      await this.app.inject({
        method: 'POST',
        url,
        payload: body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookieHeader(), ...opts.headers },
      }),
    );
  }
}

/** Signs in through the real login form and returns the client. */
export async function signIn(app: FastifyInstance, username: string, password = PASSWORD): Promise<Client> {
  const client = new Client(app);
  await client.get('/login');
  const res = await client.post('/login', { username, password });
  if (res.statusCode !== 303) throw new Error(`sign-in as ${username} failed: ${res.statusCode} ${res.body.slice(0, 200)}`);
  return client;
}

/** A small org: a sales centre with two departments (east has a sub-team), one user per role. */
export async function smallOrg(db: Db) {
  const centre = await newDepartment(db, '销售中心');
  const east = await newDepartment(db, '华东销售部', centre);
  const eastTeam = await newDepartment(db, '上海组', east);
  const south = await newDepartment(db, '华南销售部', centre);
  const users = {
    admin: await newUser(db, { role: 'admin', username: 'admin' }),
    gm: await newUser(db, { role: 'general_manager', username: 'gm' }),
    director: await newUser(db, { role: 'sales_director', username: 'director', department: centre }),
    manager1: await newUser(db, { role: 'sales_manager', username: 'manager1', department: east }),
    manager2: await newUser(db, { role: 'sales_manager', username: 'manager2', department: south }),
    rep1: await newUser(db, { role: 'sales_rep', username: 'rep1', department: east }),
    rep2: await newUser(db, { role: 'sales_rep', username: 'rep2', department: eastTeam }),
    rep3: await newUser(db, { role: 'sales_rep', username: 'rep3', department: south }),
  };
  return { departments: { centre, east, eastTeam, south }, users };
}
