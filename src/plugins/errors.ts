import fp from 'fastify-plugin';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { languageFromHeader, messages } from '../i18n/index.ts';

async function renderError(req: FastifyRequest, reply: FastifyReply, status: number, title: string, text: string) {
  try {
    return await reply.render('errors/error', { status, title, text }, { status });
  } catch (err) {
    req.log.error({ err }, 'could not render the error page');
    return reply.code(status).type('text/plain; charset=utf-8').send(`${status} ${title}`);
  }
}

/** 404s and errors as pages in the user's language; database and stack details never reach the browser. */
export default fp(
  async (app) => {
    app.setNotFoundHandler(async (req, reply) => {
      const t = req.t ?? messages(req.viewer?.language ?? languageFromHeader(req.headers['accept-language']));
      return renderError(req, reply, 404, t.errors.notFoundTitle, t.errors.notFound);
    });

    app.setErrorHandler(async (error: FastifyError, req, reply) => {
      const t = req.t ?? messages(req.viewer?.language ?? languageFromHeader(req.headers['accept-language']));
      const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
      if (status >= 500) {
        req.log.error({ err: error }, 'request failed');
        return renderError(req, reply, 500, t.errors.serverErrorTitle, t.errors.serverError);
      }
      req.log.info({ code: error.code, status }, error.message);
      if (status === 403) return renderError(req, reply, 403, t.errors.forbiddenTitle, t.errors.forbidden);
      if (status === 404) return renderError(req, reply, 404, t.errors.notFoundTitle, t.errors.notFound);
      if (status === 429) return renderError(req, reply, 429, t.errors.tooManyTitle, t.auth.rateLimited);
      return renderError(req, reply, status, t.validation.invalid, t.validation.formHasErrors);
    });
  },
  { name: 'errors', dependencies: ['views'] },
);
