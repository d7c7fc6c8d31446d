import { z } from 'zod';
import { CURRENCIES, isTimeZone } from '../../lib/format.ts';
import { oneOf, optionalPhone, optionalPostalCode, optionalText, requiredText } from '../../lib/validation.ts';

/** An optional whole number in [min, max] from a form field: '' or absent → undefined (keep the stored value). */
function poolNumber(min: number, max: number, key: string) {
  return optionalText(10).refine((v) => v === '' || (/^\d+$/.test(v) && Number(v) >= min && Number(v) <= max), key).transform((v) => (v === '' ? undefined : Number(v)));
}

export const companySchema = z.object({
  name: requiredText(100),
  address: optionalText(200),
  postal_code: optionalPostalCode,
  phone: optionalPhone,
  tax_id: optionalText(20).refine((v) => v === '' || /^[0-9A-Z]{15,20}$/.test(v.toUpperCase()), 'taxId').transform((v) => v.toUpperCase()),
  bank_name: optionalText(100),
  bank_account: optionalText(40)
    .transform((v) => v.replace(/\s+/g, ''))
    .refine((v) => v === '' || /^\d{8,30}$/.test(v), 'bankAccount'),
  time_zone: requiredText(64).refine(isTimeZone, 'timeZone'),
  currency: oneOf(CURRENCIES),
  remove_logo: optionalText(5),
  // The public pool's settings (customers feature). Absent = unchanged; messages are keys of t.customers.settings.
  pool_days: poolNumber(1, 3650, 'poolDaysRange'),
  pool_claim_limit: poolNumber(1, 100000, 'poolClaimLimitRange'),
  // The deal alerts' settings (alerts feature, migration 0010). Absent = unchanged; messages are keys of t.alerts.settings.
  alert_idle_days: poolNumber(1, 365, 'idleDaysRange'),
  alert_stage_multiple: optionalText(10)
    .refine((v) => v === '' || (/^\d{1,2}(\.\d)?$/.test(v) && Number(v) >= 1 && Number(v) <= 10), 'stageMultipleRange')
    .transform((v) => (v === '' ? undefined : Number(v))),
  alert_amount_drop_pct: poolNumber(1, 100, 'amountDropPctRange'),
  alert_pushouts: poolNumber(1, 20, 'pushoutsRange'),
});
export type CompanyInput = z.output<typeof companySchema>;

/** Checks an upload by its content (magic bytes), never by its name or declared type. */
export function imageMime(buf: Buffer): 'image/png' | 'image/jpeg' | null {
  if (buf.length > 8 && buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (buf.length > 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'image/jpeg';
  return null;
}
