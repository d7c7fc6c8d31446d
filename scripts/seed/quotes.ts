import fs from 'node:fs';
import type { SeedContext } from './context.ts';
import type { SeedProduct } from './products.ts';
import { lineAmounts, quoteTotals, type LineAmounts } from '../../src/lib/quote-math.ts';
import { approvalLevel } from '../../src/features/quotes/approval.ts';
import { formatQuoteNumber } from '../../src/features/quotes/numbering.ts';

// Demo quotes: ~250 across every status, some with a second or third revision, on the customers and deals of the
// demo reps; at large scale ~20,000 more over all owners, plus one long quote (two PDF pages) per demo rep for the
// bench. Numbers follow the default pattern and each year's counter ends where its quotes do (no gaps).
// Runs after seedProducts, seedCustomers, seedContacts and seedOpportunities.

const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const PAYMENT = ['合同签订后 7 日内支付 30% 预付款，到货验收后支付 60%，终验后支付 10%', '货到验收合格后 30 日内一次性付清', '按季度预付服务费', '合同签订后支付 50%，上线验收后支付 50%'];
const DELIVERY = ['合同生效后 15 个工作日内到货', '合同生效后 4 周内交付', '现货，3 个工作日内发货', '按项目计划分批交付'];
const WARRANTY = ['硬件三年原厂保修，下一工作日上门', '软件一年免费升级与远程支持', '质保一年，终身维护', ''];
const COMMENTS_OK = ['同意，战略客户', '同意，注意回款节奏', '价格已与总监沟通，同意', '同意本次折扣，下不为例'];
const COMMENTS_NO = ['折扣过大，请重新核算', '低于底价的行请说明原因', '请先确认客户预算再报价'];

type Status = 'draft' | 'pending_approval' | 'approved' | 'sent' | 'accepted' | 'rejected' | 'expired';

