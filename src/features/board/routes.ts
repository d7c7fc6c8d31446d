import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/index.ts';

// Being built (issue 4): routes of the board feature.
export default async function boardRoutes(_app: FastifyInstance, _opts: { db: Db }) {}
