import type { Db } from '../../db/index.ts';
import { whileUnchanged } from '../../db/cache.ts';

export interface Stage {
  id: number;
  pipeline_id: number;
  name: string;
  sort_order: number;
  probability: number;
  expected_days: number;
  /** open, won, lost */
  kind: string;
}

export interface PipelineSummary {
  id: number;
  name: string;
  is_default: number;
  active: number;
  sort_order: number;
}

/** The stages of a pipeline in order (open stages first by sort_order, then won, then lost). */
export async function stagesOf(db: Db, pipelineId: number): Promise<readonly Stage[]> {
  // Kept while nothing changes (the board, the deal page and the report all draw them on every request).
  return whileUnchanged(db, `stages:${pipelineId}`, async () => {
    const rows = await db
      .selectFrom('pipeline_stages')
      .select(['id', 'pipeline_id', 'name', 'sort_order', 'probability', 'expected_days', 'kind'])
      .where('pipeline_id', '=', pipelineId)
      .orderBy('sort_order')
      .orderBy('id')
      .execute();
    const rank = (k: string) => (k === 'open' ? 0 : k === 'won' ? 1 : 2);
    return rows.sort((a, b) => rank(a.kind) - rank(b.kind) || a.sort_order - b.sort_order || a.id - b.id);
  });
}

/** All pipelines in display order (active and inactive). */
export async function pipelineList(db: Db): Promise<PipelineSummary[]> {
  return db.selectFrom('pipelines').select(['id', 'name', 'is_default', 'active', 'sort_order']).orderBy('sort_order').orderBy('id').execute();
}

/** The default pipeline (or the first active one), or undefined before any exists. */
export async function defaultPipeline(db: Db): Promise<PipelineSummary | undefined> {
  return db
    .selectFrom('pipelines')
    .select(['id', 'name', 'is_default', 'active', 'sort_order'])
    .where('active', '=', 1)
    .orderBy('is_default', 'desc')
    .orderBy('sort_order')
    .orderBy('id')
    .executeTakeFirst();
}

export async function getPipeline(db: Db, id: number): Promise<PipelineSummary | undefined> {
  return db.selectFrom('pipelines').select(['id', 'name', 'is_default', 'active', 'sort_order']).where('id', '=', id).executeTakeFirst();
}

export async function getStage(db: Db, id: number): Promise<Stage | undefined> {
  return db.selectFrom('pipeline_stages').select(['id', 'pipeline_id', 'name', 'sort_order', 'probability', 'expected_days', 'kind']).where('id', '=', id).executeTakeFirst();
}

export interface Criterion {
  id: number;
  stage_id: number;
  label: string;
  sort_order: number;
}
export interface TaskTemplate {
  id: number;
  stage_id: number;
  subject: string;
  due_days: number;
  sort_order: number;
}

export async function criteriaOf(db: Db, stageIds: number[]): Promise<Criterion[]> {
  if (stageIds.length === 0) return [];
  return db.selectFrom('stage_exit_criteria').select(['id', 'stage_id', 'label', 'sort_order']).where('stage_id', 'in', stageIds).orderBy('sort_order').orderBy('id').execute();
}

export async function taskTemplatesOf(db: Db, stageIds: number[]): Promise<TaskTemplate[]> {
  if (stageIds.length === 0) return [];
  return db.selectFrom('stage_task_templates').select(['id', 'stage_id', 'subject', 'due_days', 'sort_order']).where('stage_id', 'in', stageIds).orderBy('sort_order').orderBy('id').execute();
}

/** A pipeline with its stages, each stage's exit criteria, task templates and the number of open deals in it. */
export async function pipelineDetail(db: Db, id: number) {
  const pipeline = await getPipeline(db, id);
  if (!pipeline) return undefined;
  const stages = await stagesOf(db, id);
  const ids = stages.map((s) => s.id);
  const [criteria, tasks, counts] = await Promise.all([
    criteriaOf(db, ids),
    taskTemplatesOf(db, ids),
    ids.length
      ? db.selectFrom('opportunities').select(['stage_id']).select((eb) => eb.fn.countAll<number>().as('n')).where('stage_id', 'in', ids).groupBy('stage_id').execute()
      : Promise.resolve([]),
  ]);
  const countOf = new Map(counts.map((c) => [c.stage_id, Number(c.n)]));
  return {
    pipeline,
    stages: stages.map((s) => ({
      ...s,
      criteria: criteria.filter((c) => c.stage_id === s.id),
      tasks: tasks.filter((t) => t.stage_id === s.id),
      deals: countOf.get(s.id) ?? 0,
    })),
  };
}

export interface Competitor {
  id: number;
  name: string;
  website: string;
  notes: string;
  active: number;
}

export async function competitorList(db: Db, opts: { activeOnly?: boolean } = {}): Promise<Competitor[]> {
  let q = db.selectFrom('competitors').select(['id', 'name', 'website', 'notes', 'active']);
  if (opts.activeOnly) q = q.where('active', '=', 1);
  return q.orderBy('active', 'desc').orderBy('name').execute();
}

export async function getCompetitor(db: Db, id: number): Promise<Competitor | undefined> {
  return db.selectFrom('competitors').select(['id', 'name', 'website', 'notes', 'active']).where('id', '=', id).executeTakeFirst();
}
