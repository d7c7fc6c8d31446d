import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import helmet from '@fastify/helmet';
import csrf from '@fastify/csrf-protection';
import type { FastifyRequest } from 'fastify';

export const MAX_UPLOAD_BYTES = 1024 * 1024;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function tokenFrom(req: FastifyRequest): string {
  const body = req.body as Record<string, unknown> | undefined;
  const fromBody = body && typeof body._csrf === 'string' ? body._csrf : undefined;
  const fromHeader = req.headers['x-csrf-token'];
  return fromBody ?? (typeof fromHeader === 'string' ? fromHeader : '');
}

/** Cookies, body parsing, security headers (strict CSP) and CSRF on every state-changing request. */
export default fp(
  async (app, opts: { cookieSecret: string; secure: boolean }) => {
    await app.register(cookie, { secret: opts.cookieSecret });
    await app.register(formbody, { bodyLimit: 256 * 1024 });
    await app.register(multipart, {
      attachFieldsToBody: 'keyValues',
      // One byte over the limit and no throw: the route sees an oversized file and answers beside the field.
      throwFileSizeLimit: false,
      limits: { fileSize: MAX_UPLOAD_BYTES + 1, files: 1, fields: 50 },
    });
    await app.register(helmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          // 'unsafe-inline' for styles only: ECharts' server-rendered SVG carries style attributes. Our own templates
          // use no inline styles; scripts stay 'self' only.
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'self'"],
          objectSrc: ["'none'"],
          ...(opts.secure ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      hsts: opts.secure ? { maxAge: 15552000, includeSubDomains: false } : false,
      crossOriginEmbedderPolicy: false,
      referrerPolicy: { policy: 'same-origin' },
    });
    await app.register(csrf, {
      sessionPlugin: '@fastify/cookie',
      cookieKey: opts.secure ? '__Host-guanxi_csrf' : 'guanxi_csrf',
      cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, secure: opts.secure, signed: true },
      getToken: tokenFrom,
    });
    app.addHook('preHandler', (req, reply, done) => {
      if (SAFE_METHODS.has(req.method)) return done();
      app.csrfProtection(req, reply, done);
    });
  },
  { name: 'security' },
);
