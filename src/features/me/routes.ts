import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/index.ts';
import { LANGUAGES } from '../../db/types.ts';
import { afterWrite, auditContext, viewerOf } from '../../plugins/guards.ts';
import { formValues, parseForm, type FieldErrors } from '../../lib/validation.ts';
import { messages } from '../../i18n/index.ts';
import { changePassword, updateProfile } from './commands.ts';
import { passwordSchema, profileSchema } from './schemas.ts';

/** /me: the signed-in user's own profile, language and password. */
export default async function meRoutes(app: FastifyInstance, opts: { db: Db }) {
  const { db } = opts;

  async function render(req: FastifyRequest, reply: FastifyReply, data: { profile?: Record<string, unknown>; profileErrors?: FieldErrors; passwordErrors?: FieldErrors }, status = 200, fragment?: string) {
    const viewer = viewerOf(req);
    const user = await db.selectFrom('users').select(['username', 'display_name', 'language']).where('id', '=', viewer.id).executeTakeFirstOrThrow();
    return reply.render(
      'me/index',
      { user, profile: data.profile ?? user, profileErrors: data.profileErrors ?? {}, passwordErrors: data.passwordErrors ?? {}, languages: LANGUAGES },
      { status, fragment },
    );
  }

  app.get('/me', async (req, reply) => render(req, reply, {}));

  app.post('/me', async (req, reply) => {
    const viewer = viewerOf(req);
    const parsed = parseForm(profileSchema, req.body, req.t);
    if (!parsed.ok) return render(req, reply, { profile: formValues(req.body), profileErrors: parsed.errors }, 422, 'me/_profile-form');
    await updateProfile(db, auditContext(req), viewer.id, parsed.data);
    reply.flash('success', messages(parsed.data.language).me.profileSaved);
    // A new language changes the whole document, <html lang> included, which htmx's swaps of the body keep: load the
    // page anew (HX-Redirect) rather than swap it.
    if (parsed.data.language !== viewer.language && req.headers['hx-request'] === 'true') return reply.header('HX-Redirect', '/me').code(200).send('');
    return afterWrite(req, reply, '/me');
  });

  app.post('/me/password', async (req, reply) => {
    const viewer = viewerOf(req);
    const parsed = parseForm(passwordSchema, req.body, req.t);
    if (!parsed.ok) return render(req, reply, { passwordErrors: parsed.errors }, 422, 'me/_password-form');
    const result = await changePassword(db, auditContext(req), viewer.id, { current: parsed.data.current_password, next: parsed.data.new_password }, { ip: req.ip, userAgent: String(req.headers['user-agent'] ?? '') });
    if (!result.ok) return render(req, reply, { passwordErrors: { current_password: req.t.me.wrongPassword } }, 422, 'me/_password-form');
    reply.setSessionCookie(result.token, result.expiresAt);
    reply.flash('success', req.t.me.passwordChanged);
    return afterWrite(req, reply, viewer.mustChangePassword ? '/' : '/me');
  });
}
