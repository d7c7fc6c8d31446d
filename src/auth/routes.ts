import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/index.ts';
import { formValues, parseForm } from '../lib/validation.ts';
import { completeSetup, isSetUp, signIn, signOut } from './commands.ts';
import { loginSchema, setupSchema } from './schemas.ts';
import { auditContext } from '../plugins/guards.ts';

/** Only same-site paths may follow a sign-in (no open redirect). */
function safeNext(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

const userAgent = (req: FastifyRequest): string => String(req.headers['user-agent'] ?? '');

export default async function authRoutes(app: FastifyInstance, opts: { db: Db; onSetUp: () => void }) {
  const { db } = opts;

  app.get('/login', async (req, reply) => {
    if (req.viewer) return reply.redirect('/', 303);
    const next = typeof (req.query as Record<string, unknown>).next === 'string' ? (req.query as Record<string, string>).next : '';
    return reply.render('auth/login', { values: { username: '', next }, error: null });
  });

  app.post('/login', async (req, reply) => {
    const parsed = parseForm(loginSchema, req.body, req.t);
    const values = formValues(req.body);
    if (!parsed.ok) return reply.render('auth/login', { values, error: req.t.auth.invalid }, { status: 422, fragment: 'auth/_form' });
    const result = await signIn(db, parsed.data, { ip: req.ip, userAgent: userAgent(req) });
    if (!result.ok) {
      const status = result.reason === 'rate_limited' ? 429 : 422;
      const error = result.reason === 'rate_limited' ? req.t.auth.rateLimited : req.t.auth.invalid;
      return reply.render('auth/login', { values, error }, { status, fragment: 'auth/_form' });
    }
    reply.setSessionCookie(result.token, result.expiresAt);
    const location = safeNext(parsed.data.next);
    if (req.headers['hx-request'] === 'true') return reply.header('HX-Redirect', location).code(204).send();
    return reply.redirect(location, 303);
  });

  app.post('/logout', async (req, reply) => {
    if (req.sessionId) await signOut(db, req.sessionId, auditContext(req));
    reply.clearSessionCookie();
    reply.flash('info', req.t.auth.signedOut);
    return reply.redirect('/login', 303);
  });

  app.get('/setup', async (req, reply) => {
    if (await isSetUp(db)) return reply.callNotFound();
    return reply.render('auth/setup', { values: {}, errors: {} });
  });

  app.post('/setup', async (req, reply) => {
    if (await isSetUp(db)) return reply.callNotFound();
    const parsed = parseForm(setupSchema, req.body, req.t);
    if (!parsed.ok) {
      return reply.render('auth/setup', { values: formValues(req.body), errors: parsed.errors }, { status: 422, fragment: 'auth/_setup-form' });
    }
    const d = parsed.data;
    const done = await completeSetup(db, { companyName: d.company_name, username: d.username, displayName: d.display_name, email: d.email, password: d.password }, req.ip);
    if (!done) return reply.callNotFound();
    opts.onSetUp();
    reply.flash('success', req.t.setup.done);
    if (req.headers['hx-request'] === 'true') return reply.header('HX-Redirect', '/login').code(204).send();
    return reply.redirect('/login', 303);
  });
}
