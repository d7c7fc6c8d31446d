import type { Expression, SqlBool } from 'kysely';
import { sql } from 'kysely';
import type { Language, Role } from '../db/types.ts';

/**
 * The signed-in user as every query sees it. Built by the session plugin and shared by the requests of a session
 * while the data is unchanged (decision 0019): read-only, and frozen at run time.
 */
export interface Viewer {
  readonly id: number;
  readonly username: string;
  readonly displayName: string;
  readonly role: Role;
  readonly departmentId: number | null;
  /** The viewer's department and every department below it (for managers' scope). */
  readonly departmentIds: readonly number[];
  readonly language: Language;
  readonly mustChangePassword: boolean;
  /**
   * The record types (record_members.entity) in which the viewer is a member of at least one record. Where they are
   * a member of none — most of the time — the scope needs no membership clause, and the list can walk the owner's
   * sort index instead of sorting every visible row.
   */
  readonly memberOf: ReadonlySet<string>;
  /** Unread in-app notifications (the bell), read from the user row the session already loads. */
  readonly unreadNotifications?: number;
}

/** Roles that see every business record. */
const SEES_ALL: ReadonlySet<Role> = new Set<Role>(['sales_director', 'general_manager']);

export const isAdmin = (v: Viewer): boolean => v.role === 'admin';
export const seesAllRecords = (v: Viewer): boolean => SEES_ALL.has(v.role);
export const isManager = (v: Viewer): boolean => v.role === 'sales_manager';

/** The viewer's departments (their own and those below it) as an SQL list: `in (${departmentList(viewer)})`. */
const departmentList = (viewer: Viewer) => sql.join(viewer.departmentIds.map((d) => sql`${d}`));

/** `owner in (the users of the viewer's departments)`: a manager's team, as every scope shape writes it. */
const inTeam = (viewer: Viewer, owner: Expression<unknown>) =>
  sql<SqlBool>`${owner} in (select su.id from users su where su.department_id in (${departmentList(viewer)}))`;

/**
 * THE data-scope rule. Every query on an owned business table (one with `owner_id`) adds this condition:
 * - sales_rep: rows they own, or rows they are a member of (record_members: e.g. an opportunity's team);
 * - sales_manager: rows owned by anyone in their department subtree, plus rows they own or are a member of;
 * - sales_director, general_manager: every row;
 * - admin: no business rows (admins run settings and users, not sales data).
 * With `includePool`, rows without an owner (the customers' public pool) are visible to every sales role too.
 * `alias` is the name the table has in the query (defaults to the table name); `entity` names the
 * record type in record_members (defaults to the table name).
 */
export function scope(viewer: Viewer, table: string, opts: { alias?: string; entity?: string; includePool?: boolean } = {}): Expression<SqlBool> {
  const alias = opts.alias ?? table;
  const entity = opts.entity ?? table;
  if (seesAllRecords(viewer)) return sql<SqlBool>`1 = 1`;
  if (isAdmin(viewer)) return sql<SqlBool>`1 = 0`;

  const owner = sql.ref(`${alias}.owner_id`);
  // The public pool (公海): rows without an owner, open to every sales user for reading and claiming.
  if (opts.includePool) {
    const { includePool: _p, ...rest } = opts;
    return sql<SqlBool>`(${owner} is null or ${scope(viewer, table, rest)})`;
  }
  const id = sql.ref(`${alias}.id`);
  const isMember = viewer.memberOf.has(entity);
  const member = sql<SqlBool>`${id} in (select rm.record_id from record_members rm where rm.user_id = ${viewer.id} and rm.entity = ${entity})`;

  if (isManager(viewer) && viewer.departmentIds.length > 0) {
    const team = inTeam(viewer, owner);
    return isMember ? sql<SqlBool>`(${owner} = ${viewer.id} or ${team} or ${member})` : sql<SqlBool>`(${owner} = ${viewer.id} or ${team})`;
  }
  return isMember ? sql<SqlBool>`(${owner} = ${viewer.id} or ${member})` : sql<SqlBool>`${owner} = ${viewer.id}`;
}

