import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/index.ts';
import { pingDatabase } from '../../db/index.ts';

export default async function healthRoutes(app: FastifyInstance, opts: { db: Db }) {
  app.get('/healthz', async (req, reply) => {
    try {
      if (await pingDatabase(opts.db)) return { status: 'ok' };
    } catch (err) {
      req.log.error({ err }, 'health check: database unavailable');
    }
    return reply.code(503).send({ status: 'error', reason: 'database' });
  });
}
