import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/index.ts';

// Being built (issue 4): routes of the pipelines feature.
export default async function pipelinesRoutes(_app: FastifyInstance, _opts: { db: Db }) {}
