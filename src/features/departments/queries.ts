import type { Db } from '../../db/index.ts';

export interface DepartmentNode {
  id: number;
  name: string;
  parent_id: number | null;
  path: string;
  manager_id: number | null;
  manager_name: string | null;
  member_count: number;
  depth: number;
  children: DepartmentNode[];
}

/** All departments as a tree (ordered by sort order, then name in pinyin order), with head counts. */
export async function departmentTree(db: Db, opts: { counts?: boolean } = {}): Promise<DepartmentNode[]> {
  const rows = await db
    .selectFrom('departments as d')
    .leftJoin('users as m', 'm.id', 'd.manager_id')
    .select(['d.id', 'd.name', 'd.parent_id', 'd.path', 'd.manager_id', 'd.sort_order', 'm.display_name as manager_name'])
    .execute();
  const counts = new Map<number, number>();
  if (opts.counts !== false) {
    const byDept = await db
      .selectFrom('users')
      .select(['department_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('active', '=', 1)
      .where('department_id', 'is not', null)
      .groupBy('department_id')
      .execute();
    for (const r of byDept) counts.set(r.department_id!, Number(r.n));
  }
  const collator = new Intl.Collator('zh-CN');
  rows.sort((a, b) => a.sort_order - b.sort_order || collator.compare(a.name, b.name));
  const byId = new Map<number, DepartmentNode>();
  for (const r of rows) {
    byId.set(r.id, { id: r.id, name: r.name, parent_id: r.parent_id, path: r.path, manager_id: r.manager_id, manager_name: r.manager_name, member_count: counts.get(r.id) ?? 0, depth: 0, children: [] });
  }
  const roots: DepartmentNode[] = [];
  for (const r of rows) {
    const node = byId.get(r.id)!;
    const parent = r.parent_id ? byId.get(r.parent_id) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const setDepth = (nodes: DepartmentNode[], depth: number) => {
    for (const n of nodes) {
      n.depth = depth;
      setDepth(n.children, depth + 1);
    }
  };
  setDepth(roots, 0);
  return roots;
}

/** The tree flattened in display order, for selects ("— 华东销售部"). */
export function flatten(tree: DepartmentNode[]): DepartmentNode[] {
  const out: DepartmentNode[] = [];
  const walk = (nodes: DepartmentNode[]) => {
    for (const n of nodes) {
      out.push(n);
      walk(n.children);
    }
  };
  walk(tree);
  return out;
}

/** The tree flattened for selects: the same order as the tree, without head counts (cheap on every list page). */
export async function departmentOptions(db: Db): Promise<DepartmentNode[]> {
  return flatten(await departmentTree(db, { counts: false }));
}

export async function getDepartment(db: Db, id: number) {
  return db.selectFrom('departments').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Users who can manage a department: active managers and above. */
export async function managerCandidates(db: Db) {
  return db
    .selectFrom('users')
    .select(['id', 'display_name', 'username', 'role'])
    .where('active', '=', 1)
    .where('role', 'in', ['sales_manager', 'sales_director', 'general_manager'])
    .orderBy('display_name')
    .execute();
}
