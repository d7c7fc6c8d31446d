import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../helpers/app.ts';
import { planOf } from '../helpers/query-plans.ts';

// The every-minute jobs must stay index lookups however large the tables grow.
describe('query plans of the every-minute jobs and the history page', () => {
  const plan = (sql: string) => {
    const database = freshDatabase();
    const text = planOf(database.sqlite, sql).replaceAll('\n', ' | ');
    void database.close();
    return text;
  };

  it('activity reminders due now walk the partial reminder index', () => {
    expect(plan("select a.id from activities a where a.remind_at is not null and a.remind_at <= '2026-11-27' and a.remind_at > '2026-11-26' and a.status = 'planned'")).toContain('USING INDEX activities_remind_idx');
  });
  it('queued mail due now walks the (status, next attempt) index', () => {
    const p = plan("select id from mail_messages where status = 'queued' and next_attempt_at <= '2026-11-27' order by next_attempt_at, id limit 50");
    expect(p).toContain('mail_messages_due_idx');
    expect(p).not.toContain('TEMP B-TREE');
  });
  it('a job’s last runs and a user’s notifications need no sort', () => {
    const runs = plan("select id from job_runs where job = 'mail' order by started_at desc, id desc limit 5");
    expect(runs).toContain('job_runs_job_started_idx');
    expect(runs).not.toContain('TEMP B-TREE');
    const notes = plan('select id from notifications where user_id = 3 order by id desc limit 31');
    expect(notes).toContain('notifications_user_idx');
    expect(notes).not.toContain('TEMP B-TREE');
  });
});
