import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/index.ts';
import { afterWrite, auditContext, idParam, viewerOf, wantsFragment } from '../../plugins/guards.ts';
import { formValues, parseForm, type FieldErrors } from '../../lib/validation.ts';
import {
  activityPanel,
  calendarItems,
  canSeeTeam,
  getActivity,
  linkOptions,
  listActivities,
  openTasks,
  participantOptions,
  scheduleOwners,
  subjectFromParams,
  subjectParams,
  taskRow,
  visibleSubject,
  type ActivityDetail,
  type ActivitySubject,
  type CalendarItem,
} from './queries.ts';
import { cancelActivity, completeActivity, createActivity, updateActivity, type ActivityResult } from './commands.ts';
import { ACTIVITY_STATUSES, ACTIVITY_TYPES, activityListQuery, calendarQuery, completionSchema, createActivitySchema, subjectQuery, taskListQuery, updateActivitySchema } from './schemas.ts';
import { calendarRange, localDay, localTime, localToUtc, utcToLocal } from './time.ts';
import { companyTimeZone } from '../company/queries.ts';

const PANEL_TARGET = 'activity-panel';
const BACK_KEYS = { customer: 'customer_id', contact: 'contact_id', lead: 'lead_id' } as const;
type Back = keyof typeof BACK_KEYS;

/** The record page an activity form came from (hidden `back` + that record's id), or null. */
function backSubject(body: Record<string, unknown>): ActivitySubject | null {
  const back = body.back;
  if (typeof back !== 'string' || !(back in BACK_KEYS)) return null;
  const raw = body[BACK_KEYS[back as Back]];
  const id = typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : 0;
  return id ? subjectFromParams({ [BACK_KEYS[back as Back]]: id }) : null;
}

const backOf = (s: ActivitySubject): Back => ('customerId' in s ? 'customer' : 'contactId' in s ? 'contact' : 'lead');

/**
 * Activities (行动), the schedule (日程) and tasks: /activities…, /calendar, /tasks.
 * The activity panel of customer, contact and lead pages is views/activities/_panel.eta fed by activityPanel().
 */
