import type { Db } from '../../db/index.ts';
import { nowIso, writeTransaction } from '../../db/index.ts';
import { audit, diff, type AuditContext } from '../../audit/index.ts';
import type { DepartmentInput } from './schemas.ts';

export type DepartmentError = 'cycle' | 'duplicate' | 'hasChildren' | 'hasUsers' | 'notFound';
export type CommandResult = { ok: true; id: number } | { ok: false; error: DepartmentError; field: string };

async function siblingNameTaken(trx: Db, name: string, parentId: number | null, exceptId?: number): Promise<boolean> {
  let q = trx.selectFrom('departments').select('id').where('name', '=', name);
  q = parentId === null ? q.where('parent_id', 'is', null) : q.where('parent_id', '=', parentId);
  if (exceptId) q = q.where('id', '!=', exceptId);
  return Boolean(await q.executeTakeFirst());
}

async function parentPath(trx: Db, parentId: number | null): Promise<string | null> {
  if (parentId === null) return '/';
  const parent = await trx.selectFrom('departments').select('path').where('id', '=', parentId).executeTakeFirst();
  return parent ? parent.path : null;
}

export async function createDepartment(db: Db, ctx: AuditContext, input: DepartmentInput): Promise<CommandResult> {
  return writeTransaction(db, async (trx) => {
    const base = await parentPath(trx, input.parent_id);
    if (base === null) return { ok: false, error: 'notFound', field: 'parent_id' };
    if (await siblingNameTaken(trx, input.name, input.parent_id)) return { ok: false, error: 'duplicate', field: 'name' };
    const now = nowIso();
    const { id } = await trx
      .insertInto('departments')
      .values({ name: input.name, parent_id: input.parent_id, manager_id: input.manager_id, sort_order: input.sort_order, path: '', created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx.updateTable('departments').set({ path: `${base}${id}/` }).where('id', '=', id).execute();
    await audit(trx, ctx, { action: 'create', entity: 'department', entityId: id, summary: input.name, changes: diff(null, input) });
    return { ok: true, id };
  });
}

export async function updateDepartment(db: Db, ctx: AuditContext, id: number, input: DepartmentInput): Promise<CommandResult> {
  return writeTransaction(db, async (trx) => {
    const before = await trx.selectFrom('departments').select(['name', 'parent_id', 'manager_id', 'sort_order', 'path']).where('id', '=', id).executeTakeFirst();
    if (!before) return { ok: false, error: 'notFound', field: 'name' };
    const base = await parentPath(trx, input.parent_id);
    if (base === null) return { ok: false, error: 'notFound', field: 'parent_id' };
    // Moving under itself or a descendant would make a loop: the new parent's path must not contain this one's.
    if (input.parent_id === id || base.startsWith(before.path)) return { ok: false, error: 'cycle', field: 'parent_id' };
    if (await siblingNameTaken(trx, input.name, input.parent_id, id)) return { ok: false, error: 'duplicate', field: 'name' };

    const newPath = `${base}${id}/`;
    await trx
      .updateTable('departments')
      .set({ name: input.name, parent_id: input.parent_id, manager_id: input.manager_id, sort_order: input.sort_order, path: newPath, updated_at: nowIso() })
      .where('id', '=', id)
      .execute();
    if (newPath !== before.path) {
      const descendants = await trx.selectFrom('departments').select(['id', 'path']).where('path', 'like', `${before.path}%`).where('id', '!=', id).execute();
      for (const d of descendants) {
        await trx.updateTable('departments').set({ path: newPath + d.path.slice(before.path.length) }).where('id', '=', d.id).execute();
      }
    }
    const { path: _p, ...old } = before;
    const changes = diff(old, input);
    if (Object.keys(changes).length > 0) await audit(trx, ctx, { action: 'update', entity: 'department', entityId: id, summary: input.name, changes });
    return { ok: true, id };
  });
}

export async function deleteDepartment(db: Db, ctx: AuditContext, id: number): Promise<CommandResult> {
  return writeTransaction(db, async (trx) => {
    const before = await trx.selectFrom('departments').select(['name', 'parent_id', 'manager_id', 'sort_order']).where('id', '=', id).executeTakeFirst();
    if (!before) return { ok: false, error: 'notFound', field: 'name' };
    const child = await trx.selectFrom('departments').select('id').where('parent_id', '=', id).executeTakeFirst();
    if (child) return { ok: false, error: 'hasChildren', field: 'name' };
    const member = await trx.selectFrom('users').select('id').where('department_id', '=', id).executeTakeFirst();
    if (member) return { ok: false, error: 'hasUsers', field: 'name' };
    await trx.deleteFrom('departments').where('id', '=', id).execute();
    await audit(trx, ctx, { action: 'delete', entity: 'department', entityId: id, summary: before.name, changes: diff(before, null) });
    return { ok: true, id };
  });
}