/**
 * owner_id of the rows that hold the whole company (every owner added up) in the owner-keyed summary tables
 * (deal_totals, stage_month_stats). User ids start at 1, so 0 is never a person. Their owner keys: a user's id (> 0),
 * the whole company (0), a department (< 0, departmentKey).
 */
export const WHOLE_COMPANY = 0;

/**
 * owner_id of the rows that hold one department's own members added up (not its sub-departments) in the owner-keyed
 * summary tables: a department's scope is the keys of the departments of its subtree.
 */
export const departmentKey = (departmentId: number): number => -departmentId;

/**
 * The owner keys whose summary rows add up exactly the records ownerKeyScope covers: the whole company for those who
 * see every record; a manager's departments (their own department is one of them, so their own records are in its
 * rows); a rep's own id; none for an admin.
 */
export function ownerSummaryKeys(viewer: Viewer): number[] {
  if (seesAllRecords(viewer)) return [WHOLE_COMPANY];
  if (isAdmin(viewer)) return [];
  if (isManager(viewer) && viewer.departmentIds.length > 0) return viewer.departmentIds.map(departmentKey);
  return [viewer.id];
}

/**
 * The scope rule for rows keyed by owner alone — summary tables such as deal_totals, whose `column` holds the owner
 * of the records it adds up: the owners whose records the viewer sees by ownership (their own, their team's, or
 * everyone's). Records seen only as a team member are `memberOnlyScope`: together the two are exactly `scope`.
 */
export function ownerKeyScope(viewer: Viewer, column: string): Expression<SqlBool> {
  if (seesAllRecords(viewer)) return sql<SqlBool>`1 = 1`;
  if (isAdmin(viewer)) return sql<SqlBool>`1 = 0`;
  const owner = sql.ref(column);
  if (isManager(viewer) && viewer.departmentIds.length > 0) {
    return sql<SqlBool>`(${owner} = ${viewer.id} or ${inTeam(viewer, owner)})`;
  }
  return sql<SqlBool>`${owner} = ${viewer.id}`;
}

/** Above this many memberships the member-only part stays a subquery (a long list costs more to bind than it saves). */
export const MEMBER_ID_LIST_MAX = 200;

/**
 * The records of `table` the viewer sees only as a team member (record_members), not through their owner: what an
 * owner-keyed summary cannot hold, to be read from the records themselves. null when there are none to read (no
 * memberships of this type, or the viewer sees every record). `scope` = `ownerKeyScope` or this, never both.
 */
export function memberOnlyScope(viewer: Viewer, table: string, alias: string, memberIds?: readonly number[]): Expression<SqlBool> | null {
  if (seesAllRecords(viewer) || isAdmin(viewer) || !viewer.memberOf.has(table)) return null;
  const owners = ownerKeyScope(viewer, `${alias}.owner_id`);
  // The viewer's memberships as a list, when the caller read them (memberRecordIds) and they are few: SQLite then reads
  // those records by id. As a subquery it may instead walk a status or date index and test membership per row (a
  // manager's "won this quarter as a team member": every won deal of the quarter, 1.6 ms → 0.004 ms).
  const member =
    memberIds && memberIds.length <= MEMBER_ID_LIST_MAX
      ? memberIds.length === 0
        ? sql<SqlBool>`1 = 0`
        : sql<SqlBool>`${sql.ref(`${alias}.id`)} in (${sql.join(memberIds)})`
      : sql<SqlBool>`${sql.ref(`${alias}.id`)} in (select rm.record_id from record_members rm where rm.user_id = ${viewer.id} and rm.entity = ${table})`;
  // coalesce: a record without an owner is "not owned by anyone the viewer covers", not unknown.
  return sql<SqlBool>`(${member} and not coalesce(${owners}, false))`;
}

/**
 * The scope rule shaped for counting rows through an owner-first index (a count or sum over one status, no sort), as
 * disjoint parts to count one by one and add up: the owners the viewer covers (a manager's as one IN list, which
 * SQLite reads owner by owner), then the records seen only as a team member (memberOnlyScope), if any. As one
 * top-level OR, SQLite read every open deal of the company through the status index and filtered: measured on the
 * large dataset, a manager's deals at risk 21.8 → 0.3 ms (29.8 ms while they were on one other deal's team), won
 * this quarter 4.7 → 1.1 ms. Together the same rows as `scope`.
 */
