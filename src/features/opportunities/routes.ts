import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/index.ts';

// Being built (issue 4): routes of the opportunities feature.
export default async function opportunitiesRoutes(_app: FastifyInstance, _opts: { db: Db }) {}
