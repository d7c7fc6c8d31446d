import type { Db } from '../db/index.ts';

/**
 * The mail outbox. Every message is stored first (status queued) in the caller's transaction, so a mail is sent only
 * if the change that caused it commits, and a down SMTP server delays mail but loses none: the `mail` job
 * (src/jobs/mail.ts) sends what is due, retries with backoff, and marks a message failed with its error after the
 * last attempt. Without SMTP_URL the outbox itself is the destination (readable at /admin/outbox).
 */
export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface OutgoingMail {
  to: string;
  toName?: string | null;
  subject: string;
  text: string;
  html?: string | null;
  attachments?: MailAttachment[];
  /** The user the mail is for, when it is one of ours (digests, notifications). */
  userId?: number | null;
}

export const MAIL_STATUSES = ['queued', 'sent', 'failed'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];

/** Stores a message (status queued) in the caller's transaction and returns its id. */
export async function enqueueMail(trx: Db, message: OutgoingMail): Promise<number> {
  const now = new Date().toISOString();
  const { id } = await trx
    .insertInto('mail_messages')
    .values({
      to_address: message.to.trim(),
      to_name: message.toName ?? '',
      subject: message.subject,
      text_body: message.text,
      html_body: message.html ?? null,
      status: 'queued',
      next_attempt_at: now,
      user_id: message.userId ?? null,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const a of message.attachments ?? []) {
    await trx.insertInto('mail_attachments').values({ mail_id: id, filename: a.filename, content_type: a.contentType, content: a.content, size: a.content.length }).execute();
  }
  return id;
}

/** Where links in mails point (APP_URL); set once at start from the config. */
let appUrl = 'http://localhost:3000';
export function setAppUrl(url: string): void {
  appUrl = url.replace(/\/+$/, '');
}
export function absoluteUrl(link: string): string {
  return /^https?:\/\//.test(link) ? link : `${appUrl}${link.startsWith('/') ? '' : '/'}${link}`;
}
