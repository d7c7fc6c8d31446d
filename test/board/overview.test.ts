import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, smallOrg, testApp, type TestApp } from '../helpers/app.ts';
import { quarterOf, todayIn } from '../../src/lib/dates.ts';
import { newDeal, newPipeline } from './fixtures.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof smallOrg>>;
let p: Awaited<ReturnType<typeof newPipeline>>;
const S = (i: number) => p.stages[i]!;
const period = 'from=2026-10-01&to=2026-12-31';

beforeAll(async () => {
  t = await testApp();
  org = await smallOrg(t.db);
  const u = org.users;
  p = await newPipeline(t.db, {
    name: '直销管线',
    isDefault: true,
    stages: [{ name: '初步接洽' }, { name: '需求确认' }, { name: '签约', kind: 'won' }, { name: '输单', kind: 'lost' }],
  });
  const deal = (owner: { id: number }, stage: number, amountFen: number, close: string, status?: 'won' | 'lost') =>
    newDeal(t.db, { name: `项目${amountFen}`, owner, pipeline: p.id, stage, amountFen, close, status });
  await deal(u.rep1, S(0), 10_000_000, '2026-10-01');
  await deal(u.rep1, S(1), 250_050, '2026-12-31');
  await deal(u.rep1, S(1), 100_000, '2026-11-15');
  await deal(u.rep2, S(1), 300_000, '2026-11-30');
  await deal(u.rep3, S(0), 5_000_000, '2026-12-15');
  await deal(u.rep3, S(2), 2_000_000, '2026-11-01', 'won');
  // Outside the period: not counted.
  await deal(u.rep1, S(0), 999_900, '2026-09-30');
  await deal(u.rep3, S(1), 777_700, '2027-01-01');
});
afterAll(async () => t.close());

/** The cells (count, amount) of the row whose header is `label`. */
function row(html: string, label: string): string[][] {
  const start = html.indexOf(`<th scope="row">${label}</th>`);
  expect(start, `row ${label}`).toBeGreaterThan(-1);
  const tr = html.slice(start, html.indexOf('</tr>', start));
  return [...tr.matchAll(/<td class="num[^"]*">(?:<a[^>]*><span class="ov-count">(\d+)<\/span><span class="ov-amount">([^<]+)<\/span><\/a>|<span class="ov-zero">–<\/span>)<\/td>/g)].map((m) =>
    m[1] ? [m[1], m[2]!] : ['0'],
  );
}

describe('the overview table (机会总览表)', () => {
  it('totals the company by stage for the period, with row totals', async () => {
    const director = await signIn(t.app, 'director');
    const res = await director.get(`/opportunities/overview?${period}`);
    expect(res.statusCode).toBe(200);
    expect(row(res.body, '全公司合计')).toEqual([
      ['2', '¥150,000.00'],
      ['3', '¥6,500.50'],
      ['1', '¥20,000.00'],
      ['0'],
      ['6', '¥176,500.50'],
    ]);
    expect(res.body).toContain('按预计成交日期');
  });

  it('rows by rep with column totals, each cell linking to the deals behind it', async () => {
    const director = await signIn(t.app, 'director');
    const html = (await director.get(`/opportunities/overview?rows=rep&${period}`)).body;
    const names = await t.db.selectFrom('users').select(['id', 'display_name']).where('username', 'in', ['rep1', 'rep2', 'rep3']).orderBy('username').execute();
    const [r1, r2, r3] = names;
    expect(row(html, r1!.display_name)).toEqual([['1', '¥100,000.00'], ['2', '¥3,500.50'], ['0'], ['0'], ['3', '¥103,500.50']]);
    expect(row(html, r2!.display_name)).toEqual([['0'], ['1', '¥3,000.00'], ['0'], ['0'], ['1', '¥3,000.00']]);
    expect(row(html, r3!.display_name)).toEqual([['1', '¥50,000.00'], ['0'], ['1', '¥20,000.00'], ['0'], ['2', '¥70,000.00']]);
    expect(row(html, '合计')).toEqual([['2', '¥150,000.00'], ['3', '¥6,500.50'], ['1', '¥20,000.00'], ['0'], ['6', '¥176,500.50']]);
    expect(html).toContain(`href="/opportunities?pipeline=${p.id}&amp;stage=${S(1)}&amp;owner=${r1!.id}&amp;close_from=2026-10-01&amp;close_to=2026-12-31"`);
  });

  it('rows by department', async () => {
    const gm = await signIn(t.app, 'gm');
    const html = (await gm.get(`/opportunities/overview?rows=department&${period}`)).body;
    expect(row(html, '华东销售部')).toEqual([['1', '¥100,000.00'], ['2', '¥3,500.50'], ['0'], ['0'], ['3', '¥103,500.50']]);
    expect(row(html, '上海组')).toEqual([['0'], ['1', '¥3,000.00'], ['0'], ['0'], ['1', '¥3,000.00']]);
    expect(row(html, '华南销售部')).toEqual([['1', '¥50,000.00'], ['0'], ['1', '¥20,000.00'], ['0'], ['2', '¥70,000.00']]);
    expect(html).toContain(`&amp;department=${org.departments.south.id}&amp;`);
  });

  it('is scoped: a rep sees only their row, a manager their department', async () => {
    const rep1 = await signIn(t.app, 'rep1');
    const html = (await rep1.get(`/opportunities/overview?rows=rep&${period}`)).body;
    expect(html.match(/<th scope="row">/g)).toHaveLength(2); // their row and the totals row
    expect(row(html, '合计')).toEqual([['1', '¥100,000.00'], ['2', '¥3,500.50'], ['0'], ['0'], ['3', '¥103,500.50']]);
    const manager1 = await signIn(t.app, 'manager1');
    const company = (await manager1.get(`/opportunities/overview?${period}`)).body;
    expect(row(company, '全公司合计')).toEqual([['1', '¥100,000.00'], ['3', '¥6,500.50'], ['0'], ['0'], ['4', '¥106,500.50']]);
  });

  it('defaults to this quarter in the company time zone', async () => {
    expect(quarterOf(todayIn('Asia/Shanghai', new Date('2026-03-31T16:30:00Z')))).toEqual({ from: '2026-04-01', to: '2026-06-30' });
    expect(quarterOf(todayIn('Asia/Shanghai', new Date('2026-03-31T15:59:00Z')))).toEqual({ from: '2026-01-01', to: '2026-03-31' });
    expect(quarterOf(todayIn('Asia/Shanghai', new Date('2026-11-27T00:00:00Z')))).toEqual({ from: '2026-10-01', to: '2026-12-31' });
    const director = await signIn(t.app, 'director');
    const q = quarterOf(todayIn('Asia/Shanghai'));
    const html = (await director.get('/opportunities/overview')).body;
    expect(html).toContain(`name="from" value="${q.from}"`);
    expect(html).toContain(`name="to" value="${q.to}"`);
  });
});
