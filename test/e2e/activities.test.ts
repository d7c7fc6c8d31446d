import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowIso } from '../../src/db/index.ts';
import { startBrowserEnv } from '../helpers/browser.ts';
import { localDay } from '../../src/features/activities/time.ts';

let env: Awaited<ReturnType<typeof startBrowserEnv>>;
beforeAll(async () => {
  env = await startBrowserEnv();
});
afterAll(async () => env?.close());

const ZONE = 'Asia/Shanghai';

/** A customer of rep1 to log activities on (the customers generator may or may not be wired in yet). */
async function rep1Customer(): Promise<number> {
  const rep1 = await env.db.selectFrom('users').select('id').where('username', '=', 'rep1').executeTakeFirstOrThrow();
  const now = nowIso();
  const { id } = await env.db
    .insertInto('customers')
    .values({ name: '宁波港湾物流股份有限公司', owner_id: rep1.id, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

describe('activities in the browser', () => {
  it('logs an activity from the quick form without a page reload, then finds it on the week calendar', async () => {
    const customerId = await rep1Customer();
    const { page, context } = await env.newPage();
    await env.signIn(page, 'rep1');
    await page.goto(`${env.base}/activities/panel?customer_id=${customerId}`);
    await env.seeText(page, '#activity-panel', '还没有行动记录');

    // Something typed outside the panel survives an htmx swap and would be lost on a page load.
    await page.fill('#global-search', '未提交的搜索');
    await page.click('#activity-log-button');
    await page.locator('#activity-quick-form').waitFor();
    await page.selectOption('#q-type', 'meeting');
    await page.selectOption('#q-status', 'planned');
    const today = localDay(new Date(), ZONE);
    await page.fill('#q-starts_at', `${today}T15:30`);
    // Missing subject: the error appears beside the field, what was typed stays.
    await page.click('#activity-quick-form button[type=submit]');
    await env.seeText(page, '#activity-quick-form', '此项为必填');
    expect(await page.inputValue('#q-starts_at')).toBe(`${today}T15:30`);
    await page.fill('#q-subject', '港口扩建项目沟通会');
    await page.click('#activity-quick-form button[type=submit]');
    await env.seeText(page, '#activity-panel .act-timeline', '港口扩建项目沟通会');
    await env.seeText(page, '#flash', '行动已记录');
    expect(page.url()).toBe(`${env.base}/activities/panel?customer_id=${customerId}`);
    expect(await page.inputValue('#global-search')).toBe('未提交的搜索');
    expect(await page.locator('#activity-quick-form').count()).toBe(0);

    // And on the week calendar, under today, linking to the activity.
    await page.click('nav >> text=日程');
    await page.waitForURL(`${env.base}/calendar`);
    const item = page.locator('.cal-col.cal-today .cal-item', { hasText: '港口扩建项目沟通会' });
    await item.waitFor();
    await env.seeText(page, '.cal-col.cal-today', '15:30');
    await item.click();
    await page.waitForURL(/\/activities\/\d+$/);
    await env.seeText(page, 'h1', '港口扩建项目沟通会');
    await env.seeText(page, 'main', '宁波港湾物流股份有限公司');
    await context.close();
    expect(env.problems).toEqual([]);
  });

  it('marks a task done on /tasks in place', async () => {
    const rep1 = await env.db.selectFrom('users').select('id').where('username', '=', 'rep1').executeTakeFirstOrThrow();
    const now = nowIso();
    const { id } = await env.db
      .insertInto('activities')
      .values({ type: 'task', subject: '寄送样品给客户（逾期）', starts_at: '2020-01-02T01:00:00.000Z', status: 'planned', owner_id: rep1.id, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const { page, context } = await env.newPage();
    await env.signIn(page, 'rep1');
    await page.click('nav >> text=任务');
    await page.waitForURL(`${env.base}/tasks`);
    const row = page.locator(`#task-${id}`);
    await row.waitFor();
    expect(await row.getAttribute('class')).toContain('task-overdue');
    await env.seeText(page, `#task-${id}`, '已逾期');
    await row.locator('button', { hasText: '完成' }).click();
    await env.seeText(page, `#task-${id}`, '已完成');
    expect(page.url()).toBe(`${env.base}/tasks`);
    const stored = await env.db.selectFrom('activities').select(['status', 'completed_at']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(stored.status).toBe('done');
    expect(stored.completed_at).not.toBeNull();
    await context.close();
    expect(env.problems).toEqual([]);
  });

  it('a manager switches to the team calendar', async () => {
    const { page, context } = await env.newPage();
    await env.signIn(page, 'manager1');
    await page.goto(`${env.base}/calendar?view=week`);
    await page.click('text=团队日程');
    await page.waitForURL(/team=1/);
    await env.seeText(page, '.cal-col.cal-today', '港口扩建项目沟通会'); // rep1 is in manager1's department
    await env.seeText(page, '.cal-col.cal-today', '张伟');
    await context.close();
    expect(env.problems).toEqual([]);
  });
});
