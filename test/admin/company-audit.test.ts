import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, smallOrg, testApp, type Client, type TestApp } from '../helpers/app.ts';

let t: TestApp;
let admin: Client;
beforeAll(async () => {
  t = await testApp();
  await smallOrg(t.db);
  admin = await signIn(t.app, 'admin');
});
afterAll(async () => t.close());

const company = { name: '杭州明道科技有限公司', address: '文三路 90 号', postal_code: '310012', phone: '0571-88886666', tax_id: '91330106ma2b3c4d5e', bank_name: '招商银行', bank_account: '5719 1234 5610 801', time_zone: 'Asia/Shanghai', currency: 'CNY' };

function multipart(fields: Record<string, string>, file?: { name: string; filename: string; type: string; data: Buffer }) {
  const boundary = '----guanxi' + Math.random().toString(16).slice(2);
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`));
    parts.push(file.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a0d5e3e10000000049454e44ae426082', 'hex');

describe('company settings', () => {
  it('saves the settings (normalising tax id and bank account) and audits the changed fields', async () => {
    const res = await admin.post('/admin/company', company);
    expect(res.statusCode).toBe(303);
    const row = await t.db.selectFrom('company').selectAll().executeTakeFirstOrThrow();
    expect(row.tax_id).toBe('91330106MA2B3C4D5E');
    expect(row.bank_account).toBe('571912345610801');
    const entry = await t.db.selectFrom('audit_log').selectAll().where('entity', '=', 'company').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(JSON.parse(entry.changes).name).toEqual(['测试科技有限公司', '杭州明道科技有限公司']);
    expect((await admin.get('/admin/company')).body).toContain('value="杭州明道科技有限公司"');
  });

  it('validates postal code, time zone and currency beside the fields', async () => {
    const res = await admin.post('/admin/company', { ...company, postal_code: '3100', time_zone: 'Mars/Olympus', currency: 'XXX' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('邮政编码为 6 位数字');
    expect(res.body).toContain('请选择有效的时区');
    expect(res.body).toContain('value="3100"');
  });

  it('accepts a PNG logo checked by content and serves it; refuses a disguised file', async () => {
    const good = multipart({ ...company, _csrf: admin.csrf }, { name: 'logo', filename: 'logo.png', type: 'image/png', data: PNG });
    const res = await t.app.inject({ method: 'POST', url: '/admin/company', payload: good.payload, headers: { 'content-type': good.contentType, cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(res.statusCode).toBe(303);
    const logo = await t.app.inject({ url: '/company/logo' });
    expect(logo.statusCode).toBe(200);
    expect(logo.headers['content-type']).toBe('image/png');
    const bad = multipart({ ...company, _csrf: admin.csrf }, { name: 'logo', filename: 'shell.png', type: 'image/png', data: Buffer.from('<?php system($_GET["c"]); ?>') });
    const refused = await t.app.inject({ method: 'POST', url: '/admin/company', payload: bad.payload, headers: { 'content-type': bad.contentType, cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('只能上传 PNG 或 JPEG 图片');
    const tooBig = multipart({ ...company, _csrf: admin.csrf }, { name: 'logo', filename: 'big.png', type: 'image/png', data: Buffer.concat([PNG, Buffer.alloc(1024 * 1024 + 10)]) });
    const big = await t.app.inject({ method: 'POST', url: '/admin/company', payload: tooBig.payload, headers: { 'content-type': tooBig.contentType, cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(big.statusCode).toBe(422);
  });

  it('a multipart form without the CSRF token is refused', async () => {
    const form = multipart(company);
    const res = await t.app.inject({ method: 'POST', url: '/admin/company', payload: form.payload, headers: { 'content-type': form.contentType, cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(res.statusCode).toBe(403);
  });

  it('shows times in the company time zone', async () => {
    await t.db.updateTable('users').set({ last_login_at: '2026-01-01T00:30:00.000Z' }).where('username', '=', 'rep3').execute();
    expect((await admin.get('/admin/users?q=rep3')).body).toContain('2026-01-01 08:30');
    await admin.post('/admin/company', { ...company, time_zone: 'Europe/London' });
    expect((await admin.get('/admin/users?q=rep3')).body).toContain('2026-01-01 00:30');
    await admin.post('/admin/company', company);
  });
});

describe('audit log', () => {
  it('lists changes newest first with who, what and the before/after values', async () => {
    await admin.post('/admin/departments', { name: '审计测试部', parent_id: '' });
    const res = await admin.get('/admin/audit');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('审计测试部');
    expect(res.body).toContain('<ins>审计测试部</ins>');
    expect(res.body.indexOf('<ins>审计测试部</ins>')).toBeLessThan(res.body.indexOf('<ins>杭州明道科技有限公司</ins>'));
  });

  it('names every kind of record it lists in words, never by its table key', async () => {
    const { zhCN, en } = await import('../../src/i18n/index.ts').then((m) => ({ zhCN: m.messages('zh-CN'), en: m.messages('en') }));
    // Every entity the app writes to the audit log (src: `entity: '…'` in audit calls) has a label in both languages.
    const written = ['company', 'department', 'user', 'session', 'customer', 'contact', 'lead', 'activity', 'import', 'opportunity', 'quote', 'product', 'pipeline', 'pipeline_stage', 'stage_exit_criterion', 'stage_task_template', 'competitor', 'saved_view', 'work_report', 'work_report_comment', 'job_run'];
    const logged = (await t.db.selectFrom('audit_log').select('entity').distinct().execute()).map((r) => r.entity);
    for (const e of new Set([...written, ...logged])) {
      expect(zhCN.audit.entities, e).toHaveProperty(e);
      expect(en.audit.entities, e).toHaveProperty(e);
    }
  });

  it('reads a deal\'s changes in words: field labels, money as money, a ticked criterion as yes', async () => {
    await t.db
      .insertInto('audit_log')
      .values({ at: new Date().toISOString(), actor_id: null, action: 'update', entity: 'opportunity', entity_id: 80, summary: '审计措辞测试', ip: '127.0.0.1', changes: JSON.stringify({ amount_fen: [15_990_000, 5_590_000], 'criterion:6': [false, true], expected_close_date: ['2026-12-01', '2027-01-15'] }) })
      .execute();
    const body = (await admin.get('/admin/audit?entity=opportunity')).body;
    const row = body.slice(body.indexOf('审计措辞测试'));
    expect(body).toContain('商机 #80'); // named, not "opportunity #80"
    expect(row).toContain('金额（元）:');
    expect(row).toContain('<del>¥159,900.00</del>→<ins>¥55,900.00</ins>');
    expect(row).toContain('升迁标志 #6:');
    expect(row).toContain('<del>否</del>→<ins>是</ins>');
    expect(row).toContain('预计成交日期:');
    expect(row).not.toMatch(/amount_fen|expected_close_date|criterion:6/);
  });

  it('filters by entity, action, actor and day (company time zone)', async () => {
    const byEntity = await admin.get('/admin/audit?entity=department');
    expect(byEntity.body).toContain('审计测试部');
    expect(byEntity.body).not.toContain('<ins>杭州明道科技有限公司</ins>');
    const byAction = await admin.get('/admin/audit?action=sign_in');
    expect(byAction.body).toContain('登录');
    expect(byAction.body).not.toContain('审计测试部');
    const other = await t.db.selectFrom('users').select('id').where('username', '=', 'rep1').executeTakeFirstOrThrow();
    expect((await admin.get(`/admin/audit?actor=${other.id}`)).body).toContain('没有符合条件的记录');
    await t.db.updateTable('audit_log').set({ at: '2026-03-01T16:30:00.000Z' }).where('summary', '=', '审计测试部').execute();
    // 16:30 UTC on 1 March is 00:30 on 2 March in Shanghai.
    expect((await admin.get('/admin/audit?from=2026-03-02&to=2026-03-02')).body).toContain('审计测试部');
    expect((await admin.get('/admin/audit?from=2026-03-01&to=2026-03-01')).body).not.toContain('审计测试部');
  });
});
