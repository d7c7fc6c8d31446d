import type { Db } from '../../db/index.ts';
import { nowIso, writeTransaction } from '../../db/index.ts';
import { audit, diff, type AuditContext } from '../../audit/index.ts';
import { canAssign, scope, seesAllRecords, type Viewer } from '../../access/index.ts';
import { assignableUser } from '../users/queries.ts';
import { criteriaOf, getStage, stagesOf, taskTemplatesOf, type Stage } from '../pipelines/queries.ts';
import { PROBABILITY_SPREAD, type OpportunityInput } from './schemas.ts';
import { changeDealTotals } from './totals.ts';
import { moveDealHistory, recordStageMove, type StageKind } from '../pipeline-analytics/rollup.ts';
import { refreshOpportunityRisk } from '../alerts/queries.ts';

const DAY_MS = 86_400_000;

/** Whole days between two instants (never negative). */
export function wholeDaysBetween(fromIso: string, toIso: string): number {
  return Math.max(0, Math.floor((Date.parse(toIso) - Date.parse(fromIso)) / DAY_MS));
}

/** 'YYYY-MM-DD' n days after an instant (UTC date; the due time is 09:00 China time = 01:00 UTC). */
function dueAt(fromIso: string, days: number): string {
  const d = new Date(Date.parse(fromIso) + days * DAY_MS);
  return `${d.toISOString().slice(0, 10)}T01:00:00.000Z`;
}

/** A deal the viewer may see (owner, team member, manager of the owner, director), as the commands need it. */
async function dealInScope(trx: Db, viewer: Viewer, id: number) {
  return trx
    .selectFrom('opportunities as o')
    .select([
      'o.id',
      'o.name',
      'o.customer_id',
      'o.pipeline_id',
      'o.stage_id',
      'o.status',
      'o.amount_fen',
      'o.probability',
      'o.expected_close_date',
      'o.source',
      'o.next_step',
      'o.description',
      'o.close_reason',
      'o.closed_at',
      'o.owner_id',
      'o.stage_entered_at',
      'o.created_at',
    ])
    .where('o.id', '=', id)
    .where(scope(viewer, 'opportunities', { alias: 'o' }))
    .executeTakeFirst();
}
type Deal = NonNullable<Awaited<ReturnType<typeof dealInScope>>>;

/** The probability a deal may carry in a stage: the stage's ± PROBABILITY_SPREAD, within 0–100 (fixed on won/lost). */
export function probabilityBounds(stage: Pick<Stage, 'probability' | 'kind'>): [number, number] {
  if (stage.kind !== 'open') return [stage.probability, stage.probability];
  return [Math.max(0, stage.probability - PROBABILITY_SPREAD), Math.min(100, stage.probability + PROBABILITY_SPREAD)];
}

/** Creates the stage's task templates as tasks for the deal's owner, due N days after `at`. */
async function createStageTasks(trx: Db, deal: { id: number; customer_id: number; owner_id: number }, stageId: number, at: string): Promise<number> {
  const templates = await taskTemplatesOf(trx, [stageId]);
  for (const t of templates) {
    await trx
      .insertInto('activities')
      .values({
        type: 'task',
        subject: t.subject,
        starts_at: dueAt(at, t.due_days),
        status: 'planned',
        customer_id: deal.customer_id,
        opportunity_id: deal.id,
        owner_id: deal.owner_id,
        created_at: at,
        updated_at: at,
      })
      .execute();
  }
  return templates.length;
}

export type SaveError = { field: string; key: 'customer' | 'stage' | 'probabilityRange' | 'owner' | 'stageClosed' };
export type SaveResult = { ok: true; id: number } | { ok: false; error: 'notFound' } | { ok: false; error: 'invalid'; fields: SaveError[] };

