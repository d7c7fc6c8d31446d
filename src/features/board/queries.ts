import { type ExpressionBuilder, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../../db/index.ts';
import { whileUnchanged } from '../../db/cache.ts';
import { stagesOf } from '../pipelines/queries.ts';
import type { DB } from '../../db/types.ts';
import { scope, type Viewer } from '../../access/index.ts';
import type { BoardQuery } from './schemas.ts';
import { dealTotals } from '../opportunities/totals.ts';

/**
 * Cards per open column on first load; the next ones load as the column is scrolled to its end (htmx, `intersect`),
 * and without JavaScript a link leads to the list. A card is ~135 px tall: 12 fill a column of a large screen
 * (~8 below the board's header at 1440 px) with a few to spare before the next batch is asked for (decision 0021
 * has the figures measured at 20, 12 and 10).
 */
export const CARDS_PER_COLUMN = 12;
/** Closed columns (won, lost) show only the latest few. */
export const CLOSED_CARDS = 5;

export interface PipelineTab {
  id: number;
  name: string;
  is_default: number;
}

export interface StageInfo {
  id: number;
  name: string;
  kind: string;
  probability: number;
}

export interface BoardCard {
  id: number;
  name: string;
  amount_fen: number;
  expected_close_date: string;
  status: string;
  stage_id: number;
  customer_id: number;
  customer_name: string;
  owner_id: number;
  owner_name: string;
}

export interface BoardColumn {
  stage: StageInfo;
  count: number;
  amountFen: number;
  cards: BoardCard[];
}

/** Active pipelines, the default first. */
export async function activePipelines(db: Db): Promise<readonly PipelineTab[]> {
  return whileUnchanged(db, 'active-pipelines', () =>
    db.selectFrom('pipelines').select(['id', 'name', 'is_default']).where('active', '=', 1).orderBy('is_default', 'desc').orderBy('sort_order').orderBy('id').execute(),
  );
}

/** The pipeline asked for if it is active, else the default (else the first active one). */
export function choosePipeline(pipelines: readonly PipelineTab[], wanted: number | undefined): PipelineTab | undefined {
  return pipelines.find((p) => p.id === wanted) ?? pipelines.find((p) => p.is_default === 1) ?? pipelines[0];
}

/** Stages in board order: open stages by sort order, then won, then lost (the pipeline settings' stagesOf). */
export const pipelineStages = stagesOf;

/** Users the viewer may filter by (their own scope of owners), by name. */
export { assignableUsers as ownerOptions } from '../users/queries.ts';

type OppEb = ExpressionBuilder<DB & { o: DB['opportunities'] }, 'o'>;

/**
 * The viewer's scope plus the board filters, as one condition on `o` for a column's cards. Without the pipeline: the
 * query already names a stage, which belongs to one pipeline — repeating the pipeline let SQLite (with statistics)
 * pick a pipeline-first index and sort a whole pipeline for a manager's column (~270 ms) instead of walking the
 * stage's index (~2 ms).
 */
function boardFilter(viewer: Viewer, q: BoardQuery) {
  return (eb: OppEb): Expression<SqlBool> => {
    const parts: Expression<SqlBool>[] = [scope(viewer, 'opportunities', { alias: 'o' })];
    if (q.owner) parts.push(eb('o.owner_id', '=', q.owner));
    if (q.who === 'mine') parts.push(eb('o.owner_id', '=', viewer.id));
    if (q.who === 'team') parts.push(eb('o.owner_id', '!=', viewer.id));
    if (q.close_from) parts.push(eb('o.expected_close_date', '>=', q.close_from));
    if (q.close_to) parts.push(eb('o.expected_close_date', '<=', q.close_to));
    return eb.and(parts);
  };
}

/** One column per stage: count and total amount of every matching deal (from deal_totals), and the first cards. */
export async function boardColumns(db: Db, viewer: Viewer, pipelineId: number, q: BoardQuery): Promise<BoardColumn[]> {
  const stages = await pipelineStages(db, pipelineId);
  // "Mine" with another owner chosen matches nothing.
  const noneMatch = q.who === 'mine' && q.owner !== undefined && q.owner !== viewer.id;
  const totals = noneMatch
    ? []
    : await dealTotals(db, viewer, {
        pipelineId,
        from: q.close_from,
        to: q.close_to,
        owner: q.who === 'mine' ? viewer.id : q.owner,
        exceptOwner: q.who === 'team' ? viewer.id : undefined,
        by: 'stage',
      });
  const byStage = new Map(totals.map((r) => [r.stage_id, { count: r.deals, amountFen: r.amountFen }]));

  return Promise.all(
    stages.map(async (stage) => {
      const closed = stage.kind !== 'open';
      const cards = await columnCards(db, viewer, stage, q, { limit: closed ? CLOSED_CARDS : CARDS_PER_COLUMN });
      const t = byStage.get(stage.id) ?? { count: 0, amountFen: 0 };
      return { stage, count: t.count, amountFen: t.amountFen, cards };
    }),
  );
}

/** Where the next cards of an open column start: after this close date and id. */
export interface CardCursor {
  date: string;
  id: number;
}

export const encodeCardCursor = (c: BoardCard): string => `${c.expected_close_date}_${c.id}`;
export function decodeCardCursor(raw: unknown): CardCursor | undefined {
  const m = typeof raw === 'string' ? /^(\d{4}-\d{2}-\d{2})_(\d{1,15})$/.exec(raw) : null;
  return m ? { date: m[1]!, id: Number(m[2]) } : undefined;
}

/**
 * The cards of one column, in the board's order: open columns by close date (soonest first) from `after` on; closed
 * columns the latest closed.
 */
export async function columnCards(db: Db, viewer: Viewer, stage: StageInfo, q: BoardQuery, opts: { limit: number; after?: CardCursor }): Promise<BoardCard[]> {
  const closed = stage.kind !== 'open';
  let cards = db
    .selectFrom('opportunities as o')
    .innerJoin('customers as c', 'c.id', 'o.customer_id')
    .innerJoin('users as u', 'u.id', 'o.owner_id')
    .select([
      'o.id',
      'o.name',
      'o.amount_fen',
      'o.expected_close_date',
      'o.status',
      'o.stage_id',
      'o.customer_id',
      'c.name as customer_name',
      'o.owner_id',
      'u.display_name as owner_name',
    ])
    .where('o.stage_id', '=', stage.id)
    .where(boardFilter(viewer, q));
  const after = opts.after;
  if (closed) cards = cards.orderBy('o.closed_at', 'desc').orderBy('o.id', 'desc');
  else {
    if (after) cards = cards.where((eb) => eb.or([eb('o.expected_close_date', '>', after.date), eb.and([eb('o.expected_close_date', '=', after.date), eb('o.id', '>', after.id)])]));
    cards = cards.orderBy('o.expected_close_date').orderBy('o.id');
  }
  return cards.limit(opts.limit).execute();
}

/** A deal the viewer may see, with its name and pipeline (for move messages). */
export async function visibleDeal(db: Db, viewer: Viewer, id: number) {
  return db
    .selectFrom('opportunities as o')
    .select(['o.id', 'o.name', 'o.pipeline_id', 'o.stage_id', 'o.status'])
    .where('o.id', '=', id)
    .where(scope(viewer, 'opportunities', { alias: 'o' }))
    .executeTakeFirst();
}

export async function stageById(db: Db, id: number) {
  return db.selectFrom('pipeline_stages').select(['id', 'name', 'kind', 'pipeline_id']).where('id', '=', id).executeTakeFirst();
}

// ---------- the overview table (机会总览表) ----------

export type OverviewRows = 'company' | 'department' | 'rep';

export interface OverviewCell {
  count: number;
  amountFen: number;
}

export interface OverviewRow {
  key: string;
  label: string;
  /** The filter this row adds to a cell's link: owner=… or department=…, none for the company. */
  param?: { name: 'owner' | 'department'; value: number };
  cells: Map<number, OverviewCell>;
  total: OverviewCell;
}

export interface Overview {
  stages: readonly StageInfo[];
  rows: OverviewRow[];
  columnTotals: Map<number, OverviewCell>;
  total: OverviewCell;
}

/**
 * Deals of one pipeline whose expected close date falls in [from, to], counted and summed by stage and by
 * company / department / rep, within the viewer's scope: from deal_totals (the whole months) and the deals (the
 * days at either end of the period that are not a whole month).
 */
export async function overview(
  db: Db,
  viewer: Viewer,
  opts: { pipelineId: number; rows: OverviewRows; from: string; to: string; noDepartment: string; companyLabel: string },
): Promise<Overview> {
  const stages = await pipelineStages(db, opts.pipelineId);
  const totals = await dealTotals(db, viewer, { pipelineId: opts.pipelineId, from: opts.from, to: opts.to, by: opts.rows === 'company' ? 'stage' : 'owner' });
  // Names for the rows: the owners' (rep rows) or their departments' (department rows).
  const ownerIds = [...new Set(totals.map((t) => t.owner_id).filter((id): id is number => id !== null))];
  const owners = new Map<number, { display_name: string; department_id: number | null; department_name: string | null }>();
  for (let i = 0; i < ownerIds.length; i += 500) {
    const found = await db
      .selectFrom('users as u')
      .leftJoin('departments as d', 'd.id', 'u.department_id')
      .select(['u.id', 'u.display_name', 'u.department_id', 'd.name as department_name'])
      .where('u.id', 'in', ownerIds.slice(i, i + 500))
      .execute();
    for (const u of found) owners.set(u.id, u);
  }
  const grouped = totals.map((t) => {
    const owner = t.owner_id === null ? undefined : owners.get(t.owner_id);
    if (opts.rows === 'rep') return { ...t, key: t.owner_id, label: owner?.display_name ?? null };
    if (opts.rows === 'department') return { ...t, key: owner?.department_id ?? null, label: owner?.department_name ?? null };
    return { ...t, key: null, label: null };
  });

  const rows = new Map<string, OverviewRow>();
  const columnTotals = new Map<number, OverviewCell>();
  const total: OverviewCell = { count: 0, amountFen: 0 };
  const add = (into: OverviewCell, count: number, amountFen: number) => {
    into.count += count;
    into.amountFen += amountFen;
  };
  for (const g of grouped) {
    const count = g.deals;
    const amountFen = g.amountFen;
    const key = g.key === null ? 'none' : String(g.key);
    let row = rows.get(key);
    if (!row) {
      row = {
        key,
        label: opts.rows === 'company' ? opts.companyLabel : (g.label ?? opts.noDepartment),
        param: g.key === null ? undefined : { name: opts.rows === 'rep' ? 'owner' : 'department', value: g.key },
        cells: new Map(),
        total: { count: 0, amountFen: 0 },
      };
      rows.set(key, row);
    }
    const cell = row.cells.get(g.stage_id) ?? { count: 0, amountFen: 0 };
    add(cell, count, amountFen);
    row.cells.set(g.stage_id, cell);
    add(row.total, count, amountFen);
    const col = columnTotals.get(g.stage_id) ?? { count: 0, amountFen: 0 };
    add(col, count, amountFen);
    columnTotals.set(g.stage_id, col);
    add(total, count, amountFen);
  }
  const collator = new Intl.Collator('zh-CN');
  const sorted = [...rows.values()].sort((a, b) => (a.key === 'none' ? 1 : b.key === 'none' ? -1 : collator.compare(a.label, b.label)));
  return { stages, rows: sorted, columnTotals, total };
}



