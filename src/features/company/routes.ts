import { refreshAllOpenRisk } from '../alerts/queries.ts';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/index.ts';
import { auditContext } from '../../plugins/guards.ts';
import { formValues, parseForm } from '../../lib/validation.ts';
import { CURRENCIES, timeZones } from '../../lib/format.ts';
import { getCompany, getCompanyLogo } from './queries.ts';
import { updateCompany } from './commands.ts';
import { companySchema, imageMime } from './schemas.ts';
import { MAX_UPLOAD_BYTES } from '../../plugins/security.ts';

/** The logo is public: the sign-in page and printed documents show it. */
export async function companyLogoRoutes(app: FastifyInstance, opts: { db: Db }) {
  app.get('/company/logo', async (_req, reply) => {
    const row = await getCompanyLogo(opts.db);
    if (!row?.logo || !row.logo_mime) return reply.callNotFound();
    return reply.type(row.logo_mime).header('Cache-Control', 'private, max-age=300').send(row.logo);
  });
}

/** /admin/company (behind requireAdmin). */
export default async function companyRoutes(app: FastifyInstance, opts: { db: Db }) {
  const { db } = opts;
  const zones = timeZones();

  app.get('/company', async (_req, reply) => {
    const company = await getCompany(db);
    if (!company) return reply.callNotFound();
    return reply.render('company/edit', { values: company, hasLogo: Boolean(company.has_logo), errors: {}, zones, currencies: CURRENCIES });
  });

  app.post('/company', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = parseForm(companySchema, body, req.t);
    const errors: Record<string, string> = parsed.ok ? {} : { ...parsed.errors };
    // The pool settings' messages live in the customers dictionary (that feature owns the public pool).
    if (errors.pool_days) errors.pool_days = req.t.customers.settings.poolDaysRange;
    if (errors.pool_claim_limit) errors.pool_claim_limit = req.t.customers.settings.poolClaimLimitRange;
    // The deal alerts' settings: messages in the alerts dictionary.
    if (errors.alert_idle_days) errors.alert_idle_days = req.t.alerts.settings.idleDaysRange;
    if (errors.alert_stage_multiple) errors.alert_stage_multiple = req.t.alerts.settings.stageMultipleRange;
    if (errors.alert_amount_drop_pct) errors.alert_amount_drop_pct = req.t.alerts.settings.amountDropPctRange;
    if (errors.alert_pushouts) errors.alert_pushouts = req.t.alerts.settings.pushoutsRange;
    let logo: { data: Buffer; mime: string } | 'remove' | null = null;
    const upload = body.logo;
    if (Buffer.isBuffer(upload) && upload.length > 0) {
      const mime = imageMime(upload);
      if (!mime || upload.length > MAX_UPLOAD_BYTES) errors.logo = req.t.company.badLogo;
      else logo = { data: upload, mime };
    } else if (parsed.ok && parsed.data.remove_logo === '1') {
      logo = 'remove';
    }
    const company = await getCompany(db);
    if (!company) return reply.callNotFound();
    if (!parsed.ok || Object.keys(errors).length > 0) {
      return reply.render(
        'company/edit',
        { values: { ...company, ...formValues(body) }, hasLogo: Boolean(company.has_logo), errors, zones, currencies: CURRENCIES },
        { status: 422, fragment: 'company/_form' },
      );
    }
    const { riskInputsChanged } = await updateCompany(db, auditContext(req), parsed.data, logo);
    // The deals' stored risk depends on the alert thresholds and the time zone: when one of them changed, recompute it
    // in the background, a batch at a time (every open deal; the nightly deal-risk job does the same).
    if (riskInputsChanged) void refreshAllOpenRisk(db).catch((err: unknown) => req.log.error({ err }, 'recomputing deal risk after a settings change failed'));
    reply.flash('success', req.t.company.saved);
    return reply.redirect('/admin/company', 303);
  });
}
