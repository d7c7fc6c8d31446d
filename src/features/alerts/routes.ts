import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/index.ts';

// Being built (issue 4): routes of the alerts feature.
export default async function alertsRoutes(_app: FastifyInstance, _opts: { db: Db }) {}
