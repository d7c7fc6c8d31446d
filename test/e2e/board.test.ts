import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserEnv } from '../helpers/browser.ts';
import { newDeal, newPipeline } from '../board/fixtures.ts';

let env: Awaited<ReturnType<typeof startBrowserEnv>>;
let pipeline: Awaited<ReturnType<typeof newPipeline>>;
beforeAll(async () => {
  env = await startBrowserEnv();
  // A pipeline of its own (whatever the demo seed ships), with deals of rep1.
  pipeline = await newPipeline(env.db, {
    name: '浏览器测试管线',
    stages: [{ name: '第一阶段' }, { name: '第二阶段' }, { name: '第三阶段' }, { name: '赢单', kind: 'won' }, { name: '丢单', kind: 'lost' }],
    criteria: ['已确认预算'],
  });
  const rep1 = await env.db.selectFrom('users').select('id').where('username', '=', 'rep1').executeTakeFirstOrThrow();
  await newDeal(env.db, { name: '拖拽测试甲', owner: rep1, pipeline: pipeline.id, stage: pipeline.stages[0]!, amountFen: 1_000_000, close: '2030-06-30' });
  await newDeal(env.db, { name: '拖拽测试乙', owner: rep1, pipeline: pipeline.id, stage: pipeline.stages[1]!, amountFen: 2_345_600, close: '2030-06-30' });
});
afterAll(async () => env?.close());

describe('the deal board in the browser', () => {
  it('drags a card to the next column to advance it, and refuses a move with unmet exit criteria', async () => {
    const { page, context } = await env.newPage();
    await env.signIn(page, 'rep1');
    await page.goto(`${env.base}/opportunities/board?pipeline=${pipeline.id}`);
    const col = (i: number) => page.locator(`.board-col[data-stage-id="${pipeline.stages[i]}"]`);
    await env.seeText(page, `.board-col[data-stage-id="${pipeline.stages[1]}"]`, '拖拽测试乙');

    // A valid move: 乙 from the second stage to the third; the column heads follow.
    await page.locator('.board-card', { hasText: '拖拽测试乙' }).dragTo(col(2).locator('.board-cards'));
    await env.seeText(page, '#flash', '「拖拽测试乙」已移至「第三阶段」');
    await col(2).locator('.board-card', { hasText: '拖拽测试乙' }).waitFor();
    expect(await col(2).locator('.board-count').textContent()).toBe('1');
    expect(await col(2).locator('.board-col-amount').textContent()).toBe('¥23,456.00');
    expect(await col(1).locator('.board-count').textContent()).toBe('0');

    // A refused move: 甲's stage has an unchecked exit criterion; the card stays where it was.
    await page.locator('.board-card', { hasText: '拖拽测试甲' }).dragTo(col(1).locator('.board-cards'));
    await env.seeText(page, '#flash', '已确认预算');
    await col(0).locator('.board-card', { hasText: '拖拽测试甲' }).waitFor();
    expect(await col(1).locator('.board-card').count()).toBe(0);

    // From the keyboard: the card's "move" opens the board's move dialog for that card, its own stage not offered.
    const card = col(2).locator('.board-card', { hasText: '拖拽测试乙' });
    // The refused move's board is swapped in once its request is done: focus a card of that board, not the old one.
    await page.waitForLoadState('networkidle');
    await card.locator('.board-card-move').focus();
    await page.keyboard.press('Enter');
    const dialog = page.locator('#board-move-dialog');
    await env.seeText(page, '#board-move-title', '拖拽测试乙');
    expect(await page.locator('#board-move-dialog[open] #board-move-stage:focus').count()).toBe(1);
    expect(await dialog.locator(`option[value="${pipeline.stages[2]}"]:disabled`).count()).toBe(1);
    expect(await dialog.locator('option:disabled').count()).toBe(1);
    expect(await dialog.locator('select').inputValue()).toBe(String(pipeline.stages[3]));
    await page.keyboard.press('Escape');
    expect(await page.locator('#board-move-dialog[open]').count()).toBe(0);
    // Back on the card's 移动, which names the deal and says it opens a dialog.
    expect(await card.locator('.board-card-move:focus').count()).toBe(1);
    expect(await card.locator('.board-card-move').getAttribute('aria-label')).toBe('移动「拖拽测试乙」…');
    // Closing from it asks for the reason in the board, then closes the deal.
    await card.locator('.board-card-move').click();
    await dialog.locator('select').selectOption({ label: '赢单' });
    await dialog.locator('button[type=submit]').click();
    await env.seeText(page, '.board-reason', '需要填写原因');
    // The new board takes the focus to the reason it asks for; 取消 there gives back the board (one page, not a page
    // inside the board), and so does a refused empty reason, focus still in it.
    await page.locator('#board-reason:focus').waitFor();
    await page.click('.board-reason a.btn');
    await page.locator('.board-reason').waitFor({ state: 'detached' });
    expect(await page.locator('.sider').count()).toBe(1);
    expect(await page.locator('#board').count()).toBe(1);
    await card.locator('.board-card-move').click();
    await dialog.locator('select').selectOption({ label: '赢单' });
    await dialog.locator('button[type=submit]').click();
    await page.locator('#board-reason:focus').waitFor();
    await page.click('.board-reason button[type=submit]');
    await env.seeText(page, '.board-reason', '请填写原因');
    await page.locator('#board-reason:focus').waitFor();
    await page.fill('#board-reason', '技术方案领先');
    await page.click('.board-reason button[type=submit]');
    await env.seeText(page, '#flash', '「拖拽测试乙」已移至「赢单」');
    await col(3).locator('.board-card', { hasText: '拖拽测试乙' }).waitFor();
    expect(env.problems).toEqual([]);
    await context.close();
  });
});
