import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/index.ts';
import { isAdmin } from '../../access/index.ts';
import { afterWrite, auditContext, idParam, viewerOf } from '../../plugins/guards.ts';
import { fill } from '../../i18n/index.ts';
import { toCsv, toXlsx } from '../../lib/spreadsheet.ts';
import { createBatch, deleteExpiredBatches, findBatch, saveMapping, type ImportBatch } from './batches.ts';
import { runImport, type DuplicateAction } from './commands.ts';
import { adapterFor } from './adapters.ts';
import { autoMapping, isImportEntity, TARGET_FIELDS, valueLabels, type ImportEntity, type Mapping } from './fields.ts';
import { planImport, type PlannedRow } from './plan.ts';
import { isOwnerChoice, ownerChoices } from './queries.ts';
import { canEditProducts } from '../products/queries.ts';
import { checkUpload, MAX_IMPORT_BYTES, type UploadError } from './upload.ts';

const PREVIEW_PAGE = 50;
const SHOWS = ['all', 'invalid', 'duplicate'] as const;
type Show = (typeof SHOWS)[number];

/** Where each imported record type is listed (their "导入" buttons link back here). */
const LIST_PATH: Record<ImportEntity, string> = { customers: '/customers', contacts: '/contacts', leads: '/leads', products: '/products' };

/** Records without an owner (the company-wide price book): no owner to choose in the preview. */
const OWNERLESS: ReadonlySet<ImportEntity> = new Set(['products']);

/**
 * The import wizard, /imports/:entity (customers, contacts, leads):
 * upload (POST /imports/:entity) → map columns (/:id/mapping) → preview (/:id/preview) → import
 * (POST /:id/records, one transaction) → result. Uploads are private to the uploader and live in import_batches.
 */
