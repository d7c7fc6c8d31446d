import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/index.ts';

// Being built (issue 3): routes of the leads feature.
export default async function leadsRoutes(_app: FastifyInstance, _opts: { db: Db }) {}
