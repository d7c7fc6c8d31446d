import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, smallOrg, testApp, type Client, type TestApp } from '../helpers/app.ts';
import { newCustomer } from '../helpers/customers.ts';
import { demoPipeline, newOpportunity } from '../helpers/opportunities.ts';
import { defaultPipeline, pipelineList, stagesOf } from '../../src/features/pipelines/queries.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof smallOrg>>;
let demo: Awaited<ReturnType<typeof demoPipeline>>;
let director: Client;

beforeAll(async () => {
  t = await testApp();
  org = await smallOrg(t.db);
  demo = await demoPipeline(t.db);
  director = await signIn(t.app, 'director');
});
afterAll(async () => t.close());

const audits = (entity: string) => t.db.selectFrom('audit_log').selectAll().where('entity', '=', entity).orderBy('id').execute();

describe('the demo pipelines', () => {
  it('ships 直销 as the default with its stages in order and 渠道销售', async () => {
    expect((await defaultPipeline(t.db))?.name).toBe('直销');
    expect((await pipelineList(t.db)).map((p) => p.name)).toEqual(['直销', '渠道销售']);
    const stages = await stagesOf(t.db, demo.pipelineId);
    expect(stages.map((s) => `${s.name}:${s.probability}:${s.kind}`)).toEqual(['初步接洽:10:open', '需求确认:25:open', '方案报价:50:open', '商务谈判:75:open', '签约:100:won', '输单:0:lost']);
    expect(Number((await t.db.selectFrom('competitors').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)).toBe(10);
  });
});

describe('/settings/pipelines', () => {
  it('is 404 for reps, managers and the general manager; open to directors and admins', async () => {
    for (const u of ['rep1', 'manager1', 'gm']) {
      const c = await signIn(t.app, u);
      expect((await c.get('/settings/pipelines')).statusCode, u).toBe(404);
      expect((await c.get(`/settings/pipelines/${demo.pipelineId}`)).statusCode, u).toBe(404);
      expect((await c.post(`/settings/stages/${demo.byName('需求确认').id}`, { name: 'x', probability: '5', expected_days: '1' })).statusCode, u).toBe(404);
      expect((await c.get('/settings/competitors')).statusCode, u).toBe(404);
    }
    const page = await director.get(`/settings/pipelines/${demo.pipelineId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('完成需求调研并形成需求文档');
    expect(page.body).toContain('组织需求调研会');
    const admin = await signIn(t.app, 'admin');
    expect((await admin.get('/settings/pipelines')).statusCode).toBe(200);
  });

  it('creates a pipeline with fixed won/lost stages, adds stages, criteria and tasks (htmx fragment), validates, audits', async () => {
    const res = await director.post('/settings/pipelines', { name: '大客户', sort_order: '3', active: '1' });
    expect(res.statusCode).toBe(303);
    const id = Number(/pipelines\/(\d+)/.exec(res.headers.location as string)?.[1]);
    expect((await stagesOf(t.db, id)).map((s) => s.kind)).toEqual(['won', 'lost']);

    const bad = await director.post(`/settings/pipelines/${id}/stages`, { name: '', probability: '120', expected_days: '7' });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('此项为必填');
    expect(bad.body).toContain('value="120"');
    expect((await director.post(`/settings/pipelines/${id}/stages`, { name: '立项', probability: '20', expected_days: '10' })).statusCode).toBe(303);
    expect((await director.post(`/settings/pipelines/${id}/stages`, { name: '招标', probability: '60', expected_days: '30' })).statusCode).toBe(303);
    let stages = await stagesOf(t.db, id);
    expect(stages.map((s) => s.name)).toEqual(['立项', '招标', '签约', '输单']);
    expect(stages.map((s) => s.sort_order)).toEqual([1, 2, 3, 4]);

    const first = stages[0]!;
    const frag = await director.post(`/settings/stages/${first.id}/criteria`, { label: '取得立项批文' }, { headers: { 'hx-request': 'true', 'hx-target': `stage-${first.id}` } });
    expect(frag.statusCode).toBe(200);
    expect(frag.body).toContain(`id="stage-${first.id}"`);
    expect(frag.body).toContain('取得立项批文');
    expect(frag.body).not.toContain('<html');
    await director.post(`/settings/stages/${first.id}/tasks`, { subject: '拜访信息中心主任', due_days: '4' });
    const tpl = await t.db.selectFrom('stage_task_templates').selectAll().where('stage_id', '=', first.id).execute();
    expect(tpl.map((x) => [x.subject, x.due_days])).toEqual([['拜访信息中心主任', 4]]);

    // Reorder: 招标 up; won/lost cannot move.
    await director.post(`/settings/stages/${stages[1]!.id}/position`, { direction: 'up' });
    stages = await stagesOf(t.db, id);
    expect(stages.map((s) => s.name)).toEqual(['招标', '立项', '签约', '输单']);

    // Inline edit of a stage.
    const edit = await director.post(`/settings/stages/${first.id}`, { name: '正式立项', probability: '15', expected_days: '12' }, { headers: { 'hx-request': 'true', 'hx-target': `stage-${first.id}` } });
    expect(edit.statusCode).toBe(200);
    expect(edit.body).toContain('正式立项');
    expect((await stagesOf(t.db, id)).find((s) => s.id === first.id)).toMatchObject({ name: '正式立项', probability: 15, expected_days: 12 });

    expect((await audits('pipeline')).some((a) => a.summary === '大客户')).toBe(true);
    expect((await audits('pipeline_stage')).length).toBeGreaterThanOrEqual(4);
    expect((await audits('stage_exit_criterion')).at(-1)?.summary).toContain('取得立项批文');
  });

  it('refuses to delete a stage with deals and the final stages; deletes an empty one', async () => {
    const customer = await newCustomer(t.db, { owner: org.users.rep1 });
    await newOpportunity(t.db, { owner: org.users.rep1, customer, pipelineId: demo.pipelineId, stage: demo.byName('方案报价') });
    const withDeals = await director.post(`/settings/stages/${demo.byName('方案报价').id}/delete`);
    expect(withDeals.statusCode).toBe(303);
    expect((await director.get(`/settings/pipelines/${demo.pipelineId}`)).body).toContain('不能删除');
    expect(await stagesOf(t.db, demo.pipelineId)).toHaveLength(6);
    await director.post(`/settings/stages/${demo.byName('签约').id}/delete`);
    expect(await stagesOf(t.db, demo.pipelineId)).toHaveLength(6);
    await director.post(`/settings/stages/${demo.byName('商务谈判').id}/delete`);
    const after = await stagesOf(t.db, demo.pipelineId);
    expect(after.map((s) => s.name)).toEqual(['初步接洽', '需求确认', '方案报价', '签约', '输单']);
    expect((await audits('pipeline_stage')).at(-1)).toMatchObject({ action: 'delete', summary: '商务谈判' });
  });
});

describe('/settings/competitors', () => {
  it('adds, refuses a duplicate name, and edits a competitor', async () => {
    expect((await director.post('/settings/competitors', { name: '八百客', website: 'https://www.800app.com', notes: '', active: '1' })).statusCode).toBe(303);
    const dup = await director.post('/settings/competitors', { name: '八百客', active: '1' });
    expect(dup.statusCode).toBe(422);
    expect(dup.body).toContain('已有同名竞争对手');
    const row = await t.db.selectFrom('competitors').selectAll().where('name', '=', '八百客').executeTakeFirstOrThrow();
    expect((await director.post(`/settings/competitors/${row.id}`, { name: '八百客 CRM', website: '', notes: '已停止维护', active: '' })).statusCode).toBe(303);
    const after = await t.db.selectFrom('competitors').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    expect([after.name, after.active, after.notes]).toEqual(['八百客 CRM', 0, '已停止维护']);
    expect((await audits('competitor')).map((a) => a.action)).toEqual(['create', 'update']);
  });
});
