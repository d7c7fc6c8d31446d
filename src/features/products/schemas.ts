import { z } from 'zod';
import { formText, optionalText, parsedField, requiredText } from '../../lib/validation.ts';
import { fenToYuanInput, parseYuanToFen } from '../../lib/money.ts';
import { formatPercent, parsePercent } from '../../lib/quote-math.ts';

const str = formText;

const money = (required: boolean) => parsedField(parseYuanToFen, 'price', required ? { required } : { empty: 0 });

/** The units people pick from; any other short text is accepted too. */
export const UNITS = ['台', '套', '个', '件', '年', '月', '项', '次', '人天', '用户', '米', '箱'] as const;

/** The product form (and one imported row). Prices are yuan with VAT; the tax rate is a percentage. */
export const productSchema = z
  .object({
    code: str.pipe(z.string().trim().min(1, 'required').max(40, 'tooLong:40').regex(/^[\w.\-/]+$/, 'code')),
    name: requiredText(120),
    spec: optionalText(200),
    unit: str.pipe(z.string().trim().min(1, 'required').max(10, 'tooLong:10')),
    category: optionalText(40),
    list_price: money(true),
    floor_price: money(false),
    tax_rate: str.pipe(
      z
        .string()
        .trim()
        .transform((v, c) => {
          // A spreadsheet cell formatted as a percentage arrives as a fraction (0.13): no VAT rate is below 1%
          // except 0, so "0.13" is read as 13%.
          const fraction = /^0\.\d+$/.test(v) ? Math.round(Number(v) * 10_000) : null;
          const bp = fraction ?? parsePercent(v === '' ? '13' : v);
          if (bp === null || bp > 10_000) {
            c.addIssue({ code: 'custom', message: 'taxRate' });
            return z.NEVER;
          }
          return bp;
        }),
    ),
    active: str.transform((v) => (v === '0' || v === 'false' || v === '停用' || v.toLowerCase() === 'no' || v === '否' ? 0 : 1)),
    description: optionalText(1000),
  })
  // Checked whenever both prices parsed, even when another field is wrong, so every error shows at once.
  .refine((p) => p.floor_price <= p.list_price, {
    path: ['floor_price'],
    message: 'floorAboveList',
    when: (payload) => {
      const v = payload.value as { list_price?: unknown; floor_price?: unknown } | undefined;
      return typeof v?.list_price === 'number' && typeof v?.floor_price === 'number';
    },
  });
export type ProductInput = z.output<typeof productSchema>;

const optStr = z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined), z.string().max(100).optional());

export const productListQuery = z.object({
  q: optStr.catch(undefined),
  category: optStr.catch(undefined),
  status: z.enum(['active', 'inactive', 'all']).optional().catch(undefined),
  after: optStr.catch(undefined),
});
export type ProductListQuery = z.output<typeof productListQuery>;

export function productQueryString(f: ProductListQuery, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== '' && k !== 'after') p.set(k, String(v));
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** A product as its form's values (the edit form and the import's "update" both start from these). */
export const productFormValues = (p: {
  code: string;
  name: string;
  spec: string;
  unit: string;
  category: string;
  list_price_fen: number;
  floor_price_fen: number;
  tax_rate_bp: number;
  active: number;
  description: string;
}): Record<string, string> => ({
  code: p.code,
  name: p.name,
  spec: p.spec,
  unit: p.unit,
  category: p.category,
  list_price: fenToYuanInput(p.list_price_fen),
  floor_price: p.floor_price_fen ? fenToYuanInput(p.floor_price_fen) : '',
  tax_rate: formatPercent(p.tax_rate_bp),
  active: String(p.active),
  description: p.description,
});
