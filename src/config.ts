import path from 'node:path';
import { z } from 'zod';
import { ROOT } from './paths.ts';

const bool = z
  .string()
  .optional()
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).optional(),
  COOKIE_SECURE: bool,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: bool,
  SESSION_SECRET: z.string().min(32).optional(),
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().min(3).optional(),
  APP_URL: z.string().url().optional(),
  JOBS: z.enum(['on', 'off']).default('on'),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  dataDir: string;
  databaseFile: string;
  cookieSecure: boolean;
  logLevel: string;
  trustProxy: boolean;
  /** Signs the flash and CSRF cookies. Kept in DATA_DIR when not given, so restarts keep forms valid. */
  cookieSecret: string | undefined;
  /** Extra routes only the benchmark needs. */
  benchRoutes: boolean;
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…:465 (TLS); unset: mail stays in the outbox. */
  smtpUrl: string | undefined;
  /** The From of every mail, e.g. "关系 CRM <crm@example.com>". */
  mailFrom: string;
  /** Where links in mails point, e.g. https://crm.example.com (no trailing slash). */
  appUrl: string;
  /** JOBS=off starts the app without the scheduler (a web-only replica). */
  jobs: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, defaults: { dataDir?: string } = {}): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(ROOT, e.DATA_DIR ?? defaults.dataDir ?? 'data');
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databaseFile: path.join(dataDir, 'guanxi.sqlite'),
    cookieSecure: e.COOKIE_SECURE,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    cookieSecret: e.SESSION_SECRET,
    benchRoutes: env.GUANXI_BENCH === '1',
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM ?? 'Guanxi CRM <crm@localhost>',
    appUrl: (e.APP_URL ?? `http://${e.HOST === '0.0.0.0' ? 'localhost' : e.HOST}:${e.PORT}`).replace(/\/+$/, ''),
    jobs: e.JOBS === 'on',
  };
}
