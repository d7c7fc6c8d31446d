import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Viewer } from '../access/index.ts';
import { wantsFragment } from './views.ts';

/** Sends the browser to `location`, the htmx way for htmx requests (a full navigation, not a swap). */
export function redirectTo(req: FastifyRequest, reply: FastifyReply, location: string): FastifyReply {
  if (req.headers['hx-request'] === 'true') return reply.header('HX-Redirect', location).code(204).send();
  return reply.redirect(location, 303);
}

const PASSWORD_CHANGE_ALLOWED = new Set(['/me', '/me/password', '/logout']);

/** preHandler: only signed-in users; others go to /login (and come back afterwards for a GET). */
export async function requireSignIn(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (!req.viewer) {
    const next = req.method === 'GET' && req.url !== '/' ? `?next=${encodeURIComponent(req.url)}` : '';
    return redirectTo(req, reply, `/login${next}`);
  }
  const path = req.url.split('?')[0] ?? '';
  if (req.viewer.mustChangePassword && !PASSWORD_CHANGE_ALLOWED.has(path)) return redirectTo(req, reply, '/me');
  return undefined;
}

/** preHandler: administrators only; anyone else gets the ordinary 404, so admin pages do not reveal themselves. */
export async function requireAdmin(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (req.viewer?.role !== 'admin') {
    reply.callNotFound();
    return reply;
  }
  return undefined;
}

/** The signed-in user in a handler behind requireSignIn. */
export function viewerOf(req: FastifyRequest): Viewer {
  if (!req.viewer) throw new Error('viewerOf() used on a route without requireSignIn');
  return req.viewer;
}

export function auditContext(req: FastifyRequest): { actorId: number | null; ip: string } {
  return { actorId: req.viewer?.id ?? null, ip: req.ip };
}

export { wantsFragment };

/** After a successful write: 303 for plain forms; for htmx requests a client-side navigation (HX-Location). */
export function afterWrite(req: FastifyRequest, reply: FastifyReply, location: string): FastifyReply {
  if (req.headers['hx-request'] === 'true' && req.headers['hx-boosted'] !== 'true') {
    // Like a boosted navigation: the whole body (with its flash message) is replaced and history updated.
    return reply.header('HX-Location', JSON.stringify({ path: location, target: 'body' })).code(204).send();
  }
  return reply.redirect(location, 303);
}

/** A positive integer route id, or null (→ 404). */
export function idParam(params: unknown, name = 'id'): number | null {
  const raw = (params as Record<string, string>)[name];
  return raw && /^\d{1,15}$/.test(raw) ? Number(raw) : null;
}
