import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshDatabase, newUser } from '../helpers/app.ts';
import { enqueueMail } from '../../src/mail/index.ts';
import { createMailer, MAIL_MAX_ATTEMPTS, requeueMail, sendDueMail } from '../../src/mail/sender.ts';
import { decodeHeader, loopbackSmtp, parseMessage, partContent } from './loopback-smtp.ts';

const FONT = path.resolve('node_modules/@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');

function tinyPdf(text: string): Promise<Buffer> {
  return new Promise((resolve) => {
    const doc = new PDFDocument({ size: 'A4' });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.font(FONT).fontSize(14).text(text);
    doc.end();
  });
}

describe('mail through a real SMTP server on loopback', () => {
  let smtp: Awaited<ReturnType<typeof loopbackSmtp>>;
  let database: ReturnType<typeof freshDatabase>;
  beforeEach(async () => {
    smtp = await loopbackSmtp();
    database = freshDatabase();
  });
  afterEach(async () => {
    await smtp.close();
    await database.close();
  });

  it('delivers a stored message with a Chinese subject (RFC 2047) and a PDF attachment', async () => {
    const { db } = database;
    const pdf = await tinyPdf('报价单 Q-2026-001 合计 ¥12,500.00');
    const id = await enqueueMail(db, {
      to: 'li.lei@example.com',
      toName: '李雷',
      subject: '报价单 Q-2026-001：华为技术',
      text: '您好，附件是报价单。',
      html: '<p>您好，附件是报价单。</p>',
      attachments: [{ filename: '报价单-Q-2026-001.pdf', contentType: 'application/pdf', content: pdf }],
    });
    const stored = await db.selectFrom('mail_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(stored.status).toBe('queued');

    const mailer = createMailer({ smtpUrl: smtp.url, from: '关系 CRM <crm@example.com>' });
    const r = await sendDueMail(db, mailer);
    mailer.close();
    expect(r).toEqual({ sent: 1, failed: 0, retrying: 0 });

    expect(smtp.received).toHaveLength(1);
    const got = smtp.received[0]!;
    expect(got.to).toEqual(['li.lei@example.com']);
    expect(got.from).toBe('crm@example.com');
    const msg = parseMessage(got.raw);
    const rawSubject = msg.headers.get('subject') ?? '';
    expect(rawSubject).toMatch(/^=\?UTF-8\?[BQ]\?/i); // encoded, not raw UTF-8
    expect(decodeHeader(rawSubject)).toBe('报价单 Q-2026-001：华为技术');
    expect(decodeHeader(msg.headers.get('to') ?? '')).toContain('李雷');

    const text = msg.parts.find((p) => (p.headers.get('content-type') ?? '').startsWith('text/plain'));
    expect(partContent(text!).toString('utf8')).toContain('附件是报价单');
    const att = msg.parts.find((p) => (p.headers.get('content-type') ?? '').startsWith('application/pdf'));
    expect(att).toBeDefined();
    expect(decodeHeader(att!.headers.get('content-disposition') ?? '')).toContain('attachment');
    const bytes = partContent(att!);
    expect(bytes.equals(pdf)).toBe(true);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-pdf-'));
    fs.writeFileSync(path.join(dir, 'a.pdf'), bytes);
    expect(execFileSync('pdftotext', [path.join(dir, 'a.pdf'), '-'], { encoding: 'utf8' })).toContain('报价单 Q-2026-001');
    fs.rmSync(dir, { recursive: true, force: true });

    const after = await db.selectFrom('mail_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(after.status).toBe('sent');
    expect(after.delivered_via).toBe('smtp');
    expect(after.sent_at).not.toBeNull();
  });

  it('a server that refuses delays the message, which is sent on a later attempt — nothing is lost', async () => {
    const { db } = database;
    const id = await enqueueMail(db, { to: 'a@example.com', subject: '测试', text: 'x' });
    smtp.failNext(1);
    const mailer = createMailer({ smtpUrl: smtp.url, from: 'crm@example.com' });
    const first = await sendDueMail(db, mailer);
    expect(first).toEqual({ sent: 0, failed: 0, retrying: 1 });
    const waiting = await db.selectFrom('mail_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(waiting.status).toBe('queued');
    expect(waiting.error).toMatch(/451/);
    // Not due again until its backoff has passed.
    expect((await sendDueMail(db, mailer)).sent).toBe(0);
    const later = new Date(Date.parse(waiting.next_attempt_at) + 1000);
    expect(await sendDueMail(db, mailer, later)).toEqual({ sent: 1, failed: 0, retrying: 0 });
    mailer.close();
    expect(smtp.received).toHaveLength(1);
    expect((await db.selectFrom('mail_messages').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('sent');
  });

  it('after the last attempt a message is failed with its error, and an admin can queue it again', async () => {
    const { db } = database;
    const id = await enqueueMail(db, { to: 'a@example.com', subject: 'x', text: 'x' });
    // Nothing listens on this port: every attempt fails.
    await smtp.close();
    const mailer = createMailer({ smtpUrl: smtp.url, from: 'crm@example.com' });
    let at = new Date();
    for (let i = 0; i < MAIL_MAX_ATTEMPTS; i++) {
      await sendDueMail(db, mailer, at);
      const row = await db.selectFrom('mail_messages').select(['next_attempt_at']).where('id', '=', id).executeTakeFirstOrThrow();
      at = new Date(Date.parse(row.next_attempt_at) + 1000);
    }
    mailer.close();
    const failed = await db.selectFrom('mail_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(failed.status).toBe('failed');
    expect(failed.attempts).toBe(MAIL_MAX_ATTEMPTS);
    expect(failed.error).toMatch(/ECONNREFUSED|connect/i);
    expect(await requeueMail(db, id)).toBe(true);
    expect((await db.selectFrom('mail_messages').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('queued');
    smtp = await loopbackSmtp(); // for afterEach
  });

  it('without SMTP_URL the outbox is the destination: the message is kept, marked delivered to the outbox', async () => {
    const { db } = database;
    const user = await newUser(db);
    const id = await enqueueMail(db, { to: 'a@example.com', subject: '周报', text: '正文', userId: user.id });
    const mailer = createMailer({ smtpUrl: undefined, from: 'crm@example.com' });
    expect(await sendDueMail(db, mailer)).toEqual({ sent: 1, failed: 0, retrying: 0 });
    const row = await db.selectFrom('mail_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.delivered_via).toBe('outbox');
    expect(row.text_body).toBe('正文');
  });

  it('follows the URL: STARTTLS on smtp:// when the server offers it, TLS from the start on smtps://', async () => {
    for (const mode of ['starttls', 'tls'] as const) {
      const server = await loopbackSmtp({ mode });
      const { db } = database;
      await enqueueMail(db, { to: `${mode}@example.com`, subject: `加密 ${mode}`, text: 'x' });
      const mailer = createMailer({ smtpUrl: server.url, from: 'crm@example.com' });
      expect((await sendDueMail(db, mailer)).sent).toBe(1);
      mailer.close();
      expect(server.received).toHaveLength(1);
      expect(server.received[0]!.secure).toBe(true);
      await server.close();
    }
    // And plain smtp:// to a server without STARTTLS stays unencrypted.
    await enqueueMail(database.db, { to: 'plain@example.com', subject: 'plain', text: 'x' });
    const mailer = createMailer({ smtpUrl: smtp.url, from: 'crm@example.com' });
    await sendDueMail(database.db, mailer);
    mailer.close();
    expect(smtp.received[0]!.secure).toBe(false);
  });
});