/** Checks the references of a form against what the viewer may use. */
async function checkReferences(trx: Db, viewer: Viewer, input: OpportunityInput, opts: { creating: boolean; currentStageId?: number }) {
  const fields: SaveError[] = [];
  const customer = await trx
    .selectFrom('customers as c')
    .select(['c.id'])
    .where('c.id', '=', input.customer_id)
    .where(scope(viewer, 'customers', { alias: 'c' }))
    .executeTakeFirst();
  if (!customer) fields.push({ field: 'customer_id', key: 'customer' });
  const stage = await getStage(trx, opts.creating ? input.stage_id : (opts.currentStageId ?? 0));
  if (!stage || (opts.creating && stage.pipeline_id !== input.pipeline_id)) fields.push({ field: 'stage_id', key: 'stage' });
  else if (opts.creating && stage.kind !== 'open') fields.push({ field: 'stage_id', key: 'stageClosed' });
  let probability = stage?.probability ?? 0;
  if (stage && input.probability !== null) {
    const [lo, hi] = probabilityBounds(stage);
    if (input.probability < lo || input.probability > hi) fields.push({ field: 'probability', key: 'probabilityRange' });
    probability = input.probability;
  }
  let ownerId = viewer.id;
  if (input.owner_id !== null && input.owner_id !== viewer.id) {
    const owner = canAssign(viewer) ? await assignableUser(trx, viewer, input.owner_id) : undefined;
    if (!owner) fields.push({ field: 'owner_id', key: 'owner' });
    else ownerId = owner.id;
  }
  return { fields, stage, probability, ownerId };
}

async function setCompetitors(trx: Db, id: number, competitorIds: number[]): Promise<number[]> {
  const valid = competitorIds.length
    ? (await trx.selectFrom('competitors').select('id').where('id', 'in', competitorIds).execute()).map((r) => r.id).sort((a, b) => a - b)
    : [];
  await trx.deleteFrom('opportunity_competitors').where('opportunity_id', '=', id).execute();
  if (valid.length) await trx.insertInto('opportunity_competitors').values(valid.map((c) => ({ opportunity_id: id, competitor_id: c }))).execute();
  return valid;
}

/**
 * Creates a deal in an open stage: the first stage-history row (from NULL), the stage's tasks for the owner, the
 * competitors and the audit entry, in the caller's transaction (lead conversion calls this inside its own).
 */
