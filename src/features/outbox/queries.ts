import type { Db } from '../../db/index.ts';

export const OUTBOX_PAGE = 50;

/** The outbox, newest first, keyset-paginated by id. */
export async function listMail(db: Db, f: { status?: string; before?: number }) {
  let q = db
    .selectFrom('mail_messages')
    .select(['id', 'to_address', 'to_name', 'subject', 'status', 'error', 'attempts', 'sent_at', 'delivered_via', 'created_at'])
    .select((eb) => eb.selectFrom('mail_attachments').select((x) => x.fn.countAll<number>().as('n')).whereRef('mail_attachments.mail_id', '=', 'mail_messages.id').as('attachments'))
    .orderBy('id', 'desc')
    .limit(OUTBOX_PAGE + 1);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.before) q = q.where('id', '<', f.before);
  const rows = await q.execute();
  const more = rows.length > OUTBOX_PAGE;
  const items = rows.slice(0, OUTBOX_PAGE);
  return { items, nextBefore: more ? items[items.length - 1]?.id : undefined };
}

export async function getMail(db: Db, id: number) {
  const mail = await db.selectFrom('mail_messages').selectAll().where('id', '=', id).executeTakeFirst();
  if (!mail) return undefined;
  const attachments = await db.selectFrom('mail_attachments').select(['id', 'filename', 'content_type', 'size']).where('mail_id', '=', id).orderBy('id').execute();
  return { ...mail, attachments };
}

export async function getAttachment(db: Db, mailId: number, id: number) {
  return db.selectFrom('mail_attachments').select(['filename', 'content_type', 'content']).where('mail_id', '=', mailId).where('id', '=', id).executeTakeFirst();
}
