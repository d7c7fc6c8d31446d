import type { Db } from '../../db/index.ts';
import { nowIso, writeTransaction } from '../../db/index.ts';
import { audit, diff, type AuditContext } from '../../audit/index.ts';
import { stagesOf } from './queries.ts';
import type { CompetitorInput, CriterionInput, PipelineInput, StageInput, TaskTemplateInput } from './schemas.ts';
import { rebuildRollup } from '../pipeline-analytics/rollup.ts';

/** Numbers the open stages 1…n in the given order and puts won, then lost, after them. */
async function renumber(trx: Db, pipelineId: number, openIds: number[]): Promise<void> {
  const stages = await stagesOf(trx, pipelineId);
  const finals = stages.filter((s) => s.kind !== 'open');
  let n = 0;
  for (const id of openIds) await trx.updateTable('pipeline_stages').set({ sort_order: ++n }).where('id', '=', id).execute();
  for (const s of finals) await trx.updateTable('pipeline_stages').set({ sort_order: ++n }).where('id', '=', s.id).execute();
}

/** A new pipeline with its fixed final stages (won 100%, lost 0%). */
export async function createPipeline(db: Db, ctx: AuditContext, input: PipelineInput, finals: { won: string; lost: string }): Promise<number> {
  return writeTransaction(db, async (trx) => {
    const now = nowIso();
    const any = await trx.selectFrom('pipelines').select('id').executeTakeFirst();
    const isDefault = input.is_default || !any ? 1 : 0;
    if (isDefault) await trx.updateTable('pipelines').set({ is_default: 0, updated_at: now }).where('is_default', '=', 1).execute();
    const { id } = await trx
      .insertInto('pipelines')
      .values({ name: input.name, is_default: isDefault, active: input.active ? 1 : 0, sort_order: input.sort_order, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('pipeline_stages')
      .values([
        { pipeline_id: id, name: finals.won, sort_order: 1, probability: 100, expected_days: 0, kind: 'won', created_at: now, updated_at: now },
        { pipeline_id: id, name: finals.lost, sort_order: 2, probability: 0, expected_days: 0, kind: 'lost', created_at: now, updated_at: now },
      ])
      .execute();
    await audit(trx, ctx, { action: 'create', entity: 'pipeline', entityId: id, summary: input.name, changes: diff(null, { ...input, is_default: isDefault }) });
    return id;
  });
}

export async function updatePipeline(db: Db, ctx: AuditContext, id: number, input: PipelineInput): Promise<boolean> {
  return writeTransaction(db, async (trx) => {
    const before = await trx.selectFrom('pipelines').select(['name', 'is_default', 'active', 'sort_order']).where('id', '=', id).executeTakeFirst();
    if (!before) return false;
    const now = nowIso();
    // There is always exactly one default: it can be moved to another pipeline, not switched off.
    const isDefault = input.is_default || before.is_default === 1 ? 1 : 0;
    if (isDefault && !before.is_default) await trx.updateTable('pipelines').set({ is_default: 0, updated_at: now }).where('is_default', '=', 1).execute();
    const after = { name: input.name, is_default: isDefault, active: isDefault ? 1 : input.active ? 1 : 0, sort_order: input.sort_order };
    const changes = diff(before, after);
    if (Object.keys(changes).length === 0) return true;
    await trx.updateTable('pipelines').set({ ...after, updated_at: now }).where('id', '=', id).execute();
    await audit(trx, ctx, { action: 'update', entity: 'pipeline', entityId: id, summary: input.name, changes });
    return true;
  });
}

/** Adds an open stage after the last open one. */
export async function addStage(db: Db, ctx: AuditContext, pipelineId: number, input: StageInput): Promise<number | null> {
  return writeTransaction(db, async (trx) => {
    const p = await trx.selectFrom('pipelines').select('name').where('id', '=', pipelineId).executeTakeFirst();
    if (!p) return null;
    const now = nowIso();
    const { id } = await trx
      .insertInto('pipeline_stages')
      .values({ pipeline_id: pipelineId, name: input.name, sort_order: 999, probability: input.probability, expected_days: input.expected_days, kind: 'open', created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const open = (await stagesOf(trx, pipelineId)).filter((s) => s.kind === 'open').map((s) => s.id);
    await renumber(trx, pipelineId, open);
    await audit(trx, ctx, { action: 'create', entity: 'pipeline_stage', entityId: id, summary: `${p.name} · ${input.name}`, changes: diff(null, { ...input }) });
    return id;
  });
}

/** Edits a stage. Won and lost keep their probabilities (100 and 0); only their names change. */
export async function updateStage(db: Db, ctx: AuditContext, id: number, input: StageInput): Promise<boolean> {
  return writeTransaction(db, async (trx) => {
    const before = await trx.selectFrom('pipeline_stages').select(['name', 'probability', 'expected_days', 'kind']).where('id', '=', id).executeTakeFirst();
    if (!before) return false;
    const after = before.kind === 'open' ? { name: input.name, probability: input.probability, expected_days: input.expected_days } : { name: input.name, probability: before.probability, expected_days: before.expected_days };
    const changes = diff({ name: before.name, probability: before.probability, expected_days: before.expected_days }, after);
    if (Object.keys(changes).length === 0) return true;
    await trx.updateTable('pipeline_stages').set({ ...after, updated_at: nowIso() }).where('id', '=', id).execute();
    await audit(trx, ctx, { action: 'update', entity: 'pipeline_stage', entityId: id, summary: input.name, changes });
    return true;
  });
}

/** Moves an open stage one place up or down among the open stages; won/lost stay last. */
export async function moveStage(db: Db, ctx: AuditContext, id: number, direction: 'up' | 'down'): Promise<boolean> {
  return writeTransaction(db, async (trx) => {
    const stage = await trx.selectFrom('pipeline_stages').select(['pipeline_id', 'kind', 'name']).where('id', '=', id).executeTakeFirst();
    if (!stage || stage.kind !== 'open') return false;
    const open = (await stagesOf(trx, stage.pipeline_id)).filter((s) => s.kind === 'open').map((s) => s.id);
    const i = open.indexOf(id);
    const j = direction === 'up' ? i - 1 : i + 1;
    if (j < 0 || j >= open.length) return true;
    [open[i], open[j]] = [open[j] as number, open[i] as number];
    await renumber(trx, stage.pipeline_id, open);
    // Whether a past move advanced depends on the stages' order: the rollup is recounted with the new one, as a
    // deal changing owner recounts its own history (rollup.ts), so the two never disagree.
    await rebuildRollup(trx);
    await audit(trx, ctx, { action: 'update', entity: 'pipeline_stage', entityId: id, summary: `${stage.name} ${direction === 'up' ? '↑' : '↓'}`, changes: { position: [i + 1, j + 1] } });
    return true;
  });
}

export type DeleteStageResult = 'ok' | 'notFound' | 'final' | 'hasDeals';

/** Deletes an open stage that holds no deals (nor any stage history). */
export async function deleteStage(db: Db, ctx: AuditContext, id: number): Promise<DeleteStageResult> {
  return writeTransaction(db, async (trx) => {
    const stage = await trx.selectFrom('pipeline_stages').select(['pipeline_id', 'kind', 'name', 'probability', 'expected_days']).where('id', '=', id).executeTakeFirst();
    if (!stage) return 'notFound';
    if (stage.kind !== 'open') return 'final';
    const used =
      (await trx.selectFrom('opportunities').select('id').where('stage_id', '=', id).executeTakeFirst()) ??
      (await trx.selectFrom('opportunity_stage_history').select('id').where((eb) => eb.or([eb('to_stage_id', '=', id), eb('from_stage_id', '=', id)])).executeTakeFirst());
    if (used) return 'hasDeals';
    await trx.deleteFrom('pipeline_stages').where('id', '=', id).execute();
    const open = (await stagesOf(trx, stage.pipeline_id)).filter((s) => s.kind === 'open').map((s) => s.id);
    await renumber(trx, stage.pipeline_id, open);
    await audit(trx, ctx, { action: 'delete', entity: 'pipeline_stage', entityId: id, summary: stage.name, changes: diff({ name: stage.name, probability: stage.probability, expected_days: stage.expected_days }, null) });
    return 'ok';
  });
}

export async function addCriterion(db: Db, ctx: AuditContext, stageId: number, input: CriterionInput): Promise<boolean> {
  return writeTransaction(db, async (trx) => {
    const stage = await trx.selectFrom('pipeline_stages').select(['name', 'kind']).where('id', '=', stageId).executeTakeFirst();
    if (!stage || stage.kind !== 'open') return false;
    const last = await trx.selectFrom('stage_exit_criteria').select((eb) => eb.fn.max('sort_order').as('m')).where('stage_id', '=', stageId).executeTakeFirst();
    const { id } = await trx
      .insertInto('stage_exit_criteria')
      .values({ stage_id: stageId, label: input.label, sort_order: Number(last?.m ?? 0) + 1 })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, ctx, { action: 'create', entity: 'stage_exit_criterion', entityId: id, summary: `${stage.name} · ${input.label}`, changes: diff(null, { stage_id: stageId, label: input.label }) });
    return true;
  });
}

/** Deletes a criterion; returns its stage id (to re-render it) or null. */
export async function deleteCriterion(db: Db, ctx: AuditContext, id: number): Promise<number | null> {
  return writeTransaction(db, async (trx) => {
    const c = await trx.selectFrom('stage_exit_criteria').select(['stage_id', 'label']).where('id', '=', id).executeTakeFirst();
    if (!c) return null;
    await trx.deleteFrom('stage_exit_criteria').where('id', '=', id).execute();
    await audit(trx, ctx, { action: 'delete', entity: 'stage_exit_criterion', entityId: id, summary: c.label, changes: diff({ stage_id: c.stage_id, label: c.label }, null) });
    return c.stage_id;
  });
}

export async function addTaskTemplate(db: Db, ctx: AuditContext, stageId: number, input: TaskTemplateInput): Promise<boolean> {
  return writeTransaction(db, async (trx) => {
    const stage = await trx.selectFrom('pipeline_stages').select(['name', 'kind']).where('id', '=', stageId).executeTakeFirst();
    if (!stage || stage.kind === 'lost') return false;
    const last = await trx.selectFrom('stage_task_templates').select((eb) => eb.fn.max('sort_order').as('m')).where('stage_id', '=', stageId).executeTakeFirst();
    const { id } = await trx
      .insertInto('stage_task_templates')
      .values({ stage_id: stageId, subject: input.subject, due_days: input.due_days, sort_order: Number(last?.m ?? 0) + 1 })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, ctx, { action: 'create', entity: 'stage_task_template', entityId: id, summary: `${stage.name} · ${input.subject}`, changes: diff(null, { stage_id: stageId, ...input }) });
    return true;
  });
}

export async function deleteTaskTemplate(db: Db, ctx: AuditContext, id: number): Promise<number | null> {
  return writeTransaction(db, async (trx) => {
    const t = await trx.selectFrom('stage_task_templates').select(['stage_id', 'subject', 'due_days']).where('id', '=', id).executeTakeFirst();
    if (!t) return null;
    await trx.deleteFrom('stage_task_templates').where('id', '=', id).execute();
    await audit(trx, ctx, { action: 'delete', entity: 'stage_task_template', entityId: id, summary: t.subject, changes: diff({ ...t }, null) });
    return t.stage_id;
  });
}

export type CompetitorResult = { ok: true; id: number } | { ok: false; error: 'notFound' | 'taken' };

export async function saveCompetitor(db: Db, ctx: AuditContext, id: number | null, input: CompetitorInput): Promise<CompetitorResult> {
  return writeTransaction(db, async (trx) => {
    const clash = await trx.selectFrom('competitors').select('id').where('name', '=', input.name).executeTakeFirst();
    if (clash && clash.id !== id) return { ok: false, error: 'taken' };
    const now = nowIso();
    const values = { name: input.name, website: input.website, notes: input.notes, active: input.active ? 1 : 0 };
    if (id === null) {
      const row = await trx.insertInto('competitors').values({ ...values, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
      await audit(trx, ctx, { action: 'create', entity: 'competitor', entityId: row.id, summary: input.name, changes: diff(null, values) });
      return { ok: true, id: row.id };
    }
    const before = await trx.selectFrom('competitors').select(['name', 'website', 'notes', 'active']).where('id', '=', id).executeTakeFirst();
    if (!before) return { ok: false, error: 'notFound' };
    const changes = diff(before, values);
    if (Object.keys(changes).length) {
      await trx.updateTable('competitors').set({ ...values, updated_at: now }).where('id', '=', id).execute();
      await audit(trx, ctx, { action: 'update', entity: 'competitor', entityId: id, summary: input.name, changes });
    }
    return { ok: true, id };
  });
}
