import type { Db } from '../../db/index.ts';
import { scope, type Viewer } from '../../access/index.ts';

export interface CommitteeMember {
  id: number;
  contactId: number;
  name: string;
  title: string;
  department: string;
  role: string;
  attitude: string;
  influence: string;
  reportsToId: number | null;
  notes: string;
}

export interface PlannedContact {
  id: number;
  type: string;
  subject: string;
  startsAt: string;
  status: string;
}

export interface TreeNode {
  member: CommitteeMember;
  children: TreeNode[];
}

export interface DecisionTreePanel {
  opportunity: { id: number; name: string; customerId: number; customerName: string };
  members: CommitteeMember[];
  /** Members nested under whom they report to; those reporting to no member are the roots. */
  tree: TreeNode[];
  /** The customer's contacts the viewer can see that are not on the committee yet. */
  candidates: { id: number; name: string; title: string }[];
  /** Activities linked to the deal, per committee member (by member id), soonest first. */
  plan: Record<number, PlannedContact[]>;
}

/** The deal as the viewer may see it (scope rule), or undefined. */
export async function visibleOpportunity(db: Db, viewer: Viewer, opportunityId: number) {
  return db
    .selectFrom('opportunities as o')
    .innerJoin('customers as c', 'c.id', 'o.customer_id')
    .select(['o.id', 'o.name', 'o.customer_id', 'c.name as customer_name'])
    .where('o.id', '=', opportunityId)
    .where(scope(viewer, 'opportunities', { alias: 'o' }))
    .executeTakeFirst();
}

export async function committeeMembers(db: Db, opportunityId: number): Promise<CommitteeMember[]> {
  const rows = await db
    .selectFrom('opportunity_contacts as m')
    .innerJoin('contacts as ct', 'ct.id', 'm.contact_id')
    .select(['m.id', 'm.contact_id', 'ct.name', 'ct.title', 'ct.department', 'm.role', 'm.attitude', 'm.influence', 'm.reports_to_id', 'm.notes'])
    .where('m.opportunity_id', '=', opportunityId)
    .orderBy('m.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    contactId: r.contact_id,
    name: r.name,
    title: r.title,
    department: r.department,
    role: r.role,
    attitude: r.attitude,
    influence: r.influence,
    reportsToId: r.reports_to_id,
    notes: r.notes,
  }));
}

/** Nests members under their superiors; a member whose superior is missing (or a loop, never stored) is a root. */
export function buildTree(members: CommitteeMember[]): TreeNode[] {
  const nodes = new Map(members.map((m) => [m.id, { member: m, children: [] as TreeNode[] }]));
  const roots: TreeNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.member.reportsToId === null ? undefined : nodes.get(node.member.reportsToId);
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  // A loop (which commands refuse) would leave nodes unreachable; show them as roots rather than lose them.
  const seen = new Set<number>();
  const walk = (n: TreeNode) => {
    if (seen.has(n.member.id)) return;
    seen.add(n.member.id);
    n.children.forEach(walk);
  };
  roots.forEach(walk);
  for (const node of nodes.values()) if (!seen.has(node.member.id)) {
    const parent = nodes.get(node.member.reportsToId ?? -1);
    if (parent) parent.children = parent.children.filter((c) => c !== node);
    roots.push(node);
    walk(node);
  }
  return roots;
}

/** Would `memberId` reporting to `reportsToId` close a loop? */
export function makesLoop(members: Pick<CommitteeMember, 'id' | 'reportsToId'>[], memberId: number, reportsToId: number | null): boolean {
  const up = new Map(members.map((m) => [m.id, m.reportsToId]));
  let cur = reportsToId;
  for (let i = 0; cur !== null && i <= members.length; i += 1) {
    if (cur === memberId) return true;
    cur = up.get(cur) ?? null;
  }
  return false;
}

/** A contact of the deal's customer that the viewer can see, or undefined. */
export async function visibleCustomerContact(db: Db, viewer: Viewer, customerId: number, contactId: number) {
  return db
    .selectFrom('contacts as ct')
    .select(['ct.id', 'ct.name'])
    .where('ct.id', '=', contactId)
    .where('ct.customer_id', '=', customerId)
    .where(scope(viewer, 'contacts', { alias: 'ct' }))
    .executeTakeFirst();
}

/** Everything the decision-tree panel shows, or null when the viewer may not see the deal. */
export async function decisionTreePanel(db: Db, viewer: Viewer, opportunityId: number): Promise<DecisionTreePanel | null> {
  const o = await visibleOpportunity(db, viewer, opportunityId);
  if (!o) return null;
  const members = await committeeMembers(db, o.id);
  const onCommittee = new Set(members.map((m) => m.contactId));
  const contacts = await db
    .selectFrom('contacts as ct')
    .select(['ct.id', 'ct.name', 'ct.title'])
    .where('ct.customer_id', '=', o.customer_id)
    .where(scope(viewer, 'contacts', { alias: 'ct' }))
    .orderBy('ct.name')
    .limit(500)
    .execute();
  const plan: Record<number, PlannedContact[]> = {};
  if (members.length > 0) {
    const activities = await db
      .selectFrom('activities as a')
      .select(['a.id', 'a.type', 'a.subject', 'a.starts_at', 'a.status', 'a.contact_id'])
      .where('a.opportunity_id', '=', o.id)
      .where('a.contact_id', 'in', members.map((m) => m.contactId))
      .where(scope(viewer, 'activities', { alias: 'a' }))
      .orderBy('a.starts_at')
      .limit(500)
      .execute();
    for (const m of members) {
      plan[m.id] = activities
        .filter((a) => a.contact_id === m.contactId)
        .map((a) => ({ id: a.id, type: a.type, subject: a.subject, startsAt: a.starts_at, status: a.status }));
    }
  }
  return {
    opportunity: { id: o.id, name: o.name, customerId: o.customer_id, customerName: o.customer_name },
    members,
    tree: buildTree(members),
    candidates: contacts.filter((c) => !onCommittee.has(c.id)),
    plan,
  };
}
