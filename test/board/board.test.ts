import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, smallOrg, testApp, type Client, type TestApp } from '../helpers/app.ts';
import { newDeal, newPipeline } from './fixtures.ts';
import { planOf } from '../helpers/query-plans.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof smallOrg>>;
let p: Awaited<ReturnType<typeof newPipeline>>;
let channel: Awaited<ReturnType<typeof newPipeline>>;
const d: Record<string, { id: number }> = {};
let director: Client;
let rep1: Client;

// Stages of the fixture pipeline: S1 初步接洽 (exit criterion 已确认预算), S2 需求确认, S3 方案报价, won 签约, lost 输单.
const S = (i: number) => p.stages[i]!;

beforeAll(async () => {
  t = await testApp();
  org = await smallOrg(t.db);
  const u = org.users;
  p = await newPipeline(t.db, {
    name: '直销管线',
    isDefault: true,
    stages: [{ name: '初步接洽' }, { name: '需求确认' }, { name: '方案报价' }, { name: '签约', kind: 'won', probability: 100 }, { name: '输单', kind: 'lost', probability: 0 }],
    criteria: ['已确认预算'],
  });
  channel = await newPipeline(t.db, { name: '渠道管线', stages: [{ name: '渠道接洽' }, { name: '渠道签约', kind: 'won' }, { name: '渠道输单', kind: 'lost' }] });
  d.A = await newDeal(t.db, { name: '甲项目', owner: u.rep1, pipeline: p.id, stage: S(0), amountFen: 10_000_000, close: '2026-12-10', customerName: '杭州甲科技有限公司' });
  d.B = await newDeal(t.db, { name: '乙项目', owner: u.rep1, pipeline: p.id, stage: S(1), amountFen: 250_050, close: '2020-01-15' });
  d.C = await newDeal(t.db, { name: '丙项目', owner: u.rep1, pipeline: p.id, stage: S(1), amountFen: 100_000, close: '2026-12-31' });
  d.D = await newDeal(t.db, { name: '丁项目', owner: u.rep2, pipeline: p.id, stage: S(1), amountFen: 300_000, close: '2026-11-30' });
  d.E = await newDeal(t.db, { name: '戊项目', owner: u.rep3, pipeline: p.id, stage: S(2), amountFen: 5_000_000, close: '2026-12-15' });
  d.F = await newDeal(t.db, { name: '己项目', owner: u.rep3, pipeline: p.id, stage: S(3), amountFen: 2_000_000, close: '2026-11-01', status: 'won' });
  d.G = await newDeal(t.db, { name: '渠道项目', owner: u.rep1, pipeline: channel.id, stage: channel.stages[0]!, amountFen: 123_400, close: '2026-12-01' });
  director = await signIn(t.app, 'director');
  rep1 = await signIn(t.app, 'rep1');
});
afterAll(async () => t.close());

/** The HTML of one board column, by stage id. */
function column(html: string, stageId: number): string {
  const start = html.indexOf(`data-stage-id="${stageId}" aria-label`);
  expect(start).toBeGreaterThan(-1);
  const end = html.indexOf('</section>', start);
  return html.slice(start, end);
}
const head = (col: string) => /class="board-count"[^>]*>(\d+)<\/span><\/div>\s*<div class="board-col-amount">([^<]+)</.exec(col)?.slice(1);

