import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { Config } from './config.ts';
import type { Db } from './db/index.ts';
import { PUBLIC_DIR } from './paths.ts';
import { closePdfWorkers } from './pdf/pool.ts';
import security from './plugins/security.ts';
import session from './plugins/session.ts';
import views from './plugins/views.ts';
import errors from './plugins/errors.ts';
import { requireAdmin, requireSignIn } from './plugins/guards.ts';
import authRoutes from './auth/routes.ts';
import { isSetUp } from './auth/commands.ts';
import healthRoutes from './features/health/routes.ts';
import homeRoutes from './features/home/routes.ts';
import meRoutes from './features/me/routes.ts';
import searchRoutes from './features/search/routes.ts';
import companyRoutes, { companyLogoRoutes } from './features/company/routes.ts';
import departmentRoutes from './features/departments/routes.ts';
import userRoutes from './features/users/routes.ts';
import auditRoutes from './features/audit/routes.ts';
import customersRoutes from './features/customers/routes.ts';
import contactsRoutes from './features/contacts/routes.ts';
import leadsRoutes from './features/leads/routes.ts';
import activitiesRoutes from './features/activities/routes.ts';
import importsRoutes from './features/imports/routes.ts';
import pipelinesRoutes from './features/pipelines/routes.ts';
import opportunitiesRoutes from './features/opportunities/routes.ts';
import boardRoutes from './features/board/routes.ts';
import decisionTreeRoutes from './features/decision-tree/routes.ts';
import pipelineAnalyticsRoutes from './features/pipeline-analytics/routes.ts';
import alertsRoutes from './features/alerts/routes.ts';
import productsRoutes from './features/products/routes.ts';
import quotesRoutes, { quoteSettingsRoutes } from './features/quotes/routes.ts';
import jobsAdminRoutes from './features/jobs-admin/routes.ts';
import outboxRoutes from './features/outbox/routes.ts';
import notificationsRoutes from './features/notifications/routes.ts';
import workReportsRoutes from './features/work-reports/routes.ts';

export interface AppDeps {
  config: Config;
  db: Db;
  /** Pass false in tests to keep output clean. */
  logger?: boolean;
  /** Where the log's JSON lines go instead of standard output (the browser tests keep them to print on failure). */
  logStream?: { write(line: string): void };
}

/** The cookie-signing secret: from config, else one generated once and kept in DATA_DIR. */
function cookieSecret(config: Config): string {
  if (config.cookieSecret) return config.cookieSecret;
  if (config.env === 'test') return 'test-secret-test-secret-test-secret-0123456789';
  const file = path.join(config.dataDir, '.cookie-secret');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    const secret = crypto.randomBytes(32).toString('hex');
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.writeFileSync(file, secret, { mode: 0o600 });
    return secret;
  }
}

/** Builds the app: plugins, then features. Never listens (server.ts does; tests use inject). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, db } = deps;
  const app = Fastify({
    logger:
      deps.logger === false
        ? false
        : {
            level: config.logLevel,
            ...(deps.logStream ? { stream: deps.logStream } : {}),
            redact: {
              paths: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]', '*.password', '*.password_hash', '*.token'],
              censor: '[redacted]',
            },
          },
    trustProxy: config.trustProxy,
    return503OnClosing: true,
  });

  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/public/', maxAge: config.env === 'production' ? '7d' : 0, immutable: false });
  await app.register(security, { cookieSecret: cookieSecret(config), secure: config.cookieSecure });
  await app.register(session, { db, secure: config.cookieSecure });
  await app.register(views, { db, cache: config.env !== 'development' });
  await app.register(errors);

  // Until the first admin exists, every page leads to /setup. Once set up, it stays set up.
  let setUp = await isSetUp(db);
  app.addHook('onRequest', async (req, reply) => {
    if (setUp) return;
    if (req.url.startsWith('/public/') || req.url === '/healthz' || req.url.startsWith('/setup')) return;
    setUp = await isSetUp(db);
    if (!setUp) return reply.redirect('/setup', 303);
  });

  await app.register(healthRoutes, { db });
  await app.register(authRoutes, { db, onSetUp: () => (setUp = true) });
  await app.register(companyLogoRoutes, { db });

  await app.register(async (signedIn) => {
    signedIn.addHook('preHandler', requireSignIn);
    await signedIn.register(homeRoutes, { db });
    await signedIn.register(meRoutes, { db });
    await signedIn.register(searchRoutes, { db });
    await signedIn.register(customersRoutes, { db });
    await signedIn.register(contactsRoutes, { db });
    await signedIn.register(leadsRoutes, { db });
    await signedIn.register(activitiesRoutes, { db });
    await signedIn.register(importsRoutes, { db });
    // Board before opportunities: /opportunities/board and /opportunities/overview must win over /opportunities/:id.
    await signedIn.register(boardRoutes, { db });
    await signedIn.register(pipelinesRoutes, { db });
    await signedIn.register(opportunitiesRoutes, { db });
    await signedIn.register(decisionTreeRoutes, { db });
    await signedIn.register(pipelineAnalyticsRoutes, { db });
    await signedIn.register(alertsRoutes, { db });
    await signedIn.register(notificationsRoutes, { db, config });
    await signedIn.register(workReportsRoutes, { db });
    await signedIn.register(productsRoutes, { db });
    await signedIn.register(quotesRoutes, { db });
    await signedIn.register(quoteSettingsRoutes, { db });
    await signedIn.register(async (admin) => {
      admin.addHook('preHandler', requireAdmin);
      await admin.register(companyRoutes, { db });
      await admin.register(departmentRoutes, { db });
      await admin.register(userRoutes, { db });
      await admin.register(auditRoutes, { db });
      await admin.register(jobsAdminRoutes, { db });
      await admin.register(outboxRoutes, { db, config });
    }, { prefix: '/admin' });
  });

  // PDF worker threads (src/pdf/pool.ts) end with the app.
  app.addHook('onClose', async () => closePdfWorkers());

  if (config.benchRoutes) {
    app.get('/__bench/ping', async () => ({ ok: true }));
  }
  return app;
}
