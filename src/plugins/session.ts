import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Viewer } from '../access/index.ts';
import type { Db } from '../db/index.ts';
import { validateSessionToken } from '../auth/session.ts';

declare module 'fastify' {
  interface FastifyRequest {
    viewer: Viewer | null;
    sessionId: string | null;
  }
  interface FastifyReply {
    setSessionCookie(token: string, expiresAt: Date): FastifyReply;
    clearSessionCookie(): FastifyReply;
  }
}

/** Reads the session cookie on every request and puts the signed-in user on request.viewer. */
export default fp(
  async (app, opts: { db: Db; secure: boolean }) => {
    const cookieName = opts.secure ? '__Host-guanxi_session' : 'guanxi_session';
    const base = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: opts.secure };

    app.decorateRequest('viewer', null);
    app.decorateRequest('sessionId', null);
    app.decorateReply('setSessionCookie', function (this: FastifyReply, token: string, expiresAt: Date) {
      return this.setCookie(cookieName, token, { ...base, expires: expiresAt });
    });
    app.decorateReply('clearSessionCookie', function (this: FastifyReply) {
      return this.clearCookie(cookieName, base);
    });

    app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      if (req.url.startsWith('/public/') || req.url === '/healthz') return;
      const token = req.cookies[cookieName];
      if (!token) return;
      const session = await validateSessionToken(opts.db, token);
      if (!session) {
        reply.clearSessionCookie();
        return;
      }
      req.viewer = session.viewer;
      req.sessionId = session.sessionId;
      if (session.renewed) reply.setSessionCookie(token, session.expiresAt);
    });
  },
  { name: 'session', dependencies: ['security'] },
);