export async function insertOpportunity(
  trx: Db,
  viewer: Viewer,
  ctx: AuditContext,
  input: OpportunityInput,
  extra: { leadId?: number | null } = {},
): Promise<SaveResult> {
  const ref = await checkReferences(trx, viewer, input, { creating: true });
  if (ref.fields.length) return { ok: false, error: 'invalid', fields: ref.fields };
  const now = nowIso();
  const values = {
    name: input.name,
    customer_id: input.customer_id,
    pipeline_id: input.pipeline_id,
    stage_id: input.stage_id,
    status: 'open',
    amount_fen: input.amount,
    probability: ref.probability,
    expected_close_date: input.expected_close_date,
    source: input.source,
    next_step: input.next_step,
    description: input.description,
    owner_id: ref.ownerId,
    lead_id: extra.leadId ?? null,
  };
  const { id } = await trx
    .insertInto('opportunities')
    .values({ ...values, stage_entered_at: now, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('opportunity_stage_history')
    .values({ opportunity_id: id, from_stage_id: null, to_stage_id: input.stage_id, changed_at: now, changed_by: viewer.id, amount_fen: input.amount, expected_close_date: input.expected_close_date, days_in_from_stage: null })
    .execute();
  const competitors = await setCompetitors(trx, id, input.competitor_ids);
  await createStageTasks(trx, { id, customer_id: input.customer_id, owner_id: ref.ownerId }, input.stage_id, now);
  await changeDealTotals(trx, null, { owner_id: ref.ownerId, pipeline_id: input.pipeline_id, stage_id: input.stage_id, expected_close_date: input.expected_close_date, amount_fen: input.amount, probability: ref.probability });
  await recordStageMove(trx, { opportunityId: id, pipelineId: input.pipeline_id, fromStageId: null, toStageId: input.stage_id, toKind: 'open', at: now, createdAt: now, amountFen: input.amount, daysInFromStage: null, ownerId: ref.ownerId });
  await audit(trx, ctx, { action: 'create', entity: 'opportunity', entityId: id, summary: input.name, changes: diff(null, { ...values, competitor_ids: competitors }) });
  await refreshOpportunityRisk(trx, [id]);
  return { ok: true, id };
}

export async function createOpportunity(db: Db, viewer: Viewer, ctx: AuditContext, input: OpportunityInput): Promise<SaveResult> {
  return writeTransaction(db, (trx) => insertOpportunity(trx, viewer, ctx, input));
}

/**
 * Saves an edit. The stage changes only through advancement (its history, tasks and rules); the pipeline is fixed
 * once the deal exists. Amount and close date changes land in the audit diff (the alerts read them there).
 */
export async function updateOpportunity(db: Db, viewer: Viewer, ctx: AuditContext, id: number, input: OpportunityInput): Promise<SaveResult> {
  return writeTransaction(db, async (trx) => {
    const before = await dealInScope(trx, viewer, id);
    if (!before) return { ok: false, error: 'notFound' };
    const ref = await checkReferences(trx, viewer, { ...input, owner_id: input.owner_id ?? before.owner_id }, { creating: false, currentStageId: before.stage_id });
    // Someone who may not assign keeps the current owner (a team member editing a colleague's deal).
    const ownerError = ref.fields.find((f) => f.field === 'owner_id');
    if (ownerError && (input.owner_id === null || input.owner_id === before.owner_id)) ref.fields.splice(ref.fields.indexOf(ownerError), 1);
    if (ref.fields.length) return { ok: false, error: 'invalid', fields: ref.fields };
    const ownerId = input.owner_id === null || input.owner_id === before.owner_id ? before.owner_id : ref.ownerId;
    const values = {
      name: input.name,
      customer_id: input.customer_id,
      amount_fen: input.amount,
      probability: input.probability === null ? before.probability : ref.probability,
      expected_close_date: input.expected_close_date,
      source: input.source,
      next_step: input.next_step,
      description: input.description,
      owner_id: ownerId,
    };
    const oldCompetitors = (await trx.selectFrom('opportunity_competitors').select('competitor_id').where('opportunity_id', '=', id).orderBy('competitor_id').execute()).map((r) => r.competitor_id);
    const newCompetitors = await setCompetitors(trx, id, input.competitor_ids);
    const old = {
      name: before.name,
      customer_id: before.customer_id,
      amount_fen: before.amount_fen,
      probability: before.probability,
      expected_close_date: before.expected_close_date,
      source: before.source,
      next_step: before.next_step,
      description: before.description,
      owner_id: before.owner_id,
      competitor_ids: oldCompetitors,
    };
    const changes = diff(old, { ...values, competitor_ids: newCompetitors });
    if (Object.keys(changes).length === 0) return { ok: true, id };
    await trx.updateTable('opportunities').set({ ...values, updated_at: nowIso() }).where('id', '=', id).execute();
    await changeDealTotals(trx, before, { ...before, ...values });
    await moveDealHistory(trx, id, before.owner_id, values.owner_id);
    await audit(trx, ctx, { action: 'update', entity: 'opportunity', entityId: id, summary: input.name, changes });
    // After the audit entry: an amount drop or a pushed-out close date is read from it.
    await refreshOpportunityRisk(trx, [id]);
    return { ok: true, id };
  });
}

export type AdvanceResult =
  | { ok: true }
  | { ok: false; error: 'notFound' | 'reasonRequired' | 'closed' | 'sameStage' }
  | { ok: false; error: 'criteriaUnmet'; unmet: string[] };

/**
 * Moves a deal to another stage of its pipeline. Forward out of an open stage needs all its exit criteria checked;
 * backwards is allowed (and recorded); won/lost close the deal and need a reason; a closed deal is reopened only by
 * a director (or the general manager). One transaction: the deal, its stage history, the new stage's tasks, the
 * analytics rollup and the audit entry.
 */
export async function advanceOpportunity(db: Db, viewer: Viewer, ctx: AuditContext, id: number, toStageId: number, opts: { reason?: string } = {}): Promise<AdvanceResult> {
  return writeTransaction(db, async (trx) => {
    const deal = await dealInScope(trx, viewer, id);
    if (!deal) return { ok: false, error: 'notFound' };
    const stages = await stagesOf(trx, deal.pipeline_id);
    return moveDeal(trx, viewer, ctx, deal, stages, stages.find((s) => s.id === toStageId), opts);
  });
}

/**
 * Closes an open deal as won at a given amount (a quote the customer accepted), in the caller's transaction. The
 * amount changes as an edit changes it, then the deal moves to its pipeline's won stage through advancement, with
 * advancement's rules. Everything advancement may refuse is checked before anything is written, so a refusal leaves
 * the deal exactly as it was (amount included). A closed deal is not reopened here: 'closed'.
 */
export async function winOpportunityIn(trx: Db, viewer: Viewer, ctx: AuditContext, id: number, opts: { amountFen: number; source: string; reason: string }): Promise<AdvanceResult> {
  const deal = await dealInScope(trx, viewer, id);
  if (!deal) return { ok: false, error: 'notFound' };
  if (deal.status !== 'open') return { ok: false, error: 'closed' };
  const stages = await stagesOf(trx, deal.pipeline_id);
  return moveDeal(trx, viewer, ctx, deal, stages, stages.find((s) => s.kind === 'won'), { reason: opts.reason, amount: { fen: opts.amountFen, source: opts.source } });
}

/**
 * A new amount, written as updateOpportunity writes one: the row, the totals and the audit entry (its summary names
 * where the amount came from). Only moveDeal calls it, and refreshes the risk fields once after the move, which reads
 * this entry too.
 */
async function changeAmount(trx: Db, ctx: AuditContext, deal: Deal, amountFen: number, source: string): Promise<Deal> {
  if (amountFen === deal.amount_fen) return deal;
  const after = { ...deal, amount_fen: amountFen };
  await trx.updateTable('opportunities').set({ amount_fen: amountFen, updated_at: nowIso() }).where('id', '=', deal.id).execute();
  await changeDealTotals(trx, deal, after);
  await audit(trx, ctx, { action: 'update', entity: 'opportunity', entityId: deal.id, summary: `${deal.name} ← ${source}`.slice(0, 200), changes: { amount_fen: [deal.amount_fen, amountFen] } });
  return after;
}

/**
 * Advancement's rules and writes for a deal already read in the caller's transaction. Every refusal comes before the
 * first write. `amount` (closing at a quote's total) is written after the checks and before the move, so the stage
 * history and the rollup record the move at the new amount.
 */
async function moveDeal(
  trx: Db,
  viewer: Viewer,
  ctx: AuditContext,
  deal: Deal,
  stages: readonly Stage[],
  to: Stage | undefined,
  opts: { reason?: string; amount?: { fen: number; source: string } },
): Promise<AdvanceResult> {
  const from = stages.find((s) => s.id === deal.stage_id);
  if (!to || !from) return { ok: false, error: 'notFound' };
  if (to.id === from.id) return { ok: false, error: 'sameStage' };
  if (deal.status !== 'open' && !seesAllRecords(viewer)) return { ok: false, error: 'closed' };

  const fromIndex = stages.indexOf(from);
  const toIndex = stages.indexOf(to);
  // Forward = to a later open stage or to won. Lost may be reached from anywhere: a deal can be lost at any stage.
  const forward = from.kind === 'open' && to.kind !== 'lost' && toIndex > fromIndex;
  if (forward) {
    const criteria = await criteriaOf(trx, [from.id]);
    if (criteria.length) {
      const checked = new Set(
        (await trx.selectFrom('opportunity_criteria_checks').select('criterion_id').where('opportunity_id', '=', deal.id).where('criterion_id', 'in', criteria.map((c) => c.id)).execute()).map(
          (r) => r.criterion_id,
        ),
      );
      const unmet = criteria.filter((c) => !checked.has(c.id)).map((c) => c.label);
      if (unmet.length) return { ok: false, error: 'criteriaUnmet', unmet };
    }
  }
  const reason = (opts.reason ?? '').trim().slice(0, 500);
  if (to.kind !== 'open' && reason === '') return { ok: false, error: 'reasonRequired' };

  if (opts.amount) deal = await changeAmount(trx, ctx, deal, opts.amount.fen, opts.amount.source);
  const now = nowIso();
  const daysIn = wholeDaysBetween(deal.stage_entered_at, now);
  const status = to.kind === 'open' ? 'open' : to.kind;
  const update = {
    stage_id: to.id,
    status,
    probability: to.probability,
    stage_entered_at: now,
    closed_at: to.kind === 'open' ? null : now,
    close_reason: to.kind === 'open' ? '' : reason,
  };
  await trx.updateTable('opportunities').set({ ...update, updated_at: now }).where('id', '=', deal.id).execute();
  await changeDealTotals(trx, deal, { ...deal, stage_id: to.id, probability: to.probability });
  await trx
    .insertInto('opportunity_stage_history')
    .values({ opportunity_id: deal.id, from_stage_id: from.id, to_stage_id: to.id, changed_at: now, changed_by: viewer.id, amount_fen: deal.amount_fen, expected_close_date: deal.expected_close_date, days_in_from_stage: daysIn })
    .execute();
  await createStageTasks(trx, deal, to.id, now);
  await recordStageMove(trx, { opportunityId: deal.id, pipelineId: deal.pipeline_id, fromStageId: from.id, toStageId: to.id, toKind: to.kind as StageKind, at: now, createdAt: deal.created_at, amountFen: deal.amount_fen, daysInFromStage: daysIn, ownerId: deal.owner_id });
  const changes = diff(
    { stage_id: deal.stage_id, status: deal.status, probability: deal.probability, closed_at: deal.closed_at, close_reason: deal.close_reason },
    { stage_id: to.id, status, probability: to.probability, closed_at: update.closed_at, close_reason: update.close_reason },
  );
  await audit(trx, ctx, { action: 'update', entity: 'opportunity', entityId: deal.id, summary: `${deal.name}: ${from.name} → ${to.name}`.slice(0, 200), changes });
  await refreshOpportunityRisk(trx, [deal.id]);
  return { ok: true };
}

/** Checks or unchecks an exit criterion of the deal's current stage. false → not found (deal or criterion). */
export async function setCriterionCheck(db: Db, viewer: Viewer, ctx: AuditContext, id: number, criterionId: number, checked: boolean): Promise<boolean> {
  return writeTransaction(db, async (trx) => {
    const deal = await dealInScope(trx, viewer, id);
    if (!deal) return false;
    const criterion = await trx.selectFrom('stage_exit_criteria').select(['id', 'label', 'stage_id']).where('id', '=', criterionId).executeTakeFirst();
    if (!criterion || criterion.stage_id !== deal.stage_id) return false;
    const existing = await trx.selectFrom('opportunity_criteria_checks').select('criterion_id').where('opportunity_id', '=', id).where('criterion_id', '=', criterionId).executeTakeFirst();
    if (Boolean(existing) === checked) return true;
    if (checked) await trx.insertInto('opportunity_criteria_checks').values({ opportunity_id: id, criterion_id: criterionId, checked_by: viewer.id, checked_at: nowIso() }).execute();
    else await trx.deleteFrom('opportunity_criteria_checks').where('opportunity_id', '=', id).where('criterion_id', '=', criterionId).execute();
    await trx.updateTable('opportunities').set({ updated_at: nowIso() }).where('id', '=', id).execute();
    await audit(trx, ctx, { action: 'update', entity: 'opportunity', entityId: id, summary: `${deal.name}: ${criterion.label}`.slice(0, 200), changes: { [`criterion:${criterionId}`]: [!checked, checked] } });
    return true;
  });
}

/** Managers (and above) add a team member to a deal in their scope. */
export async function addMember(db: Db, viewer: Viewer, ctx: AuditContext, id: number, userId: number): Promise<'ok' | 'notFound' | 'badUser'> {
  if (!canAssign(viewer)) return 'notFound';
  return writeTransaction(db, async (trx) => {
    const deal = await dealInScope(trx, viewer, id);
    if (!deal) return 'notFound';
    const user = await assignableUser(trx, viewer, userId);
    if (!user || user.id === deal.owner_id) return 'badUser';
    const exists = await trx.selectFrom('record_members').select('user_id').where('entity', '=', 'opportunities').where('record_id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    if (exists) return 'ok';
    await trx.insertInto('record_members').values({ entity: 'opportunities', record_id: id, user_id: userId, role: 'member', created_at: nowIso() }).execute();
    await audit(trx, ctx, { action: 'update', entity: 'opportunity', entityId: id, summary: `${deal.name}: + ${user.display_name}`.slice(0, 200), changes: { member_added: [null, userId] } });
    return 'ok';
  });
}

export async function removeMember(db: Db, viewer: Viewer, ctx: AuditContext, id: number, userId: number): Promise<boolean> {
  if (!canAssign(viewer)) return false;
  return writeTransaction(db, async (trx) => {
    const deal = await dealInScope(trx, viewer, id);
    if (!deal) return false;
    const res = await trx.deleteFrom('record_members').where('entity', '=', 'opportunities').where('record_id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) return false;
    await audit(trx, ctx, { action: 'update', entity: 'opportunity', entityId: id, summary: deal.name, changes: { member_removed: [userId, null] } });
    return true;
  });
}
