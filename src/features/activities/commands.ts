import { refreshOpportunityRisk } from '../alerts/queries.ts';
import type { Db } from '../../db/index.ts';
import { nowIso, writeTransaction } from '../../db/index.ts';
import { audit, diff, type AuditContext } from '../../audit/index.ts';
import { scope, type Viewer } from '../../access/index.ts';
import type { Messages } from '../../i18n/index.ts';
import { isVisibleRecord, type LinkTable } from './queries.ts';
import type { CompletionInput, CreateActivityInput, UpdateActivityInput } from './schemas.ts';
import { localToUtc } from './time.ts';

type ErrorKey = keyof Messages['activities']['errors'] | 'alreadyClosed';
export type ActivityResult = { ok: true; id: number } | { ok: false; notFound?: true; errors: Record<string, ErrorKey> };

type Links = { customer_id: number | null; contact_id: number | null; lead_id: number | null };
type Before = Links & { opportunity_id?: number | null };

/**
 * Keeps customers.last_activity_at in step: the latest activity on the customer that has happened — done, or
 * planned but already in the past — and never a time in the future. The public-pool job (customers feature)
 * returns a customer to the pool when this is older than N days, so every write that creates, moves or completes
 * an activity on a customer calls this inside its own transaction. It only ever moves the time forward.
 */
export async function touchCustomerActivity(trx: Db, customerId: number | null, activity: { starts_at: string; status: string }, now = nowIso()): Promise<void> {
  if (!customerId || activity.status === 'cancelled') return;
  if (activity.status !== 'done' && activity.starts_at > now) return;
  const at = activity.starts_at < now ? activity.starts_at : now;
  await trx
    .updateTable('customers')
    .set({ last_activity_at: at })
    .where('id', '=', customerId)
    .where((eb) => eb.or([eb('last_activity_at', 'is', null), eb('last_activity_at', '<', at)]))
    .execute();
}

/** The same rule for a deal's last activity, which the stalled-deal alert reads (opportunities.last_activity_at). */
export async function touchOpportunityActivity(trx: Db, opportunityId: number | null | undefined, activity: { starts_at: string; status: string }, now = nowIso()): Promise<void> {
  if (!opportunityId) return;
  if (activity.status !== 'cancelled' && (activity.status === 'done' || activity.starts_at <= now)) {
    const at = activity.starts_at < now ? activity.starts_at : now;
    await trx
      .updateTable('opportunities')
      .set({ last_activity_at: at })
      .where('id', '=', opportunityId)
      .where((eb) => eb.or([eb('last_activity_at', 'is', null), eb('last_activity_at', '<', at)]))
      .execute();
  }
  // Past and planned activities both move the stalled-deal clock (a planned one when its time comes).
  await refreshOpportunityRisk(trx, [opportunityId]);
}

interface Prepared {
  values: Links & {
    opportunity_id: number | null;
    type: string;
    subject: string;
    starts_at: string;
    duration_minutes: number;
    location: string;
    outcome: string;
    next_step: string;
    remind_at: string | null;
  };
  participants: number[];
}

