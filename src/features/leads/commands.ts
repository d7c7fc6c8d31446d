import type { Db } from '../../db/index.ts';
import { nowIso, writeTransaction } from '../../db/index.ts';
import { audit, diff, type AuditContext } from '../../audit/index.ts';
import { scope, type Viewer } from '../../access/index.ts';
import { insertCustomer } from '../customers/commands.ts';
import type { CustomerInput } from '../customers/schemas.ts';
import { insertContact } from '../contacts/commands.ts';
import type { ContactInput } from '../contacts/schemas.ts';
import { assignableOwner, canAssign, visibleCustomer } from '../contacts/queries.ts';
import type { LeadInput } from './schemas.ts';
import { insertOpportunity } from '../opportunities/commands.ts';
import { defaultPipeline, stagesOf } from '../pipelines/queries.ts';

const FIELDS = ['source', 'company', 'person', 'title', 'mobile', 'phone', 'email', 'wechat', 'province', 'city', 'address', 'industry', 'status', 'disqualify_reason', 'notes'] as const;

function recordValues(input: LeadInput) {
  const out = {} as Record<(typeof FIELDS)[number], string>;
  for (const f of FIELDS) out[f] = input[f];
  return out;
}

/** Inserts a lead and its audit entry inside the caller's transaction (import calls this too). */
export async function insertLead(trx: Db, ctx: AuditContext, input: LeadInput, ownerId: number): Promise<number> {
  const now = nowIso();
  const values = recordValues(input);
  const { id } = await trx.insertInto('leads').values({ ...values, owner_id: ownerId, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  await audit(trx, ctx, { action: 'create', entity: 'lead', entityId: id, summary: input.company || input.person, changes: diff(null, { ...values, owner_id: ownerId }) });
  return id;
}

export async function createLead(db: Db, viewer: Viewer, ctx: AuditContext, input: LeadInput): Promise<number> {
  return writeTransaction(db, (trx) => insertLead(trx, ctx, input, viewer.id));
}

/** Saves an edit of a lead in scope. A converted lead stays qualified. false → not found. */
export async function updateLead(db: Db, viewer: Viewer, ctx: AuditContext, id: number, input: LeadInput): Promise<boolean> {
  return writeTransaction(db, async (trx) => {
    const before = await trx
      .selectFrom('leads as l')
      .select([...FIELDS.map((f) => `l.${f}` as const), 'l.converted_at'])
      .where('l.id', '=', id)
      .where(scope(viewer, 'leads', { alias: 'l' }))
      .executeTakeFirst();
    if (!before) return false;
    const { converted_at: convertedAt, ...old } = before;
    const values = recordValues(convertedAt ? { ...input, status: 'qualified', disqualify_reason: '' } : input);
    const changes = diff(old, values);
    if (Object.keys(changes).length === 0) return true;
    await trx.updateTable('leads').set({ ...values, updated_at: nowIso() }).where('id', '=', id).execute();
    await audit(trx, ctx, { action: 'update', entity: 'lead', entityId: id, summary: values.company || values.person, changes });
    return true;
  });
}

export type AssignResult = { ok: true; ownerName: string; count: number } | { ok: false; error: 'notFound' | 'badOwner' };

/** A manager (or above) hands leads in their scope to a user in their userScope; each move is audited. */
export async function assignLeads(db: Db, viewer: Viewer, ctx: AuditContext, ids: number[], ownerId: number): Promise<AssignResult> {
  if (!canAssign(viewer) || ids.length === 0) return { ok: false, error: 'notFound' };
  return writeTransaction(db, async (trx) => {
    const rows = await trx.selectFrom('leads as l').select(['l.id', 'l.company', 'l.person', 'l.owner_id']).where('l.id', 'in', ids).where(scope(viewer, 'leads', { alias: 'l' })).execute();
    if (rows.length === 0) return { ok: false, error: 'notFound' };
    const owner = await assignableOwner(trx, viewer, ownerId);
    if (!owner) return { ok: false, error: 'badOwner' };
    const now = nowIso();
    let count = 0;
    for (const r of rows) {
      if (r.owner_id === ownerId) continue;
      await trx.updateTable('leads').set({ owner_id: ownerId, updated_at: now }).where('id', '=', r.id).execute();
      await audit(trx, ctx, { action: 'update', entity: 'lead', entityId: r.id, summary: r.company || r.person, changes: { owner_id: [r.owner_id, ownerId] } });
      count += 1;
    }
    return { ok: true, ownerName: owner.display_name, count };
  });
}

export type ConversionResult =
  | { ok: true; customerId: number; contactId: number; opportunityId: number | null }
  | { ok: false; error: 'notFound' | 'alreadyConverted' }
  | { ok: false; error: 'customerNotVisible' | 'noPipeline' };

/** The deal a conversion may also open (in the default pipeline's first stage, owned by the lead's owner). */
export interface ConversionOpportunity {
  name: string;
  amountFen: number;
  /** YYYY-MM-DD */
  expectedCloseDate: string;
}

/**
 * Converts a lead in ONE transaction: a new customer (or a visible existing one), a contact at that customer,
 * and the lead marked qualified with links to both. Everything is audited; any failure writes nothing.
 * The new customer and contact belong to the lead's owner.
 */
export async function convertLead(
  db: Db,
  viewer: Viewer,
  ctx: AuditContext,
  leadId: number,
  target: { customer: CustomerInput } | { existingCustomerId: number },
  contact: Omit<ContactInput, 'kind' | 'customer_id'>,
  opportunity: ConversionOpportunity | null = null,
): Promise<ConversionResult> {
  return writeTransaction(db, async (trx) => {
    const pipeline = opportunity ? await defaultPipeline(trx) : undefined;
    const firstStage = pipeline ? (await stagesOf(trx, pipeline.id)).find((s) => s.kind === 'open') : undefined;
    if (opportunity && (!pipeline || !firstStage)) return { ok: false, error: 'noPipeline' };
    const lead = await trx
      .selectFrom('leads as l')
      .select(['l.id', 'l.company', 'l.person', 'l.owner_id', 'l.status', 'l.disqualify_reason', 'l.converted_at', 'l.customer_id', 'l.contact_id'])
      .where('l.id', '=', leadId)
      .where(scope(viewer, 'leads', { alias: 'l' }))
      .executeTakeFirst();
    if (!lead) return { ok: false, error: 'notFound' };
    if (lead.converted_at) return { ok: false, error: 'alreadyConverted' };
    let customerId: number;
    if ('existingCustomerId' in target) {
      const existing = await visibleCustomer(trx, viewer, target.existingCustomerId);
      if (!existing) return { ok: false, error: 'customerNotVisible' };
      customerId = existing.id;
    } else {
      customerId = await insertCustomer(trx, ctx, target.customer, lead.owner_id);
    }
    const contactId = await insertContact(trx, ctx, { ...contact, kind: 'customer', customer_id: customerId, organisation: '' }, lead.owner_id);
    let opportunityId: number | null = null;
    if (opportunity && pipeline && firstStage) {
      const created = await insertOpportunity(
        trx,
        viewer,
        ctx,
        {
          name: opportunity.name,
          customer_id: customerId,
          amount: opportunity.amountFen,
          expected_close_date: opportunity.expectedCloseDate,
          pipeline_id: pipeline.id,
          stage_id: firstStage.id,
          probability: null,
          source: 'lead',
          owner_id: lead.owner_id,
          competitor_ids: [],
          next_step: '',
          description: '',
        },
        { leadId },
      );
      // The customer was just made (or checked) in this transaction and the stage is the default pipeline's first:
      // a refusal here is a bug, and throwing rolls the whole conversion back.
      if (!created.ok) throw new Error(`lead conversion could not open the deal: ${JSON.stringify(created)}`);
      opportunityId = created.id;
    }
    const now = nowIso();
    await trx
      .updateTable('leads')
      .set({ converted_at: now, customer_id: customerId, contact_id: contactId, opportunity_id: opportunityId, status: 'qualified', disqualify_reason: '', updated_at: now })
      .where('id', '=', leadId)
      .execute();
    await audit(trx, ctx, {
      action: 'update',
      entity: 'lead',
      entityId: leadId,
      summary: lead.company || lead.person,
      changes: diff(
        { status: lead.status, disqualify_reason: lead.disqualify_reason, converted_at: null, customer_id: lead.customer_id, contact_id: lead.contact_id },
        { status: 'qualified', disqualify_reason: '', converted_at: now, customer_id: customerId, contact_id: contactId, ...(opportunityId ? { opportunity_id: opportunityId } : {}) },
      ),
    });
    return { ok: true, customerId, contactId, opportunityId };
  });
}
