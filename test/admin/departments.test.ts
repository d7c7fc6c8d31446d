import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, smallOrg, testApp, type Client, type TestApp } from '../helpers/app.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof smallOrg>>;
let admin: Client;
beforeAll(async () => {
  t = await testApp();
  org = await smallOrg(t.db);
  admin = await signIn(t.app, 'admin');
});
afterAll(async () => t.close());

const dept = (name: string) => t.db.selectFrom('departments').selectAll().where('name', '=', name).executeTakeFirst();

describe('departments', () => {
  it('lists the tree with managers and head counts', async () => {
    const res = await admin.get('/admin/departments');
    expect(res.body).toContain('销售中心');
    expect(res.body).toContain('上海组');
    expect(res.body.indexOf('华东销售部')).toBeLessThan(res.body.indexOf('上海组'));
  });

  it('creates a department under a parent, with its path, and audits it', async () => {
    const res = await admin.post('/admin/departments', { name: '西南销售部', parent_id: String(org.departments.centre.id), manager_id: '', sort_order: '4' });
    expect(res.statusCode).toBe(303);
    const d = await dept('西南销售部');
    expect(d?.path).toBe(`${org.departments.centre.path}${d!.id}/`);
    const log = await t.db.selectFrom('audit_log').selectAll().where('entity', '=', 'department').where('entity_id', '=', d!.id).execute();
    expect(log).toHaveLength(1);
    expect(log[0]!.action).toBe('create');
    expect(JSON.parse(log[0]!.changes).name).toEqual([null, '西南销售部']);
    expect(log[0]!.actor_id).toBe(org.users.admin.id);
  });

  it('re-renders the form with the error beside the field and keeps the input (htmx gets only the form)', async () => {
    const res = await admin.post('/admin/departments', { name: '', parent_id: String(org.departments.east.id), sort_order: '7' }, { headers: { 'hx-request': 'true', 'hx-target': 'department-form' } });
    expect(res.statusCode).toBe(422);
    expect(res.body).not.toContain('<html');
    expect(res.body).toContain('id="department-form"');
    expect(res.body).toContain('此项为必填');
    expect(res.body).toMatch(new RegExp(`<option value="${org.departments.east.id}" selected`));
    expect(res.body).toContain('value="7"');
    expect(res.headers.vary).toContain('HX-Request');
  });

  it('refuses a duplicate name under the same parent', async () => {
    const res = await admin.post('/admin/departments', { name: '华东销售部', parent_id: String(org.departments.centre.id) });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('同一上级部门下已有同名部门');
  });

  it('moves a department with its subtree, and refuses a move under its own descendant', async () => {
    const north = await admin.post('/admin/departments', { name: '华北销售部', parent_id: '' });
    expect(north.statusCode).toBe(303);
    const n = (await dept('华北销售部'))!;
    // Move 华东 (with 上海组) under 华北.
    const moved = await admin.post(`/admin/departments/${org.departments.east.id}`, { name: '华东销售部', parent_id: String(n.id), sort_order: '0' });
    expect(moved.statusCode).toBe(303);
    const team = (await dept('上海组'))!;
    expect(team.path).toBe(`${n.path}${org.departments.east.id}/${team.id}/`);
    const loop = await admin.post(`/admin/departments/${org.departments.east.id}`, { name: '华东销售部', parent_id: String(team.id) });
    expect(loop.statusCode).toBe(422);
    expect(loop.body).toContain('不能把部门移到它自己或它的下级部门之下');
    // A manager's scope follows the move (subtree from paths).
    const audit = await t.db.selectFrom('audit_log').select('changes').where('entity', '=', 'department').where('entity_id', '=', org.departments.east.id).execute();
    expect(JSON.parse(audit.at(-1)!.changes).parent_id).toEqual([org.departments.centre.id, n.id]);
  });

  it('deletes an empty department, but not one with users or sub-departments', async () => {
    const withUsers = await admin.post(`/admin/departments/${org.departments.south.id}/deletion`);
    expect(withUsers.statusCode).toBe(303);
    expect(await dept('华南销售部')).toBeDefined();
    expect((await admin.get('/admin/departments')).body).toContain('该部门下还有用户，不能删除');
    const withChildren = await admin.post(`/admin/departments/${org.departments.centre.id}/deletion`);
    expect(withChildren.statusCode).toBe(303);
    expect(await dept('销售中心')).toBeDefined();
    const empty = (await dept('西南销售部'))!;
    await admin.post(`/admin/departments/${empty.id}/deletion`);
    expect(await dept('西南销售部')).toBeUndefined();
    expect((await t.db.selectFrom('audit_log').select('action').where('entity_id', '=', empty.id).where('entity', '=', 'department').execute()).map((r) => r.action)).toEqual(['create', 'delete']);
  });

  it('answers 404 for a department that does not exist', async () => {
    expect((await admin.get('/admin/departments/99999/edit')).statusCode).toBe(404);
    expect((await admin.post('/admin/departments/99999', { name: 'x' })).statusCode).toBe(404);
  });
});
