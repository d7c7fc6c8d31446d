import { nowIso, writeTransaction, type Db } from '../../db/index.ts';
import { audit, diff, type AuditContext } from '../../audit/index.ts';
import type { Viewer } from '../../access/index.ts';
import { committeeMembers, makesLoop, visibleCustomerContact, visibleOpportunity } from './queries.ts';
import type { MemberInput } from './schemas.ts';

/** notFound: the deal, member or contact is not the viewer's to see; errors: field → message key of decisionTree.errors. */
export type CommitteeResult = { ok: true } | { ok: false; notFound: true } | { ok: false; notFound?: false; errors: Record<string, RefusalKey> };

const ENTITY = 'opportunity_contacts';
type RefusalKey = 'loop' | 'notMember' | 'duplicate' | 'contact';
const NOT_FOUND: CommitteeResult = { ok: false, notFound: true };
const OK: CommitteeResult = { ok: true };
const refuse = (field: string, key: RefusalKey): CommitteeResult => ({ ok: false, errors: { [field]: key } });

export async function addMember(db: Db, viewer: Viewer, ctx: AuditContext, opportunityId: number, input: MemberInput & { contact_id: number | null }): Promise<CommitteeResult> {
  return writeTransaction<CommitteeResult>(db, async (trx) => {
    const o = await visibleOpportunity(trx, viewer, opportunityId);
    if (!o) return NOT_FOUND;
    const contact = input.contact_id === null ? undefined : await visibleCustomerContact(trx, viewer, o.customer_id, input.contact_id);
    if (!contact) return refuse('contact_id', 'contact');
    const members = await committeeMembers(trx, o.id);
    if (members.some((m) => m.contactId === contact.id)) return refuse('contact_id', 'duplicate');
    if (input.reports_to_id !== null && !members.some((m) => m.id === input.reports_to_id)) return refuse('reports_to_id', 'notMember');
    const now = nowIso();
    const row = {
      opportunity_id: o.id,
      contact_id: contact.id,
      role: input.role,
      attitude: input.attitude,
      influence: input.influence,
      reports_to_id: input.reports_to_id,
      notes: input.notes,
    };
    const { id } = await trx.insertInto('opportunity_contacts').values({ ...row, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
    await audit(trx, ctx, { action: 'create', entity: ENTITY, entityId: id, summary: `${o.name}: ${contact.name}`, changes: diff(null, row) });
    return OK;
  });
}

export async function updateMember(db: Db, viewer: Viewer, ctx: AuditContext, opportunityId: number, memberId: number, input: MemberInput): Promise<CommitteeResult> {
  return writeTransaction<CommitteeResult>(db, async (trx) => {
    const o = await visibleOpportunity(trx, viewer, opportunityId);
    if (!o) return NOT_FOUND;
    const members = await committeeMembers(trx, o.id);
    const member = members.find((m) => m.id === memberId);
    if (!member) return NOT_FOUND;
    if (input.reports_to_id !== null && !members.some((m) => m.id === input.reports_to_id)) return refuse('reports_to_id', 'notMember');
    if (makesLoop(members, memberId, input.reports_to_id)) return refuse('reports_to_id', 'loop');
    const before = { role: member.role, attitude: member.attitude, influence: member.influence, reports_to_id: member.reportsToId, notes: member.notes };
    const after = { role: input.role, attitude: input.attitude, influence: input.influence, reports_to_id: input.reports_to_id, notes: input.notes };
    await trx.updateTable('opportunity_contacts').set({ ...after, updated_at: nowIso() }).where('id', '=', memberId).execute();
    await audit(trx, ctx, { action: 'update', entity: ENTITY, entityId: memberId, summary: `${o.name}: ${member.name}`, changes: diff(before, after) });
    return OK;
  });
}

export async function removeMember(db: Db, viewer: Viewer, ctx: AuditContext, opportunityId: number, memberId: number): Promise<CommitteeResult> {
  return writeTransaction<CommitteeResult>(db, async (trx) => {
    const o = await visibleOpportunity(trx, viewer, opportunityId);
    if (!o) return NOT_FOUND;
    const members = await committeeMembers(trx, o.id);
    const member = members.find((m) => m.id === memberId);
    if (!member) return NOT_FOUND;
    // Those who reported to the member now report to the member's own superior, so the tree stays whole.
    await trx.updateTable('opportunity_contacts').set({ reports_to_id: member.reportsToId, updated_at: nowIso() }).where('reports_to_id', '=', memberId).execute();
    await trx.deleteFrom('opportunity_contacts').where('id', '=', memberId).execute();
    const before = { contact_id: member.contactId, role: member.role, attitude: member.attitude, influence: member.influence, reports_to_id: member.reportsToId, notes: member.notes };
    await audit(trx, ctx, { action: 'delete', entity: ENTITY, entityId: memberId, summary: `${o.name}: ${member.name}`, changes: diff(before, null) });
    return OK;
  });
}