export async function seedQuotes(ctx: SeedContext, products: SeedProduct[]): Promise<void> {
  const { sqlite, random } = ctx;
  if (products.length === 0) return;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const nowMs = ctx.now.getTime();
  const today = isoDay(nowMs);

  const demoOwners = new Set([...ctx.users.entries()].filter(([u, v]) => /^(rep\d|manager\d)$/.test(u) && v).map(([, v]) => v.id));
  const customers = sqlite.prepare('select id, owner_id from customers where owner_id is not null order by id').all() as { id: number; owner_id: number }[];
  const byOwner = new Map<number, number[]>();
  for (const c of customers) {
    const list = byOwner.get(c.owner_id);
    if (list) list.push(c.id);
    else byOwner.set(c.owner_id, [c.id]);
  }
  const contactOf = new Map<number, number>();
  for (const c of sqlite.prepare('select id, customer_id from contacts where customer_id is not null order by id').iterate() as Iterable<{ id: number; customer_id: number }>) {
    if (!contactOf.has(c.customer_id)) contactOf.set(c.customer_id, c.id);
  }
  const dealOf = new Map<number, number>();
  for (const o of sqlite.prepare('select id, customer_id from opportunities order by id').iterate() as Iterable<{ id: number; customer_id: number }>) dealOf.set(o.customer_id, o.id);
  // The approver of each owner: their department's manager (not themselves), else the director.
  const director = ctx.users.get('director')?.id ?? null;
  const managerOf = new Map<number, number | null>();
  for (const u of sqlite.prepare('select u.id, d.manager_id from users u left join departments d on d.id = u.department_id').all() as { id: number; manager_id: number | null }[]) {
    managerOf.set(u.id, u.manager_id && u.manager_id !== u.id ? u.manager_id : director);
  }
  const settings = { managerBp: 1000, directorBp: 2000 };
  // The demo company's default terms: a new quote starts with them (/settings/quotes changes them).
  sqlite
    .prepare('update company set quote_payment_terms = ?, quote_delivery_terms = ?, quote_warranty_terms = ? where id = 1')
    .run(PAYMENT[0], '合同生效后 15 个工作日内交货（送货至客户指定地点）', '硬件三年原厂保修，软件一年免费升级与远程技术支持');
  // …and a logo for the quote PDF's header (scripts/seed/assets/demo-logo.png, drawn for the demo), unless it has one.
  sqlite
    .prepare("update company set logo = ?, logo_mime = 'image/png' where id = 1 and logo is null")
    .run(fs.readFileSync(new URL('./assets/demo-logo.png', import.meta.url)));

  const insertQuote = sqlite.prepare(
    `insert into quotes (number, revision, latest, customer_id, contact_id, opportunity_id, owner_id, status, quote_date, valid_until, tax_mode,
       subtotal_fen, tax_fen, total_fen, list_total_fen, discount_bp, below_floor, approval_level, approver_id, approved_by, approved_at,
       submitted_at, sent_at, closed_at, payment_terms, delivery_terms, warranty_terms, notes, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?)`,
  );
  const insertLine = sqlite.prepare(
    `insert into quote_lines (quote_id, position, product_id, name, spec, unit, quantity_milli, unit_price_fen, discount_bp, tax_rate_bp,
       list_price_fen, floor_price_fen, effective_unit_fen, net_fen, tax_fen, amount_fen, below_floor) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertEvent = sqlite.prepare('insert into quote_events (quote_id, at, user_id, kind, comment) values (?, ?, ?, ?, ?)');
  const counters = new Map<number, number>();

  type Line = { p: SeedProduct; qty: number; price: number; disc: number; a: LineAmounts };
  function makeLines(n: number, mode: 'inclusive' | 'exclusive', depth: number): Line[] {
    const lines: Line[] = [];
    for (let i = 0; i < n; i++) {
      const p = pick(products);
      const qty = p.unit === '人天' ? (5 + Math.floor(random() * 40)) * 1000 : p.unit === '个' ? (2 + Math.floor(random() * 30)) * 1000 : (1 + Math.floor(random() * 6)) * 1000;
      // Most lines at or a little under list; `depth` pushes some below the floor.
      const cut = random() < depth ? 0.7 + random() * 0.15 : 0.9 + random() * 0.1;
      const gross = Math.round((p.list * cut) / 100) * 100;
      const price = mode === 'inclusive' ? gross : Math.round((gross * 10_000) / (10_000 + p.tax));
      const disc = random() < 0.2 ? pick([200, 500, 800, 1000]) : 0;
      lines.push({ p, qty, price, disc, a: lineAmounts({ quantityMilli: qty, unitPriceFen: price, discountBp: disc, taxRateBp: p.tax, listPriceFen: p.list, floorPriceFen: p.floor }, mode) });
    }
    return lines;
  }

  /** A time on that day; never in the future (a quote dated today gets minutes before now, in the same order). */
  function at(dayMs: number, hour: number): string {
    return new Date(Math.min(dayMs + hour * 3_600_000, nowMs - (10 - hour) * 60_000)).toISOString();
  }

  /** One quote number with its revisions; the last revision gets `status`. */
  function quote(owner: number, customer: number, firstDayMs: number, status: Status, revisions: number, lineCount: number) {
    // Revisions follow six days apart; none may lie in the future.
    const dateMs = Math.min(firstDayMs, nowMs - (revisions - 1) * 6 * DAY);
    const date = isoDay(dateMs);
    const year = Number(date.slice(0, 4));
    const seq = (counters.get(year) ?? 0) + 1;
    counters.set(year, seq);
    const number = formatQuoteNumber('BJ-{YYYY}-{####}', date, seq);
    const mode = random() < 0.8 ? 'inclusive' : 'exclusive';
    let lines = makeLines(lineCount, mode, status === 'pending_approval' ? 0.9 : 0.15);
    const terms = [pick(PAYMENT), pick(DELIVERY), pick(WARRANTY)] as const;
    for (let rev = 1; rev <= revisions; rev++) {
      const last = rev === revisions;
      let st: Status = last ? status : 'sent';
      const revDay = dateMs + (rev - 1) * 6 * DAY;
      if (rev > 1) lines = lines.map((l) => ({ ...l, a: lineAmounts({ quantityMilli: l.qty, unitPriceFen: Math.round(l.price * 0.97), discountBp: l.disc, taxRateBp: l.p.tax, listPriceFen: l.p.list, floorPriceFen: l.p.floor }, mode), price: Math.round(l.price * 0.97) }));
      const totals = quoteTotals(lines.map((l) => l.a));
      const level = approvalLevel(totals, settings);
      // A quote that needs no approval was never pending or approved: it stays a draft.
      if (!level && (st === 'pending_approval' || st === 'approved')) st = 'draft';
      const approver = level === 'director' ? director : level === 'manager' ? (managerOf.get(owner) ?? director) : null;
      const created = at(revDay, 2);
      const submitted = level && st !== 'draft' ? at(revDay, 3) : null;
      const approved = level && st !== 'draft' && st !== 'pending_approval' ? at(revDay, 5) : null;
      const sent = st === 'sent' || st === 'accepted' || st === 'rejected' || st === 'expired' ? at(revDay, 7) : null;
      const validUntil = isoDay(revDay + 30 * DAY);
      // Sent quotes past their validity are expired (as the nightly check leaves them); expired ones are past it.
      const finalStatus: Status = st === 'sent' || st === 'expired' ? (validUntil < today ? 'expired' : 'sent') : st;
      const closed = finalStatus === 'accepted' || finalStatus === 'rejected' || finalStatus === 'expired' ? at(finalStatus === 'expired' ? Date.parse(`${validUntil}T00:00:00Z`) + DAY : Math.max(revDay, Math.min(revDay + 12 * DAY, nowMs - DAY)), 8) : null;
      const updated = closed ?? sent ?? approved ?? submitted ?? created;
      const r = insertQuote.run(
        number, rev, last ? 1 : 0, customer, contactOf.get(customer) ?? null, dealOf.get(customer) ?? null, owner, finalStatus, isoDay(revDay), validUntil, mode,
        totals.subtotalFen, totals.taxFen, totals.totalFen, totals.listTotalFen, totals.discountBp, totals.belowFloor, level, submitted ? approver : null,
        approved ? approver : null, approved, submitted, sent, closed, terms[0], terms[1], terms[2], created, updated,
      );
      const id = Number(r.lastInsertRowid);
      lines.forEach((l, i) => insertLine.run(id, i + 1, l.p.id, l.p.name, l.p.spec, l.p.unit, l.qty, l.price, l.disc, l.p.tax, l.p.list, l.p.floor, l.a.effectiveUnitFen, l.a.netFen, l.a.taxFen, l.a.amountFen, l.a.belowFloor ? 1 : 0));
      insertEvent.run(id, created, owner, rev > 1 ? 'revised' : 'created', rev > 1 ? `v${rev - 1} → v${rev}` : '');
      if (submitted) insertEvent.run(id, submitted, owner, 'submitted', '');
      if (approved) insertEvent.run(id, approved, approver, 'approved', pick(COMMENTS_OK));
      else if (level && st === 'draft' && random() < 0.3) insertEvent.run(id, created, approver, 'approval_rejected', pick(COMMENTS_NO));
      if (sent) insertEvent.run(id, sent, owner, 'sent', '');
      if (closed) insertEvent.run(id, closed, finalStatus === 'expired' ? null : owner, finalStatus, '');
    }
  }

  const STATUSES: [Status, number][] = [['draft', 0.14], ['pending_approval', 0.1], ['approved', 0.08], ['sent', 0.3], ['accepted', 0.22], ['rejected', 0.1], ['expired', 0.06]];
  const status = (): Status => {
    let x = random();
    for (const [s, p] of STATUSES) if ((x -= p) < 0) return s;
    return 'sent';
  };
  function batch(owners: number[], count: number, maxLines: number) {
    const eligible = owners.filter((o) => (byOwner.get(o)?.length ?? 0) > 0);
    if (eligible.length === 0) return;
    // Oldest first, so numbers grow with dates.
    const days = Array.from({ length: count }, () => nowMs - Math.floor(random() * 360) * DAY).sort((a, b) => a - b);
    for (const d of days) {
      const owner = pick(eligible);
      const st = status();
      const recentEnough = st === 'draft' || st === 'pending_approval' || st === 'approved' || st === 'sent' ? Math.max(d, nowMs - 20 * DAY) : d;
      quote(owner, pick(byOwner.get(owner)!), recentEnough, st, random() < 0.15 ? 2 + (random() < 0.3 ? 1 : 0) : 1, 1 + Math.floor(random() * maxLines));
    }
  }

  batch([...demoOwners], 250, 6);
  if (ctx.scale === 'large') {
    batch(ctx.owners, 20_000, 6);
    // One long quote per demo rep: two PDF pages, the bench's /quotes/:quoteId.pdf.
    for (const u of ['rep1', 'rep2', 'rep3', 'rep4', 'rep5', 'rep6']) {
      const id = ctx.users.get(u)?.id;
      const mine = id ? byOwner.get(id) : undefined;
      if (id && mine?.length) quote(id, mine[0]!, nowMs - 3 * DAY, 'sent', 1, 24);
    }
  }
  const upsert = sqlite.prepare('insert into quote_counters (year, last) values (?, ?) on conflict (year) do update set last = excluded.last');
  for (const [year, last] of counters) upsert.run(year, last);
}