/** Checks what zod cannot: local times in the company zone, links the viewer may see, participants. */
async function prepare(trx: Db, viewer: Viewer, input: UpdateActivityInput, zone: string, ownerId: number, before: Before | null): Promise<{ ok: true; p: Prepared } | { ok: false; errors: Record<string, ErrorKey> }> {
  const errors: Record<string, ErrorKey> = {};
  const startsAt = localToUtc(input.starts_at, zone);
  if (!startsAt) errors.starts_at = 'dateTime';
  let remindAt: string | null = null;
  if (input.remind_at) {
    remindAt = localToUtc(input.remind_at, zone);
    if (!remindAt) errors.remind_at = 'dateTime';
    else if (startsAt && remindAt > startsAt) errors.remind_at = 'remindAfterStart';
  }
  const links: Links = { customer_id: input.customer_id, contact_id: input.contact_id, lead_id: input.lead_id };
  const tables: [keyof Links, LinkTable][] = [
    ['customer_id', 'customers'],
    ['contact_id', 'contacts'],
    ['lead_id', 'leads'],
  ];
  for (const [field, table] of tables) {
    const id = links[field];
    // A link kept unchanged on edit stays even if the editor cannot see that record (e.g. a participant editing).
    if (id && id !== before?.[field] && !(await isVisibleRecord(trx, viewer, table, id))) errors[field] = 'notVisible';
  }
  // A deal: linked from the deal's pages (contact plan, "log activity"); kept on edit when the form does not carry it.
  // A deal the viewer may not see is refused; its customer becomes the activity's customer when none was chosen.
  const opportunityId = input.opportunity_id ?? before?.opportunity_id ?? null;
  if (opportunityId && opportunityId !== before?.opportunity_id) {
    const deal = await trx
      .selectFrom('opportunities as o')
      .select(['o.id', 'o.customer_id'])
      .where('o.id', '=', opportunityId)
      .where(scope(viewer, 'opportunities', { alias: 'o' }))
      .executeTakeFirst();
    if (!deal) errors.opportunity_id = 'notVisible';
    else if (!links.customer_id && (await isVisibleRecord(trx, viewer, 'customers', deal.customer_id))) links.customer_id = deal.customer_id;
  }
  // A contact of a customer: the activity also counts for that customer (its timeline and last activity).
  if (!errors.contact_id && links.contact_id && !links.customer_id) {
    const c = await trx.selectFrom('contacts').select('customer_id').where('id', '=', links.contact_id).executeTakeFirst();
    if (c?.customer_id && (await isVisibleRecord(trx, viewer, 'customers', c.customer_id))) links.customer_id = c.customer_id;
  }
  const wanted = input.participants.filter((id) => id !== ownerId);
  if (wanted.length > 0) {
    const found = await trx.selectFrom('users').select('id').where('id', 'in', wanted).where('active', '=', 1).where('role', '!=', 'admin').execute();
    if (found.length !== wanted.length) errors.participants = 'participant';
  }
  if (Object.keys(errors).length > 0 || !startsAt) return { ok: false, errors };
  return {
    ok: true,
    p: {
      values: {
        type: input.type,
        subject: input.subject,
        starts_at: startsAt,
        duration_minutes: input.duration_minutes,
        location: input.location,
        outcome: input.outcome,
        next_step: input.next_step,
        remind_at: remindAt,
        ...links,
        opportunity_id: opportunityId,
      },
      participants: wanted,
    },
  };
}

async function setParticipants(trx: Db, activityId: number, userIds: number[]): Promise<void> {
  await trx.deleteFrom('record_members').where('entity', '=', 'activities').where('record_id', '=', activityId).execute();
  if (userIds.length === 0) return;
  const now = nowIso();
  await trx
    .insertInto('record_members')
    .values(userIds.map((user_id) => ({ entity: 'activities', record_id: activityId, user_id, role: 'participant', created_at: now })))
    .execute();
}