describe('the board', () => {
  it('shows one column per stage with exact counts and totals, open stages first, then won and lost', async () => {
    const res = await director.get('/opportunities/board');
    expect(res.statusCode).toBe(200);
    const html = res.body;
    const order = ['初步接洽', '需求确认', '方案报价', '签约', '输单'].map((n) => html.indexOf(`class="board-stage-name">${n}<`));
    expect(order.every((i, k) => i > 0 && (k === 0 || i > order[k - 1]!))).toBe(true);
    expect(head(column(html, S(0)))).toEqual(['1', '¥100,000.00']);
    expect(head(column(html, S(1)))).toEqual(['3', '¥6,500.50']);
    expect(head(column(html, S(2)))).toEqual(['1', '¥50,000.00']);
    expect(head(column(html, S(3)))).toEqual(['1', '¥20,000.00']);
    expect(head(column(html, S(4)))).toEqual(['0', '¥0.00']);
    // Cards: name links to the deal, customer, amount, close date; overdue in red.
    const s1 = column(html, S(0));
    expect(s1).toContain(`href="/opportunities/${d.A!.id}">甲项目</a>`);
    expect(s1).toContain('杭州甲科技有限公司');
    expect(column(html, S(1))).toMatch(/board-card-date overdue"[^>]*>2020-01-15</);
    expect(column(html, S(1))).not.toMatch(/overdue"[^>]*>2026-12-31</);
    // Pipelines as tabs; the other pipeline is not on this board.
    expect(html).toContain(`href="/opportunities/board?pipeline=${channel.id}"`);
    expect(html).not.toContain('渠道项目');
    expect(html).toContain('src="/public/js/board.js"');
    const other = await director.get(`/opportunities/board?pipeline=${channel.id}`);
    expect(head(column(other.body, channel.stages[0]!))).toEqual(['1', '¥1,234.00']);
  });

  it('shows a rep only their own deals, and filters by owner, my deals and close date', async () => {
    const html = (await rep1.get('/opportunities/board')).body;
    expect(head(column(html, S(1)))).toEqual(['2', '¥3,500.50']);
    expect(head(column(html, S(2)))).toEqual(['0', '¥0.00']);
    expect(html).not.toContain('丁项目');
    expect(html).not.toContain('戊项目');
    const byOwner = (await director.get(`/opportunities/board?owner=${org.users.rep2.id}`)).body;
    expect(head(column(byOwner, S(1)))).toEqual(['1', '¥3,000.00']);
    const manager = await signIn(t.app, 'manager1');
    const team = (await manager.get('/opportunities/board?who=team')).body;
    expect(head(column(team, S(1)))).toEqual(['3', '¥6,500.50']); // rep1 and rep2 (sub-team), not rep3
    expect(head(column(team, S(2)))).toEqual(['0', '¥0.00']);
    const mine = (await manager.get('/opportunities/board?who=mine')).body;
    expect(head(column(mine, S(1)))).toEqual(['0', '¥0.00']);
    const dated = (await director.get('/opportunities/board?close_from=2026-11-01&close_to=2026-12-10')).body;
    expect(head(column(dated, S(1)))).toEqual(['1', '¥3,000.00']);
    expect(head(column(dated, S(0)))).toEqual(['1', '¥100,000.00']);
  });

  it('shows the first 12 cards of a column and loads the next 12 as it scrolls, in close-date order, through the scope', async () => {
    const big = await newPipeline(t.db, { name: '大客户管线', stages: [{ name: '大量阶段' }, { name: '大签约', kind: 'won' }, { name: '大输单', kind: 'lost' }] });
    // Several deals share a close date: the batches must neither repeat nor skip one of them.
    for (let i = 0; i < 52; i++) await newDeal(t.db, { name: `批量项目${i}`, owner: org.users.rep1, pipeline: big.id, stage: big.stages[0]!, amountFen: 100, close: `2026-12-${String(10 + Math.floor(i / 5)).padStart(2, '0')}` });
    const html = (await rep1.get(`/opportunities/board?pipeline=${big.id}`)).body;
    const col = column(html, big.stages[0]!);
    expect(head(col)).toEqual(['52', '¥52.00']);
    const names = (h: string) => [...h.matchAll(/class="board-card-name"[^>]*>([^<]+)</g)].map((m) => m[1]!);
    // htmx sends the marker's id as HX-Target: only then is the answer a fragment.
    let htmx: Record<string, string> = {};
    const marker = (h: string) => {
      const m = /class="board-load-more" id="([\w-]+)" hx-get="([^"]+)" hx-trigger="intersect once"/.exec(h);
      if (m) htmx = { 'hx-request': 'true', 'hx-target': m[1]! };
      return m?.[2]?.replaceAll('&amp;', '&');
    };
    const seen = names(col);
    expect(seen).toHaveLength(12);
    // Without JavaScript the marker is a link to the list of that stage.
    expect(col).toContain(`href="/opportunities?pipeline=${big.id}&amp;stage=${big.stages[0]}"`);
    expect(col).toContain('还有 40 个 · 查看全部');
    let next = marker(col);
    // Another rep following the same link sees none of rep1's deals; a plain request goes to the list.
    const rep3 = await signIn(t.app, 'rep3');
    const foreign = await rep3.get(next!, htmx);
    expect(foreign.statusCode).toBe(200);
    expect(names(foreign.body)).toHaveLength(0);
    const plain = await rep1.get(next!);
    expect(plain.statusCode).toBe(303);
    expect(plain.headers.location).toBe(`/opportunities?pipeline=${big.id}&stage=${big.stages[0]}`);
    const remaining: string[] = [];
    while (next) {
      const res = await rep1.get(next, htmx);
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain('<html');
      seen.push(...names(res.body));
      remaining.push(/还有 (\d+) 个/.exec(res.body)?.[1] ?? '-');
      next = marker(res.body);
    }
    expect(remaining).toEqual(['28', '16', '4', '-']);
    expect(seen).toEqual(Array.from({ length: 52 }, (_, i) => `批量项目${i}`));
    // A stage that is not an open one of a pipeline is not found.
    expect((await rep1.get(`/opportunities/board/cards?stage=${big.stages[1]}`, htmx)).statusCode).toBe(404);
  });

  it('answers an htmx filter with the board fragment only', async () => {
    const res = await director.get('/opportunities/board?who=mine', { 'hx-request': 'true', 'hx-target': 'board' });
    expect(res.body.trim().startsWith('<div id="board"')).toBe(true);
    expect(res.body).not.toContain('<html');
  });
});

