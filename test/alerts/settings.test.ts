import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApp, smallOrg, signIn, type Client, type TestApp } from '../helpers/app.ts';
import { alertSettings } from '../../src/features/alerts/settings.ts';
import { updateCompany } from '../../src/features/company/commands.ts';
import { companySchema } from '../../src/features/company/schemas.ts';

const company = { name: '杭州明道科技有限公司', address: '', postal_code: '', phone: '', tax_id: '', bank_name: '', bank_account: '', time_zone: 'Asia/Shanghai', currency: 'CNY' };

let t: TestApp;
let admin: Client;
beforeEach(async () => {
  t = await testApp();
  await smallOrg(t.db);
  admin = await signIn(t.app, 'admin');
});
afterEach(async () => t.close());

describe('alert settings on the company page', () => {
  it('defaults to N 14, k 2, X 20%, M 3 and shows them on the form', async () => {
    expect(await alertSettings(t.db)).toEqual({ idleDays: 14, stageMultiple: 2, amountDropPct: 20, pushouts: 3 });
    const body = (await admin.get('/admin/company')).body;
    expect(body).toContain('商机风险提醒');
    expect(body).toMatch(/name="alert_idle_days"[^>]*value="14"|value="14"[^>]*name="alert_idle_days"/);
  });

  it('saves them and audits the change', async () => {
    const res = await admin.post('/admin/company', { ...company, alert_idle_days: '21', alert_stage_multiple: '1.5', alert_amount_drop_pct: '30', alert_pushouts: '2' });
    expect(res.statusCode).toBe(303);
    expect(await alertSettings(t.db)).toEqual({ idleDays: 21, stageMultiple: 1.5, amountDropPct: 30, pushouts: 2 });
    const entry = await t.db.selectFrom('audit_log').select('changes').where('entity', '=', 'company').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(JSON.parse(entry.changes)).toMatchObject({ alert_idle_days: [14, 21], alert_stage_multiple: [2, 1.5], alert_amount_drop_pct: [20, 30], alert_pushouts: [3, 2] });
  });

  it('asks for the deals\' risk to be recomputed only when a threshold or the time zone changed', async () => {
    const ctx = { actorId: null, ip: '' };
    const input = (over: Record<string, string>) => companySchema.parse({ ...company, ...over });
    expect(await updateCompany(t.db, ctx, input({ name: '新名字', phone: '0571-88888888' }), null)).toEqual({ riskInputsChanged: false });
    expect(await updateCompany(t.db, ctx, input({ alert_idle_days: '14' }), null)).toEqual({ riskInputsChanged: false }); // the value it had
    expect(await updateCompany(t.db, ctx, input({ alert_idle_days: '30' }), null)).toEqual({ riskInputsChanged: true });
    expect(await updateCompany(t.db, ctx, input({ time_zone: 'Asia/Urumqi' }), null)).toEqual({ riskInputsChanged: true });
  });

  it('refuses values out of range beside the fields and keeps the input', async () => {
    const res = await admin.post('/admin/company', { ...company, alert_idle_days: '0', alert_stage_multiple: '1.25', alert_amount_drop_pct: '101', alert_pushouts: 'x' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('请输入 1–365 之间的整数');
    expect(res.body).toContain('请输入 1–10 之间的数，最多一位小数');
    expect(res.body).toContain('请输入 1–100 之间的整数');
    expect(res.body).toContain('请输入 1–20 之间的整数');
    expect(res.body).toContain('value="1.25"');
    expect(await alertSettings(t.db)).toEqual({ idleDays: 14, stageMultiple: 2, amountDropPct: 20, pushouts: 3 });
  });
});