/** Logs or plans an activity owned by the viewer. */
export async function createActivity(db: Db, viewer: Viewer, ctx: AuditContext, input: CreateActivityInput, zone: string): Promise<ActivityResult> {
  return writeTransaction(db, async (trx): Promise<ActivityResult> => {
    const prepared = await prepare(trx, viewer, input, zone, viewer.id, null);
    const errors = prepared.ok ? {} : { ...prepared.errors };
    if (input.status === 'done' && input.type !== 'task' && !input.outcome) errors.outcome = 'outcomeRequired';
    if (!prepared.ok || Object.keys(errors).length > 0) return { ok: false, errors };
    const now = nowIso();
    const row = { ...prepared.p.values, status: input.status, completed_at: input.status === 'done' ? now : null, owner_id: viewer.id };
    const { id } = await trx
      .insertInto('activities')
      .values({ ...row, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await setParticipants(trx, id, prepared.p.participants);
    await touchCustomerActivity(trx, row.customer_id, row, now);
    await touchOpportunityActivity(trx, row.opportunity_id, row, now);
    await audit(trx, ctx, { action: 'create', entity: 'activity', entityId: id, summary: input.subject, changes: diff(null, { ...row, participants: prepared.p.participants }) });
    return { ok: true, id };
  });
}

async function findForWrite(trx: Db, viewer: Viewer, id: number) {
  return trx
    .selectFrom('activities as a')
    .selectAll('a')
    .where('a.id', '=', id)
    .where(scope(viewer, 'activities', { alias: 'a' }))
    .executeTakeFirst();
}

async function participantIds(trx: Db, id: number): Promise<number[]> {
  const rows = await trx.selectFrom('record_members').select('user_id').where('entity', '=', 'activities').where('record_id', '=', id).orderBy('user_id').execute();
  return rows.map((r) => r.user_id);
}

/** Edits an activity the viewer can see (not a cancelled one). Status changes go through completion/cancellation. */
export async function updateActivity(db: Db, viewer: Viewer, ctx: AuditContext, id: number, input: UpdateActivityInput, zone: string): Promise<ActivityResult> {
  return writeTransaction(db, async (trx): Promise<ActivityResult> => {
    const before = await findForWrite(trx, viewer, id);
    if (!before) return { ok: false, notFound: true, errors: {} };
    if (before.status === 'cancelled') return { ok: false, errors: { _form: 'alreadyClosed' } };
    const prepared = await prepare(trx, viewer, input, zone, before.owner_id, before);
    const errors = prepared.ok ? {} : { ...prepared.errors };
    if (before.status === 'done' && input.type !== 'task' && !input.outcome) errors.outcome = 'outcomeRequired';
    if (!prepared.ok || Object.keys(errors).length > 0) return { ok: false, errors };
    const now = nowIso();
    await trx.updateTable('activities').set({ ...prepared.p.values, updated_at: now }).where('id', '=', id).execute();
    const oldParticipants = await participantIds(trx, id);
    await setParticipants(trx, id, prepared.p.participants);
    await touchCustomerActivity(trx, prepared.p.values.customer_id, { starts_at: prepared.p.values.starts_at, status: before.status }, now);
    await touchOpportunityActivity(trx, prepared.p.values.opportunity_id, { starts_at: prepared.p.values.starts_at, status: before.status }, now);
    const pick = (r: Record<string, unknown>) => Object.fromEntries(Object.keys(prepared.p.values).map((k) => [k, r[k]]));
    const changes = diff({ ...pick(before), participants: oldParticipants }, { ...prepared.p.values, participants: [...prepared.p.participants].sort((a, b) => a - b) });
    if (Object.keys(changes).length > 0) await audit(trx, ctx, { action: 'update', entity: 'activity', entityId: id, summary: input.subject, changes });
    return { ok: true, id };
  });
}

/** Marks a planned activity done with its outcome (a task may close without one). */
export async function completeActivity(db: Db, viewer: Viewer, ctx: AuditContext, id: number, input: CompletionInput): Promise<ActivityResult> {
  return writeTransaction(db, async (trx): Promise<ActivityResult> => {
    const before = await findForWrite(trx, viewer, id);
    if (!before) return { ok: false, notFound: true, errors: {} };
    if (before.status !== 'planned') return { ok: false, errors: { _form: 'alreadyClosed' } };
    if (before.type !== 'task' && !input.outcome) return { ok: false, errors: { outcome: 'outcomeRequired' } };
    const now = nowIso();
    const after = { status: 'done', completed_at: now, outcome: input.outcome || before.outcome, next_step: input.next_step || before.next_step };
    await trx.updateTable('activities').set({ ...after, updated_at: now }).where('id', '=', id).execute();
    await touchCustomerActivity(trx, before.customer_id, { starts_at: before.starts_at, status: 'done' }, now);
    await touchOpportunityActivity(trx, before.opportunity_id, { starts_at: before.starts_at, status: 'done' }, now);
    await audit(trx, ctx, {
      action: 'update',
      entity: 'activity',
      entityId: id,
      summary: before.subject,
      changes: diff({ status: before.status, completed_at: before.completed_at, outcome: before.outcome, next_step: before.next_step }, after),
    });
    return { ok: true, id };
  });
}

/** Cancels a planned activity. */
export async function cancelActivity(db: Db, viewer: Viewer, ctx: AuditContext, id: number): Promise<ActivityResult> {
  return writeTransaction(db, async (trx): Promise<ActivityResult> => {
    const before = await findForWrite(trx, viewer, id);
    if (!before) return { ok: false, notFound: true, errors: {} };
    if (before.status !== 'planned') return { ok: false, errors: { _form: 'alreadyClosed' } };
    await trx.updateTable('activities').set({ status: 'cancelled', updated_at: nowIso() }).where('id', '=', id).execute();
    await audit(trx, ctx, { action: 'update', entity: 'activity', entityId: id, summary: before.subject, changes: { status: [before.status, 'cancelled'] } });
    return { ok: true, id };
  });
}