describe('moves on the board', () => {
  const history = (id: number) => t.db.selectFrom('opportunity_stage_history').selectAll().where('opportunity_id', '=', id).orderBy('id').execute();
  const stageOf = async (id: number) => (await t.db.selectFrom('opportunities').select(['stage_id', 'status', 'close_reason']).where('id', '=', id).executeTakeFirstOrThrow());

  it('refuses a move while an exit criterion is unmet, naming it, and changes nothing', async () => {
    const res = await rep1.post('/opportunities/board/moves', { opportunity_id: String(d.A!.id), to_stage_id: String(S(1)) }, { headers: { 'hx-request': 'true', 'hx-target': 'board' } });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('未满足升迁标志');
    expect(res.body).toContain('已确认预算');
    expect(column(res.body, S(0))).toContain('甲项目');
    expect((await stageOf(d.A!.id)).stage_id).toBe(S(0));
    expect(await history(d.A!.id)).toHaveLength(1);
  });

  it('moves a deal once its criteria are met (plain form: 303 back to the board), recording history', async () => {
    await t.db.insertInto('opportunity_criteria_checks').values({ opportunity_id: d.A!.id, criterion_id: p.criteria[0]!, checked_by: org.users.rep1.id, checked_at: new Date().toISOString() }).execute();
    const res = await rep1.post('/opportunities/board/moves', { opportunity_id: String(d.A!.id), to_stage_id: String(S(1)), who: 'mine' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/opportunities/board?pipeline=${p.id}&who=mine`);
    expect((await stageOf(d.A!.id)).stage_id).toBe(S(1));
    const h = await history(d.A!.id);
    expect(h).toHaveLength(2);
    expect(h[1]).toMatchObject({ from_stage_id: S(0), to_stage_id: S(1), changed_by: org.users.rep1.id, amount_fen: 10_000_000, expected_close_date: '2026-12-10' });
    const board = await rep1.get(res.headers.location as string);
    expect(board.body).toContain('「甲项目」已移至「需求确认」');
    expect(head(column(board.body, S(1)))).toEqual(['3', '¥103,500.50']);
  });

  it('answers an htmx move with the re-rendered board and the message', async () => {
    const res = await rep1.post('/opportunities/board/moves', { opportunity_id: String(d.C!.id), to_stage_id: String(S(2)) }, { headers: { 'hx-request': 'true', 'hx-target': 'board' } });
    expect(res.statusCode).toBe(200);
    expect(res.body.trim().startsWith('<div id="board"')).toBe(true);
    expect(column(res.body, S(2))).toContain('丙项目');
    expect(res.body).toContain('hx-swap-oob="true"');
    expect(res.body).toContain('「丙项目」已移至「方案报价」');
  });

  it('asks for a reason before closing a deal, and closes it with one', async () => {
    const hx = { headers: { 'hx-request': 'true', 'hx-target': 'board' } };
    const ask = await rep1.post('/opportunities/board/moves', { opportunity_id: String(d.C!.id), to_stage_id: String(S(3)) }, hx);
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain('将「丙项目」移至「签约」需要填写原因');
    expect(ask.body).toContain('name="reason"');
    expect((await stageOf(d.C!.id)).stage_id).toBe(S(2));
    const empty = await rep1.post('/opportunities/board/moves', { opportunity_id: String(d.C!.id), to_stage_id: String(S(3)), reason: ' ' }, hx);
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('请填写原因');
    const done = await rep1.post('/opportunities/board/moves', { opportunity_id: String(d.C!.id), to_stage_id: String(S(3)), reason: '价格与服务均占优' }, hx);
    expect(done.statusCode).toBe(200);
    expect(await stageOf(d.C!.id)).toMatchObject({ stage_id: S(3), status: 'won', close_reason: '价格与服务均占优' });
    expect(column(done.body, S(3))).toContain('丙项目');
  });

  it("gives 404 for another rep's deal and changes nothing; a team member may move it", async () => {
    const res = await rep1.post('/opportunities/board/moves', { opportunity_id: String(d.E!.id), to_stage_id: String(S(1)) });
    expect(res.statusCode).toBe(404);
    const manager2 = await signIn(t.app, 'manager2');
    expect((await manager2.post('/opportunities/board/moves', { opportunity_id: String(d.B!.id), to_stage_id: String(S(2)) })).statusCode).toBe(404);
    expect((await stageOf(d.E!.id)).stage_id).toBe(S(2));
    expect((await stageOf(d.B!.id)).stage_id).toBe(S(1));
    expect(await history(d.E!.id)).toHaveLength(1);

    await t.db.insertInto('record_members').values({ entity: 'opportunities', record_id: d.E!.id, user_id: org.users.rep1.id, created_at: new Date().toISOString() }).execute();
    const member = await signIn(t.app, 'rep1');
    expect((await member.get('/opportunities/board')).body).toContain('戊项目');
    const back = await member.post('/opportunities/board/moves', { opportunity_id: String(d.E!.id), to_stage_id: String(S(1)) });
    expect(back.statusCode).toBe(303);
    expect((await stageOf(d.E!.id)).stage_id).toBe(S(1));
  });
});

describe('the board query plan', () => {
  it('walks the close-date index for a column instead of sorting the stage', async () => {
    const plan = async (order: string) =>
      planOf(t.sqlite, `select o.id from opportunities o join customers c on c.id = o.customer_id join users u on u.id = o.owner_id where o.stage_id = ? and o.pipeline_id = ? order by ${order} limit 50`, S(1), p.id);
    const open = await plan('o.expected_close_date, o.id');
    expect(open).toContain('opportunities_board_close_idx');
    expect(open).not.toContain('TEMP B-TREE');
    const closed = await plan('o.closed_at desc, o.id desc');
    expect(closed).toContain('opportunities_board_closed_idx');
    expect(closed).not.toContain('TEMP B-TREE');
  });

  it('keeps the owner in both stage-first column indexes (0026), so a manager\'s column checks its scope on the index entry', () => {
    // The plan of the manager's real column query is checked in test/board/query-plan.test.ts.
    const columns = (name: string) => (t.sqlite.prepare(`pragma index_info(${name})`).all() as { name: string }[]).map((c) => c.name);
    expect(columns('opportunities_board_close_idx')).toEqual(['stage_id', 'expected_close_date', 'id', 'owner_id']);
    expect(columns('opportunities_board_closed_idx')).toEqual(['stage_id', 'closed_at', 'id', 'owner_id']);
  });
});
