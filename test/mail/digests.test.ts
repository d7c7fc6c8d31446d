import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signIn, smallOrg, testApp, type TestApp } from '../helpers/app.ts';
import { newCustomerRow } from '../helpers/activities.ts';
import { alertDeal, alertPipeline, daysAgo } from '../helpers/alerts.ts';
import { historyRow, newOpportunityRow } from '../helpers/pipeline-analytics.ts';
import { nowIso } from '../../src/db/index.ts';
import { sendDailyDigests, sendWeeklyDigests } from '../../src/features/digests/digests.ts';
import { validateSessionToken, viewerForUser } from '../../src/auth/session.ts';
import { computeFigures, sumFen } from '../../src/features/work-reports/figures.ts';
import { generateReports } from '../../src/features/work-reports/generate.ts';
import { periodContaining } from '../../src/features/work-reports/period.ts';
import { formatter } from '../../src/lib/format.ts';
import { createMailer, sendDueMail } from '../../src/mail/sender.ts';
import { setAppUrl } from '../../src/mail/index.ts';
import { decodeHeader, loopbackSmtp, parseMessage, partContent } from './loopback-smtp.ts';

describe('email digests reach a real SMTP server', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof loopbackSmtp>>;
  let org: Awaited<ReturnType<typeof smallOrg>>;
  beforeEach(async () => {
    t = await testApp();
    smtp = await loopbackSmtp();
    org = await smallOrg(t.db);
    setAppUrl('https://crm.example.com');
    for (const u of ['rep1', 'rep2', 'manager1', 'rep3']) await t.db.updateTable('users').set({ email: `${u}@example.com` }).where('username', '=', u).execute();
  });
  afterEach(async () => {
    setAppUrl('http://127.0.0.1:3000');
    await smtp.close();
    await t.close();
  });

  const deliver = async () => {
    const mailer = createMailer({ smtpUrl: smtp.url, from: '关系 CRM <crm@example.com>' });
    const r = await sendDueMail(t.db, mailer);
    mailer.close();
    return r;
  };
  const received = (to: string) => {
    const m = smtp.received.find((x) => x.to.includes(to));
    if (!m) throw new Error(`nothing for ${to}`);
    const msg = parseMessage(m.raw);
    const text = partContent(msg.parts.find((p) => (p.headers.get('content-type') ?? '').startsWith('text/plain'))!).toString('utf8');
    const html = partContent(msg.parts.find((p) => (p.headers.get('content-type') ?? '').startsWith('text/html'))!).toString('utf8');
    return { subject: decodeHeader(msg.headers.get('subject') ?? ''), rawSubject: msg.headers.get('subject') ?? '', text, html };
  };

  it('the daily digest: today’s agenda, overdue tasks and deals at risk, in the rep’s language, with links back', async () => {
    const { rep1, rep3 } = org.users;
    await t.db.updateTable('users').set({ language: 'en' }).where('id', '=', rep3.id).execute();
    // 2026-11-27 07:30 in Shanghai.
    const now = new Date('2026-11-26T23:30:00.000Z');
    const c = await newCustomerRow(t.db, rep1, '华为技术');
    const add = (subject: string, type: string, at: string, status = 'planned') =>
      t.db.insertInto('activities').values({ type, subject, starts_at: at, status, customer_id: c.id, owner_id: rep1.id, created_at: nowIso(), updated_at: nowIso() }).execute();
    await add('拜访华为采购部', 'visit', '2026-11-27T06:00:00.000Z'); // 14:00 today
    await add('明天的会', 'meeting', '2026-11-28T02:00:00.000Z');
    await add('发送报价单', 'task', '2026-11-25T02:00:00.000Z'); // overdue
    const p = await alertPipeline(t.db);
    await alertDeal(t.db, { owner: rep1.id, customerId: c.id, pipelineId: p.id, stageId: p.stages.a, name: '华为 ERP', stageEnteredAt: daysAgo(40, now.getTime()), lastActivityAt: daysAgo(40, now.getTime()), createdAt: daysAgo(40, now.getTime()) });
    // rep2 turned the daily digest off.
    await t.db.insertInto('notification_preferences').values({ user_id: org.users.rep2.id, kind: 'daily_digest', in_app: 0, email: 0 }).execute();

    expect(await sendDailyDigests(t.db, now)).toBe(3); // rep1, rep3, manager1
    expect(await sendDailyDigests(t.db, now)).toBe(0); // once a day
    expect((await deliver()).sent).toBe(3);
    expect(smtp.received.map((m) => m.to[0]).sort()).toEqual(['manager1@example.com', 'rep1@example.com', 'rep3@example.com']);

    const zh = received('rep1@example.com');
    expect(zh.rawSubject).toMatch(/^=\?UTF-8\?[BQ]\?/i);
    expect(zh.subject).toBe('今日工作摘要 · 2026-11-27');
    expect(zh.text).toContain('今日日程');
    expect(zh.text).toContain('14:00 拜访 拜访华为采购部');
    expect(zh.text).not.toContain('明天的会');
    expect(zh.text).toContain('发送报价单');
    expect(zh.text).toContain('华为 ERP');
    expect(zh.html).toMatch(/href="https:\/\/crm\.example\.com\/opportunities\/\d+"/);
    expect(zh.text).toContain('https://crm.example.com/');
    const en = received('rep3@example.com');
    expect(en.subject).toBe('Your day · 2026-11-27');
    expect(en.text).toContain('Nothing scheduled today.');
  });

  it('the weekly manager digest: team activity, pipeline movement and reports not submitted', async () => {
    const { rep1, manager1 } = org.users;
    const c = await newCustomerRow(t.db, rep1, '比亚迪');
    // Friday 2026-11-27 17:00 in Shanghai; last week's reports were generated on Monday.
    const now = new Date('2026-11-27T09:00:00.000Z');
    await generateReports(t.db, 'week', new Date('2026-11-23T00:00:00.000Z'));
    await t.db.updateTable('work_reports').set({ submitted_at: nowIso() }).where('user_id', '=', rep1.id).execute();
    await t.db.insertInto('activities').values({ type: 'visit', subject: '拜访', starts_at: '2026-11-25T02:00:00.000Z', status: 'done', customer_id: c.id, owner_id: rep1.id, created_at: nowIso(), updated_at: nowIso() }).execute();
    expect(await sendWeeklyDigests(t.db, now)).toBe(1); // manager1 (the others have no email address)
    expect((await deliver()).sent).toBe(1);
    const m = received('manager1@example.com');
    expect(m.subject).toBe('团队周摘要 · 2026-11-23 至 2026-11-29');
    expect(m.text).toContain('团队活动');
    expect(m.text).toMatch(/测试用户\d+\t1 \/ 0 \/ 0 \/ 0/);
    expect(m.text).toContain('未提交上周报告 (2026-11-16 – 2026-11-22)');
    // rep2 and the manager have not submitted; rep1 has.
    const names = await t.db.selectFrom('users').select(['id', 'display_name']).execute();
    const nameOf = (id: number) => names.find((n) => n.id === id)!.display_name;
    const section = m.text.slice(m.text.indexOf('未提交上周报告'));
    expect(section).toContain(nameOf(org.users.rep2.id));
    expect(section).toContain(nameOf(manager1.id));
    expect(section).not.toContain(nameOf(rep1.id));
  });

  it('a deal won and then reopened this week is not won in the weekly digest, as in the work report', async () => {
    const { rep1 } = org.users;
    const c = await newCustomerRow(t.db, rep1, '比亚迪');
    const p = await alertPipeline(t.db);
    const s = p.stages;
    // Friday 2026-11-27 17:00 in Shanghai; the moves are on Tuesday, Wednesday and Thursday of that week.
    const now = new Date('2026-11-27T09:00:00.000Z');
    const reopened = await newOpportunityRow(t.db, { owner: rep1.id, customerId: c.id, pipelineId: p.id, stageId: s.c, amountFen: 60_000_00, name: '比亚迪 重开' });
    const won = await newOpportunityRow(t.db, { owner: rep1.id, customerId: c.id, pipelineId: p.id, stageId: s.won, status: 'won', amountFen: 125_000_00, name: '比亚迪 赢单' });
    const lost = await newOpportunityRow(t.db, { owner: rep1.id, customerId: c.id, pipelineId: p.id, stageId: s.lost, status: 'lost', amountFen: 30_000_00, name: '比亚迪 丢单' });
    await historyRow(t.db, reopened, s.c, s.won, '2026-11-24T02:00:00.000Z', 3, 60_000_00);
    await historyRow(t.db, reopened, s.won, s.c, '2026-11-25T02:00:00.000Z', 1, 60_000_00);
    await historyRow(t.db, won, s.c, s.won, '2026-11-26T02:00:00.000Z', 3, 125_000_00);
    await historyRow(t.db, lost, s.b, s.lost, '2026-11-26T03:00:00.000Z', 3, 30_000_00);

    const report = await computeFigures(t.db, rep1.id, periodContaining('week', '2026-11-27', 'Asia/Shanghai'), 'Asia/Shanghai');
    expect(report.dealsWon.map((d) => d.name)).toEqual(['比亚迪 赢单']);
    expect(report.dealsLost.map((d) => d.name)).toEqual(['比亚迪 丢单']);
    expect(await sendWeeklyDigests(t.db, now)).toBe(1); // manager1
    const mail = await t.db.selectFrom('mail_messages').select('text_body').where('to_address', '=', 'manager1@example.com').executeTakeFirstOrThrow();
    const money = formatter('zh-CN', 'Asia/Shanghai').brief;
    expect(mail.text_body).toContain(`赢单 ${report.dealsWon.length} (${money(sumFen(report.dealsWon))}) · 丢单 ${report.dealsLost.length} (${money(sumFen(report.dealsLost))})`);
    expect(mail.text_body).toContain('赢单 1 (¥12.5万) · 丢单 1 (¥3万)');
  });

  it('the weekly digest lists the deals at risk the manager sees in the app, one they are a team member of included', async () => {
    const { rep1, rep3, manager1 } = org.users;
    const now = new Date();
    const p = await alertPipeline(t.db);
    const stale = { pipelineId: p.id, stageId: p.stages.a, stageEnteredAt: daysAgo(40), lastActivityAt: daysAgo(40), createdAt: daysAgo(40) };
    const east = await newCustomerRow(t.db, rep1, '华为技术');
    const south = await newCustomerRow(t.db, rep3, '美的集团');
    await alertDeal(t.db, { ...stale, owner: rep1.id, customerId: east.id, name: '华为 ERP', amountFen: 300_000_00 });
    // rep3 is in another department; manager1 is on the team of one of rep3's deals, not of the other.
    const shared = await alertDeal(t.db, { ...stale, owner: rep3.id, customerId: south.id, name: '美的 MES', amountFen: 200_000_00 });
    await alertDeal(t.db, { ...stale, owner: rep3.id, customerId: south.id, name: '美的 云', amountFen: 100_000_00 });
    await t.db.insertInto('record_members').values({ entity: 'opportunities', record_id: shared, user_id: manager1.id, role: 'member', created_at: nowIso() }).execute();

    // The digest's viewer is the one the session builds when manager1 signs in.
    const client = await signIn(t.app, 'manager1');
    const session = await validateSessionToken(t.db, (client.cookies.get('guanxi_session') ?? client.cookies.get('__Host-guanxi_session'))!);
    const { unreadNotifications: _u, ...signedIn } = session!.viewer;
    const { unreadNotifications: _v, ...forDigest } = (await viewerForUser(t.db, manager1.id))!;
    expect(forDigest).toEqual(signedIn);
    expect([...forDigest.memberOf]).toEqual(['opportunities']);

    const page = await client.get('/opportunities/at-risk');
    const inApp = [...page.body.matchAll(/href="\/opportunities\/\d+">([^<]+)</g)].map((m) => m[1]);
    expect(inApp).toEqual(['华为 ERP', '美的 MES']);
    expect(await sendWeeklyDigests(t.db, now)).toBe(1);
    const mail = await t.db.selectFrom('mail_messages').select('html_body').where('to_address', '=', 'manager1@example.com').executeTakeFirstOrThrow();
    const inDigest = [...(mail.html_body ?? '').matchAll(/href="https:\/\/crm\.example\.com\/opportunities\/\d+">([^<]+)</g)].map((m) => m[1]);
    expect(inDigest).toEqual(inApp);
  });
});
