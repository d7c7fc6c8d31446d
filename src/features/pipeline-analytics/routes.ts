import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/index.ts';

// Being built (issue 4): routes of the pipeline-analytics feature.
export default async function pipelineAnalyticsRoutes(_app: FastifyInstance, _opts: { db: Db }) {}
