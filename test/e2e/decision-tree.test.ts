import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserEnv } from '../helpers/browser.ts';
import { nowIso } from '../../src/db/index.ts';
import { newContact } from '../helpers/contacts.ts';
import { historyRow, newOpportunityRow, newPipeline } from '../helpers/pipeline-analytics.ts';
import { rebuildRollup } from '../../src/features/pipeline-analytics/rollup.ts';

let env: Awaited<ReturnType<typeof startBrowserEnv>>;
let opp: number;
let pipelineId: number;
beforeAll(async () => {
  env = await startBrowserEnv();
  const db = env.db;
  const rep1 = await db.selectFrom('users').select('id').where('username', '=', 'rep1').executeTakeFirstOrThrow();
  const now = nowIso();
  const { id: customerId } = await db.insertInto('customers').values({ name: '苏州工业园区晨光精密机械有限公司', owner_id: rep1.id, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  await newContact(db, { owner: rep1.id, customerId, name: '欧阳明' });
  await newContact(db, { owner: rep1.id, customerId, name: '司马静' });
  const p = await newPipeline(db, '浏览器测试管线');
  pipelineId = p.id;
  opp = await newOpportunityRow(db, { owner: rep1.id, customerId, pipelineId: p.id, stageId: p.stages.b, amountFen: 12_345_600, name: '数控车间改造', createdAt: '2026-10-01T02:00:00.000Z' });
  await historyRow(db, opp, null, p.stages.a, '2026-10-01T02:00:00.000Z', null, 12_345_600);
  await historyRow(db, opp, p.stages.a, p.stages.b, '2026-10-08T02:00:00.000Z', 7, 12_345_600);
  await rebuildRollup(db);
});
afterAll(async () => env?.close());

describe('the decision tree and pipeline analytics in the browser', () => {
  it('builds a buying committee inline, refuses a loop, and shows the funnel', async () => {
    const { page, context } = await env.newPage();
    await env.signIn(page, 'rep1');
    await page.goto(`${env.base}/opportunities/${opp}/committee`);
    await env.seeText(page, 'h1', '数控车间改造');

    // First member: the add form is open while the committee is empty.
    await page.selectOption('#committee-contact', { label: '欧阳明' });
    await page.selectOption('#new-role', 'decision_maker');
    await page.selectOption('#new-attitude', 'supporter');
    await page.selectOption('#new-influence', 'high');
    await page.click('#committee-add button[type=submit]');
    await env.seeText(page, '#decision-tree-chart', '欧阳明');
    expect(await page.locator('#decision-tree-chart .dt-att-supporter.dt-inf-high').count()).toBe(1);

    // Second member reports to the first.
    await page.click('#decision-tree .dt-add summary');
    await page.selectOption('#committee-contact', { label: '司马静' });
    await page.selectOption('#new-role', 'technical_evaluator');
    await page.selectOption('#new-attitude', 'opponent');
    await page.selectOption('#new-reports', { label: '欧阳明' });
    await page.click('#committee-add button[type=submit]');
    await env.seeText(page, '#decision-tree-chart ul ul', '司马静');
    expect(await page.locator('#decision-tree-chart ul ul .dt-att-opponent').count()).toBe(1);

    // The first may not report to the second: a loop, refused beside the field.
    const first = page.locator('#committee-table tbody tr').first();
    await first.locator('summary').click();
    await first.locator('select[name=reports_to_id]').selectOption({ label: '司马静' });
    await first.locator('button[type=submit]', { hasText: '保存' }).click();
    await env.seeText(page, '#committee-table .error', '汇报关系不能形成循环');
    expect(page.url()).toBe(`${env.base}/opportunities/${opp}/committee`);
    await context.close();

    // The director sees the deal in the funnel of that pipeline.
    const director = await env.newPage();
    await env.signIn(director.page, 'director');
    await director.page.goto(`${env.base}/pipeline?pipeline=${pipelineId}&scope=company&from=2026-10&to=2026-10`);
    expect(await director.page.locator('#funnel-chart svg').count()).toBe(1);
    await env.seeText(director.page, '#funnel-table tbody tr:nth-child(2)', '¥123,456.00');
    await env.seeText(director.page, '#conversion-table tbody tr:first-child', '100.0%');
    await director.context.close();
    expect(env.problems).toEqual([]);
  });
});