export default async function activitiesRoutes(app: FastifyInstance, opts: { db: Db }) {
  const { db } = opts;

  /** Field errors of a parse or a command, in the viewer's language. */
  function translate(req: FastifyRequest, errors: FieldErrors | Record<string, string>, fromCommand: boolean): FieldErrors {
    const t = req.t.activities;
    const out: FieldErrors = {};
    for (const [field, message] of Object.entries(errors)) {
      if (fromCommand) out[field] = message === 'alreadyClosed' ? t.alreadyClosed : t.errors[message as keyof typeof t.errors] ?? req.t.validation.invalid;
      else if (field === 'duration_minutes') out[field] = t.errors.duration;
      else if (field === 'participants') out[field] = t.errors.participant;
      else out[field] = message;
    }
    return out;
  }

  /** Date-time errors shown together with the schema's (the command checks them again with the zone). */
  async function withTimeErrors(body: unknown, errors: FieldErrors): Promise<FieldErrors> {
    const zone = await companyTimeZone(db);
    const b = (body ?? {}) as Record<string, unknown>;
    const out = { ...errors };
    for (const field of ['starts_at', 'remind_at']) {
      const v = typeof b[field] === 'string' ? (b[field] as string).trim() : '';
      if (!out[field] && v && !localToUtc(v, zone)) out[field] = '';
    }
    return out;
  }

  const dateTexts = (req: FastifyRequest, errors: FieldErrors): FieldErrors =>
    Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, v === '' ? req.t.activities.errors.dateTime : v]));

  /** Input echoed back: strings as typed, participants as the list of chosen ids. */
  function echo(body: unknown): Record<string, unknown> {
    const values: Record<string, unknown> = formValues(body);
    const p = (body as Record<string, unknown> | undefined)?.participants;
    values.participants = (Array.isArray(p) ? p : p ? [p] : []).map(String);
    return values;
  }

  async function formData(req: FastifyRequest, activity: ActivityDetail | null, values: Record<string, unknown>) {
    const viewer = viewerOf(req);
    const num = (v: unknown) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : typeof v === 'number' ? v : null);
    const [links, people, zone] = await Promise.all([
      linkOptions(db, viewer, { customer_id: num(values.customer_id), contact_id: num(values.contact_id), lead_id: num(values.lead_id) }),
      participantOptions(db, viewer),
      companyTimeZone(db),
    ]);
    return { activity, links, people, zone, types: ACTIVITY_TYPES };
  }

  async function renderForm(req: FastifyRequest, reply: FastifyReply, activity: ActivityDetail | null, values: Record<string, unknown>, errors: FieldErrors, status = 200) {
    const data = await formData(req, activity, values);
    return reply.render('activities/form', { ...data, values, errors }, { status, fragment: 'activities/_form' });
  }

  /** The panel of a record page, optionally with the quick form open (after a failed quick submit). */
  async function renderPanel(req: FastifyRequest, reply: FastifyReply, subject: ActivitySubject, quick: { values: Record<string, unknown>; errors: FieldErrors } | null, status = 200) {
    const viewer = viewerOf(req);
    const [panel, record, zone] = await Promise.all([activityPanel(db, viewer, subject), visibleSubject(db, viewer, subject), companyTimeZone(db)]);
    if (!record) return reply.callNotFound();
    return reply.render(
      'activities/panel',
      { activityPanel: panel, subject: panel.subject, record, quick, back: backOf(subject), zone, types: ACTIVITY_TYPES },
      { status, fragment: 'activities/_panel' },
    );
  }

  function nowLocal(zone: string): string {
    return utcToLocal(new Date().toISOString(), zone);
  }

  // ---------- list ----------
  app.get('/activities', async (req, reply) => {
    const viewer = viewerOf(req);
    const f = activityListQuery.parse(req.query ?? {});
    const who = await scheduleOf(req, f);
    if (!who.ok) return reply.callNotFound();
    const page = await listActivities(db, viewer, f, who.owners);
    const ownerId = who.team ? undefined : who.owners[0];
    const filters = { ...f, owner: ownerId && ownerId !== viewer.id ? String(ownerId) : '', team: who.team ? '1' : '' };
    const anyFilter = Boolean(f.q || f.type || f.status || f.customer_id || f.contact_id || f.lead_id || filters.owner || filters.team);
    return reply.render(
      'activities/index',
      { ...page, filters, anyFilter, types: ACTIVITY_TYPES, statuses: ACTIVITY_STATUSES, people: who.people, canSeeTeam: canSeeTeam(viewer) },
      { fragment: 'activities/_list' },
    );
  });

  // ---------- create ----------
  app.get('/activities/new', async (req, reply) => {
    const viewer = viewerOf(req);
    const q = (req.query ?? {}) as Record<string, string>;
    const subject = subjectFromParams(subjectQuery.parse(q));
    if (subject && !(await visibleSubject(db, viewer, subject))) return reply.callNotFound();
    const zone = await companyTimeZone(db);
    const type = (ACTIVITY_TYPES as readonly string[]).includes(q.type ?? '') ? q.type! : 'visit';
    const values: Record<string, unknown> = { type, status: 'planned', starts_at: q.date && /^\d{4}-\d{2}-\d{2}$/.test(q.date) ? `${q.date}T09:00` : nowLocal(zone), duration_minutes: '60', participants: [] };
    if (subject) {
      const p = subjectParams(subject);
      values[p.key] = String(p.id);
      values.back = backOf(subject);
    }
    // From a deal's contact plan: the activity is linked to the deal (checked against the scope when saved).
    if (q.opportunity_id && /^\d{1,15}$/.test(q.opportunity_id)) {
      values.opportunity_id = q.opportunity_id;
    }
    return renderForm(req, reply, null, values, {});
  });

  app.get('/activities/quick-form', async (req, reply) => {
    const viewer = viewerOf(req);
    const subject = subjectFromParams(subjectQuery.parse(req.query ?? {}));
    if (!subject || !(await visibleSubject(db, viewer, subject))) return reply.callNotFound();
    const p = subjectParams(subject);
    // Without htmx this is a page of its own: the full form does the same job.
    if (!wantsFragment(req)) return reply.redirect(`/activities/new?${p.query}`, 303);
    const zone = await companyTimeZone(db);
    const values = { type: 'call', status: 'done', starts_at: nowLocal(zone), duration_minutes: '30', [p.key]: String(p.id) };
    return reply.render('activities/_quick-form', { values, errors: {}, subject: { [p.key]: p.id }, back: backOf(subject), zone, types: ACTIVITY_TYPES }, { fragment: 'activities/_quick-form' });
  });

  app.get('/activities/panel', async (req, reply) => {
    const subject = subjectFromParams(subjectQuery.parse(req.query ?? {}));
    if (!subject) return reply.callNotFound();
    return renderPanel(req, reply, subject, null);
  });

  app.post('/activities', async (req, reply) => {
    const viewer = viewerOf(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const subject = backSubject(body);
    const toPanel = subject !== null && req.headers['hx-target'] === PANEL_TARGET;
    const failed = async (errors: FieldErrors) => {
      if (toPanel) return renderPanel(req, reply, subject, { values: echo(body), errors }, 422);
      return renderForm(req, reply, null, echo(body), errors, 422);
    };
    const parsed = parseForm(createActivitySchema, body, req.t);
    if (!parsed.ok) return failed(dateTexts(req, await withTimeErrors(body, translate(req, parsed.errors, false))));
    const result = await createActivity(db, viewer, auditContext(req), parsed.data, await companyTimeZone(db));
    if (!result.ok) return failed(translate(req, result.errors, true));
    reply.flash('success', req.t.activities.created);
    if (toPanel) return renderPanel(req, reply, subject, null);
    return afterWrite(req, reply, subject ? subjectParams(subject).page : `/activities/${result.id}`);
  });

  // ---------- one activity ----------
  async function findOr404(req: FastifyRequest) {
    const id = idParam(req.params);
    return id ? getActivity(db, viewerOf(req), id) : undefined;
  }

  async function renderDetail(req: FastifyRequest, reply: FastifyReply, activity: ActivityDetail, completion: { values: Record<string, unknown>; errors: FieldErrors }, status = 200) {
    return reply.render('activities/show', { a: activity, completion }, { status });
  }

  app.get('/activities/:id', async (req, reply) => {
    const activity = await findOr404(req);
    if (!activity) return reply.callNotFound();
    return renderDetail(req, reply, activity, { values: {}, errors: {} });
  });

  app.get('/activities/:id/edit', async (req, reply) => {
    const activity = await findOr404(req);
    if (!activity) return reply.callNotFound();
    const zone = await companyTimeZone(db);
    const values = {
      ...activity,
      starts_at: utcToLocal(activity.starts_at, zone),
      remind_at: utcToLocal(activity.remind_at, zone),
      duration_minutes: String(activity.duration_minutes),
      customer_id: activity.customer_id ? String(activity.customer_id) : '',
      contact_id: activity.contact_id ? String(activity.contact_id) : '',
      lead_id: activity.lead_id ? String(activity.lead_id) : '',
      participants: activity.participants.map((p) => String(p.id)),
    };
    return renderForm(req, reply, activity, values, {});
  });

  app.post('/activities/:id', async (req, reply) => {
    const activity = await findOr404(req);
    if (!activity) return reply.callNotFound();
    const parsed = parseForm(updateActivitySchema, req.body, req.t);
    if (!parsed.ok) return renderForm(req, reply, activity, echo(req.body), dateTexts(req, await withTimeErrors(req.body, translate(req, parsed.errors, false))), 422);
    const result = await updateActivity(db, viewerOf(req), auditContext(req), activity.id, parsed.data, await companyTimeZone(db));
    if (!result.ok && result.notFound) return reply.callNotFound();
    if (!result.ok) return renderForm(req, reply, activity, echo(req.body), translate(req, result.errors, true), 422);
    reply.flash('success', req.t.activities.saved);
    return afterWrite(req, reply, `/activities/${activity.id}`);
  });

  /** After completion or cancellation: the task row (htmx on /tasks), /tasks, or the activity's page. */
  async function afterStateChange(req: FastifyRequest, reply: FastifyReply, id: number, result: ActivityResult) {
    const target = String(req.headers['hx-target'] ?? '');
    if (wantsFragment(req) && target === `task-${id}`) {
      if (!result.ok) reply.flash('error', translate(req, result.errors, true)._form ?? Object.values(translate(req, result.errors, true))[0] ?? req.t.validation.invalid);
      const row = await taskRow(db, viewerOf(req), id);
      if (!row) return reply.callNotFound();
      return reply.render('activities/_task-row', { task: row, now: new Date().toISOString(), showOwner: (req.body as Record<string, unknown> | undefined)?.show_owner === '1' }, { fragment: 'activities/_task-row' });
    }
    if (!result.ok) reply.flash('error', Object.values(translate(req, result.errors, true))[0] ?? req.t.validation.invalid);
    const back = (req.body as Record<string, unknown> | undefined)?.back;
    return afterWrite(req, reply, back === 'tasks' ? '/tasks' : `/activities/${id}`);
  }

  app.post('/activities/:id/completion', async (req, reply) => {
    const activity = await findOr404(req);
    if (!activity) return reply.callNotFound();
    const parsed = parseForm(completionSchema, req.body, req.t);
    if (!parsed.ok) return renderDetail(req, reply, activity, { values: formValues(req.body), errors: parsed.errors }, 422);
    const result = await completeActivity(db, viewerOf(req), auditContext(req), activity.id, parsed.data);
    if (!result.ok && result.notFound) return reply.callNotFound();
    if (!result.ok && result.errors.outcome) {
      return renderDetail(req, reply, activity, { values: formValues(req.body), errors: translate(req, result.errors, true) }, 422);
    }
    if (result.ok) reply.flash('success', req.t.activities.completedMsg);
    return afterStateChange(req, reply, activity.id, result);
  });

  app.post('/activities/:id/cancellation', async (req, reply) => {
    const activity = await findOr404(req);
    if (!activity) return reply.callNotFound();
    const result = await cancelActivity(db, viewerOf(req), auditContext(req), activity.id);
    if (!result.ok && result.notFound) return reply.callNotFound();
    if (result.ok) reply.flash('success', req.t.activities.cancelledMsg);
    return afterStateChange(req, reply, activity.id, result);
  });

  // ---------- schedule ----------
  /** Whose schedule: the viewer's own, one person in the viewer's user scope, or (team) everyone in it. */
  async function scheduleOf(req: FastifyRequest, f: { owner?: number; team: boolean }) {
    const viewer = viewerOf(req);
    const team = canSeeTeam(viewer);
    const people = team ? await scheduleOwners(db, viewer) : [];
    if (team && f.team) return { ok: true as const, owners: people.map((p) => p.id), people, team: true };
    if (f.owner && f.owner !== viewer.id) {
      if (!people.some((p) => p.id === f.owner)) return { ok: false as const };
      return { ok: true as const, owners: [f.owner], people, team: false };
    }
    return { ok: true as const, owners: [viewer.id], people, team: false };
  }

  app.get('/calendar', async (req, reply) => {
    const viewer = viewerOf(req);
    const f = calendarQuery.parse(req.query ?? {});
    const who = await scheduleOf(req, f);
    if (!who.ok) return reply.callNotFound();
    const zone = await companyTimeZone(db);
    const range = calendarRange(f.view, f.date || undefined, zone);
    const { items, truncated } = await calendarItems(db, viewer, range, who.owners);
    const byDay = new Map<string, (CalendarItem & { time: string })[]>(range.days.map((d) => [d, []]));
    for (const item of items) byDay.get(localDay(item.starts_at, zone))?.push({ ...item, time: localTime(item.starts_at, zone) });
    const today = localDay(new Date(), zone);
    const weeks: string[][] = [];
    for (let i = 0; i < range.days.length; i += 7) weeks.push(range.days.slice(i, i + 7));
    const ownerId = who.team ? undefined : who.owners[0];
    return reply.render('activities/calendar', {
      range,
      weeks,
      byDay: Object.fromEntries(byDay),
      today,
      truncated,
      filters: { view: f.view, date: range.date, owner: ownerId && ownerId !== viewer.id ? String(ownerId) : '', team: who.team },
      people: who.people,
      canSeeTeam: canSeeTeam(viewer),
      showOwner: who.team,
    });
  });

  app.get('/tasks', async (req, reply) => {
    const viewer = viewerOf(req);
    const f = taskListQuery.parse(req.query ?? {});
    const who = await scheduleOf(req, f);
    if (!who.ok) return reply.callNotFound();
    const zone = await companyTimeZone(db);
    const page = await openTasks(db, viewer, who.owners, f.after);
    const now = new Date().toISOString();
    const week = calendarRange('week', undefined, zone);
    const todayEnd = calendarRange('day', undefined, zone).end;
    const groupOf = (dueAt: string) => (dueAt < now ? 'overdue' : dueAt < todayEnd ? 'today' : dueAt < week.end ? 'thisWeek' : 'later');
    const tasks = page.items.map((task) => ({ task, group: groupOf(task.starts_at) }));
    const ownerId = who.team ? undefined : who.owners[0];
    const filters = { owner: ownerId && ownerId !== viewer.id ? String(ownerId) : '', team: who.team ? '1' : '', after: f.after };
    return reply.render(
      'activities/tasks',
      { tasks, nextAfter: page.nextAfter, filters, people: who.people, canSeeTeam: canSeeTeam(viewer), showOwner: who.team || Boolean(filters.owner), now },
      { fragment: 'activities/_tasks' },
    );
  });
}