export default async function importsRoutes(app: FastifyInstance, opts: { db: Db }) {
  const { db } = opts;

  /** The entity of the URL, or null (→ 404). Admins run settings, not sales records: no imports for them. */
  function entityOf(req: FastifyRequest): ImportEntity | null {
    const entity = (req.params as Record<string, string>).entity;
    if (!isImportEntity(entity)) return null;
    // The price book is kept by directors and administrators (products/queries.ts).
    if (entity === 'products') return canEditProducts(viewerOf(req)) ? entity : null;
    if (isAdmin(viewerOf(req))) return null;
    return entity;
  }

  async function batchOf(req: FastifyRequest): Promise<ImportBatch | null> {
    const entity = entityOf(req);
    const id = idParam(req.params);
    if (!entity || !id) return null;
    return (await findBatch(db, viewerOf(req), entity, id)) ?? null;
  }

  function fieldLabel(req: FastifyRequest, entity: ImportEntity, key: string): string {
    return (req.t.imports.fields[entity] as Record<string, string>)[key] ?? key;
  }

  function renderUpload(req: FastifyRequest, reply: FastifyReply, entity: ImportEntity, error: string | null, status = 200) {
    const required = TARGET_FIELDS[entity].filter((f) => f.required).map((f) => fieldLabel(req, entity, f.key));
    return reply.render('imports/upload', { title: req.t.imports.entities[entity], entity, error, required, listPath: LIST_PATH[entity], step: 'upload' }, { status, fragment: 'imports/_upload-form' });
  }

  function uploadErrorText(req: FastifyRequest, error: UploadError, rows?: number): string {
    return error === 'tooManyRows' ? fill(req.t.imports.errors.tooManyRows, { n: (rows ?? 0).toLocaleString('en-US') }) : req.t.imports.errors[error];
  }

  app.get('/imports/:entity', async (req, reply) => {
    const entity = entityOf(req);
    if (!entity) return reply.callNotFound();
    return renderUpload(req, reply, entity, null);
  });

  // A header row with every field's name: filled in and uploaded, it maps itself.
  app.get('/imports/:entity/template.:ext', async (req, reply) => {
    const entity = entityOf(req);
    const ext = (req.params as Record<string, string>).ext;
    if (!entity || (ext !== 'csv' && ext !== 'xlsx')) return reply.callNotFound();
    const columns = TARGET_FIELDS[entity].map((f) => ({ header: fieldLabel(req, entity, f.key), value: () => '' }));
    const name = encodeURIComponent(`${req.t.imports.entities[entity]}.${ext}`);
    reply.header('Content-Disposition', `attachment; filename="${entity}-template.${ext}"; filename*=UTF-8''${name}`).header('Cache-Control', 'no-store');
    if (ext === 'csv') return reply.type('text/csv; charset=utf-8').send(toCsv([], columns));
    return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await toXlsx([], columns, req.t.imports.entities[entity]));
  });

  app.post(
    '/imports/:entity',
    // One byte over the limit, and no throw: an oversized file arrives cut and is refused beside the field.
    { config: { multipartOptions: { limits: { fileSize: MAX_IMPORT_BYTES + 1 } } } as Record<string, unknown> },
    async (req, reply) => {
      const entity = entityOf(req);
      if (!entity) return reply.callNotFound();
      const viewer = viewerOf(req);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const checked = await checkUpload(body.file);
      if (!checked.ok) return renderUpload(req, reply, entity, uploadErrorText(req, checked.error, checked.rows), 422);
      await deleteExpiredBatches(db);
      const id = await createBatch(db, viewer, {
        entity,
        filename: checked.format,
        content: body.file as Buffer,
        sheet: checked.sheet,
        mapping: autoMapping(entity, checked.sheet.headers),
      });
      return afterWrite(req, reply, `/imports/${entity}/${id}/mapping`);
    },
  );

  function renderMapping(req: FastifyRequest, reply: FastifyReply, batch: ImportBatch, mapping: Mapping, errors: Record<string, string>, status = 200) {
    const { entity, sheet } = batch;
    const fields = TARGET_FIELDS[entity].map((f) => ({ key: f.key, required: Boolean(f.required), label: fieldLabel(req, entity, f.key), column: mapping[f.key] }));
    const first = sheet.rows[0] ?? [];
    const columns = sheet.headers.map((h, i) => ({ index: i, header: h || `#${i + 1}`, sample: (first[i] ?? '').slice(0, 30) }));
    return reply.render(
      'imports/mapping',
      { title: req.t.imports.entities[entity], entity, batch, fields, columns, errors, rowCount: sheet.rows.length, format: req.t.imports.formats[batch.filename as keyof typeof req.t.imports.formats] ?? batch.filename, step: 'mapping' },
      { status, fragment: 'imports/_mapping-form' },
    );
  }

  app.get('/imports/:entity/:id/mapping', async (req, reply) => {
    const batch = await batchOf(req);
    if (!batch) return reply.callNotFound();
    return renderMapping(req, reply, batch, batch.mapping, {});
  });

  app.post('/imports/:entity/:id/mapping', async (req, reply) => {
    const batch = await batchOf(req);
    if (!batch) return reply.callNotFound();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const mapping: Mapping = {};
    const errors: Record<string, string> = {};
    const usedBy = new Map<number, string>();
    for (const f of TARGET_FIELDS[batch.entity]) {
      const raw = body[`map_${f.key}`];
      const col = typeof raw === 'string' && /^\d{1,5}$/.test(raw) ? Number(raw) : null;
      if (col !== null && col < batch.sheet.headers.length) {
        if (usedBy.has(col)) errors[f.key] = fill(req.t.imports.errors.columnTwice, { column: batch.sheet.headers[col] || `#${col + 1}` });
        else usedBy.set(col, f.key);
        mapping[f.key] = col;
      } else if (f.required) {
        errors[f.key] = fill(req.t.imports.errors.mapRequired, { field: fieldLabel(req, batch.entity, f.key) });
      }
    }
    if (Object.keys(errors).length > 0) return renderMapping(req, reply, batch, mapping, errors, 422);
    await saveMapping(db, viewerOf(req), batch.id, mapping);
    return afterWrite(req, reply, `/imports/${batch.entity}/${batch.id}/preview`);
  });

  /** A row's cells for display: coded values (enterprise, A) shown by their label. */
  function displayValues(req: FastifyRequest, entity: ImportEntity, row: PlannedRow<unknown>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(row.values)) out[k] = valueLabels(req.t, entity, k)?.[v] ?? v;
    return out;
  }

  async function renderPreview(req: FastifyRequest, reply: FastifyReply, batch: ImportBatch, form: { duplicates: DuplicateAction; owner: string }, errors: Record<string, string>, status = 200) {
    const viewer = viewerOf(req);
    const adapter = adapterFor(batch.entity);
    const q = (req.query ?? {}) as Record<string, string>;
    const show: Show = (SHOWS as readonly string[]).includes(q.show ?? '') ? (q.show as Show) : 'all';
    const from = /^\d{1,6}$/.test(q.from ?? '') ? Number(q.from) : 0;
    const plan = await planImport(db, viewer, adapter, batch.sheet, batch.mapping, req.t);
    // Keyset over row numbers: the rows after `from` that the filter shows.
    const matching = plan.rows.filter((r) => show === 'all' || r.status === show);
    const after = matching.filter((r) => r.line > from);
    const page = after.slice(0, PREVIEW_PAGE);
    const nextFrom = after.length > PREVIEW_PAGE ? page[page.length - 1]!.line : null;
    const fields = TARGET_FIELDS[batch.entity].filter((f) => batch.mapping[f.key] !== undefined).map((f) => ({ key: f.key, label: fieldLabel(req, batch.entity, f.key) }));
    const owners = OWNERLESS.has(batch.entity) ? [] : await ownerChoices(db, viewer);
    return reply.render(
      'imports/preview',
      {
        title: req.t.imports.entities[batch.entity],
        entity: batch.entity,
        batch,
        counts: plan.counts,
        rows: page.map((r) => ({ ...r, display: displayValues(req, batch.entity, r) })),
        fields,
        show,
        from,
        nextFrom,
        matchingCount: matching.length,
        owners,
        form,
        errors,
        step: 'preview',
      },
      { status, fragment: 'imports/_preview' },
    );
  }

  app.get('/imports/:entity/:id/preview', async (req, reply) => {
    const batch = await batchOf(req);
    if (!batch) return reply.callNotFound();
    return renderPreview(req, reply, batch, { duplicates: 'skip', owner: String(viewerOf(req).id) }, {});
  });

  app.post('/imports/:entity/:id/records', async (req, reply) => {
    const batch = await batchOf(req);
    if (!batch) return reply.callNotFound();
    const viewer = viewerOf(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const duplicates: DuplicateAction = body.duplicates === 'update' ? 'update' : 'skip';
    const ownerRaw = typeof body.owner_id === 'string' && body.owner_id !== '' ? body.owner_id : String(viewer.id);
    const ownerId = /^\d{1,15}$/.test(ownerRaw) ? Number(ownerRaw) : NaN;
    if (!OWNERLESS.has(batch.entity) && (!Number.isFinite(ownerId) || !(await isOwnerChoice(db, viewer, ownerId)))) {
      return renderPreview(req, reply, batch, { duplicates, owner: ownerRaw }, { owner_id: req.t.imports.errors.badOwner }, 422);
    }
    let result;
    try {
      result = await runImport(db, viewer, auditContext(req), adapterFor(batch.entity), batch.entity, batch.id, { duplicates, ownerId }, req.t);
    } catch (err) {
      // Rolled back: nothing was imported and the upload is still there to try again.
      req.log.error({ err, batch: batch.id }, 'import failed');
      reply.flash('error', req.t.imports.errors.failed);
      return afterWrite(req, reply, `/imports/${batch.entity}/${batch.id}/preview`);
    }
    if (!result) {
      reply.flash('error', req.t.imports.errors.gone);
      return afterWrite(req, reply, `/imports/${batch.entity}`);
    }
    const qs = new URLSearchParams({ created: String(result.created), updated: String(result.updated), skipped: String(result.skipped), invalid: String(result.invalid) });
    return afterWrite(req, reply, `/imports/${batch.entity}/result?${qs.toString()}`);
  });

  app.get('/imports/:entity/result', async (req, reply) => {
    const entity = entityOf(req);
    if (!entity) return reply.callNotFound();
    const q = (req.query ?? {}) as Record<string, string>;
    const count = (k: string) => (/^\d{1,6}$/.test(q[k] ?? '') ? Number(q[k]) : 0);
    const counts = { created: count('created'), updated: count('updated'), skipped: count('skipped'), invalid: count('invalid') };
    return reply.render('imports/result', { title: req.t.imports.result.title, entity, counts, listPath: LIST_PATH[entity], step: 'result' });
  });
}