export function countScopes(viewer: Viewer, table: string, alias: string, memberIds?: readonly number[]): Expression<SqlBool>[] {
  const owner = sql.ref(`${alias}.owner_id`);
  const owners =
    isManager(viewer) && viewer.departmentIds.length > 0 ? sql<SqlBool>`${owner} in (select su.id from users su where ${userScope(viewer, 'su')})` : ownerKeyScope(viewer, `${alias}.owner_id`);
  const memberOnly = memberOnlyScope(viewer, table, alias, memberIds);
  return memberOnly ? [owners, memberOnly] : [owners];
}

/** Which users' records a viewer may see — for owner filters and assignment pickers. */
export function userScope(viewer: Viewer, alias = 'users'): Expression<SqlBool> {
  if (seesAllRecords(viewer) || isAdmin(viewer)) return sql<SqlBool>`1 = 1`;
  const id = sql.ref(`${alias}.id`);
  if (isManager(viewer) && viewer.departmentIds.length > 0) {
    const dept = sql.ref(`${alias}.department_id`);
    return sql<SqlBool>`(${id} = ${viewer.id} or ${dept} in (${departmentList(viewer)}))`;
  }
  return sql<SqlBool>`${id} = ${viewer.id}`;
}

/** What userScope's condition depends on, as a string: equal keys give equal conditions (for keeping lookups by it). */
export function userScopeKey(viewer: Viewer): string {
  if (seesAllRecords(viewer) || isAdmin(viewer)) return 'all';
  if (isManager(viewer) && viewer.departmentIds.length > 0) return `${viewer.id}+${viewer.departmentIds.join(',')}`;
  return String(viewer.id);
}

export type ListView = 'all' | 'mine' | 'dept';

/** The built-in views of an owned list: "my department" only for managers and above. */
export function builtInViews(viewer: Viewer): ListView[] {
  return isManager(viewer) || seesAllRecords(viewer) ? ['all', 'mine', 'dept'] : ['all', 'mine'];
}

/** Which rows a built-in view shows, always inside the viewer's (list-shaped) scope. */
export function viewScope(viewer: Viewer, table: string, alias: string, view: ListView | undefined): Expression<SqlBool> {
  const inScope = listScope(viewer, table, alias);
  const owner = sql.ref(`${alias}.owner_id`);
  if (view === 'mine' || (view === 'dept' && viewer.departmentIds.length === 0)) return sql<SqlBool>`(${owner} = ${viewer.id} and ${inScope})`;
  if (view === 'dept') {
    return sql<SqlBool>`(${inTeam(viewer, owner)} and ${inScope})`;
  }
  return inScope;
}

/**
 * Whether walking a list with LIKE is cheap for this viewer when a search term is common: they see every record (the
 * matches are dense, a page is found at once) or only their own (a few hundred rows). A manager's team-wide list
 * would read every row of the team instead (src/db/search.ts searchCondition).
 */
export const commonByLike = (viewer: Viewer, view?: string): boolean => seesAllRecords(viewer) || !isManager(viewer) || view === 'mine';

/** Managers (for their team) and those who see everything may assign records to other owners. */
export const canAssign = (viewer: Viewer): boolean => isManager(viewer) || seesAllRecords(viewer);

/**
 * The scope rule shaped for a sorted, paged list. A rep sees few rows: as a top-level OR (own, member) SQLite fetches
 * them by index. A manager sees whole departments: as a top-level OR SQLite would fetch all of those and sort them
 * (~600 ms on 300,000 contacts); wrapped in `is true` it walks the sort index instead and stops after one page
 * (~1 ms). Same rows either way.
 */
export function listScope(viewer: Viewer, table: string, alias: string): Expression<SqlBool> {
  const inScope = scope(viewer, table, { alias });
  return viewer.role === 'sales_rep' ? inScope : sql<SqlBool>`(${inScope}) is true`;
}
