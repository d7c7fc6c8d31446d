import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/index.ts';

// Being built (issue 4): routes of the decision-tree feature.
export default async function decisionTreeRoutes(_app: FastifyInstance, _opts: { db: Db }) {}
