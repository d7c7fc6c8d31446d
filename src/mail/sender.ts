import nodemailer from 'nodemailer';
import type { Db } from '../db/index.ts';

/** A destination for stored messages: an SMTP server, or the outbox itself when none is configured. */
export interface Mailer {
  via: 'smtp' | 'outbox';
  deliver(message: DeliverableMail): Promise<void>;
  close(): void;
}

export interface DeliverableMail {
  id: number;
  to: string;
  toName: string;
  subject: string;
  text: string;
  html: string | null;
  attachments: { filename: string; contentType: string; content: Buffer }[];
}

/**
 * nodemailer over SMTP_URL: smtp://user:pass@host:587 upgrades with STARTTLS when the server offers it (add
 * ?requireTLS=true to insist), smtps://…:465 speaks TLS from the start. Without a URL, delivery is a no-op and the
 * message stays readable in the outbox.
 */
export function createMailer(opts: { smtpUrl: string | undefined; from: string }): Mailer {
  if (!opts.smtpUrl) {
    return { via: 'outbox', async deliver() {}, close() {} };
  }
  const transport = nodemailer.createTransport(opts.smtpUrl);
  return {
    via: 'smtp',
    async deliver(m) {
      await transport.sendMail({
        from: opts.from,
        to: m.toName ? { name: m.toName, address: m.to } : m.to,
        subject: m.subject,
        text: m.text,
        html: m.html ?? undefined,
        attachments: m.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
        headers: { 'X-Guanxi-Mail-Id': String(m.id) },
      });
    },
    close() {
      transport.close();
    },
  };
}

/** Minutes to wait before attempt n+1 after n failed attempts; after the last, the message is marked failed. */
export const MAIL_BACKOFF_MINUTES = [1, 5, 15, 60, 240] as const;
export const MAIL_MAX_ATTEMPTS = MAIL_BACKOFF_MINUTES.length + 1;
/** How long a claimed message is held by the sender before another process may try it. */
const CLAIM_MS = 5 * 60 * 1000;
const BATCH = 50;

export interface SendResult {
  sent: number;
  failed: number;
  retrying: number;
}

/**
 * Sends the queued messages that are due, oldest first. Each message is claimed first (its next attempt moved past a
 * short hold, only if nobody else moved it), so two senders never send one message twice; then delivered, then marked
 * sent — or given its error and a later attempt, or marked failed after the last attempt.
 */
export async function sendDueMail(db: Db, mailer: Mailer, now = new Date()): Promise<SendResult> {
  const result: SendResult = { sent: 0, failed: 0, retrying: 0 };
  const nowIso = now.toISOString();
  const due = await db
    .selectFrom('mail_messages')
    .select(['id', 'next_attempt_at'])
    .where('status', '=', 'queued')
    .where('next_attempt_at', '<=', nowIso)
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(BATCH)
    .execute();
  for (const d of due) {
    const hold = new Date(now.getTime() + CLAIM_MS).toISOString();
    const claimed = await db
      .updateTable('mail_messages')
      .set({ next_attempt_at: hold, attempts: (eb) => eb('attempts', '+', 1), updated_at: nowIso })
      .where('id', '=', d.id)
      .where('status', '=', 'queued')
      .where('next_attempt_at', '=', d.next_attempt_at)
      .returning(['id', 'to_address', 'to_name', 'subject', 'text_body', 'html_body', 'attempts'])
      .executeTakeFirst();
    if (!claimed) continue;
    const attachments = await db.selectFrom('mail_attachments').select(['filename', 'content_type', 'content']).where('mail_id', '=', d.id).orderBy('id').execute();
    try {
      await mailer.deliver({
        id: claimed.id,
        to: claimed.to_address,
        toName: claimed.to_name,
        subject: claimed.subject,
        text: claimed.text_body,
        html: claimed.html_body,
        attachments: attachments.map((a) => ({ filename: a.filename, contentType: a.content_type, content: a.content })),
      });
      const at = new Date().toISOString();
      await db.updateTable('mail_messages').set({ status: 'sent', sent_at: at, delivered_via: mailer.via, error: '', updated_at: at }).where('id', '=', d.id).execute();
      result.sent += 1;
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      const at = new Date();
      const wait = MAIL_BACKOFF_MINUTES[claimed.attempts - 1];
      if (wait === undefined) {
        await db.updateTable('mail_messages').set({ status: 'failed', error, updated_at: at.toISOString() }).where('id', '=', d.id).execute();
        result.failed += 1;
      } else {
        const next = new Date(at.getTime() + wait * 60 * 1000).toISOString();
        await db.updateTable('mail_messages').set({ error, next_attempt_at: next, updated_at: at.toISOString() }).where('id', '=', d.id).execute();
        result.retrying += 1;
      }
    }
  }
  return result;
}

/** Puts a failed message back in the queue (an admin's "retry" in the outbox). */
export async function requeueMail(db: Db, id: number): Promise<boolean> {
  const now = new Date().toISOString();
  const r = await db.updateTable('mail_messages').set({ status: 'queued', attempts: 0, next_attempt_at: now, updated_at: now }).where('id', '=', id).where('status', '=', 'failed').executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
