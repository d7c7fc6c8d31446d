import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message as the loopback server received it: the envelope and the raw RFC 5322 text. */
export interface Received {
  from: string;
  to: string[];
  raw: string;
  /** Whether the connection was encrypted (TLS from the start, or upgraded by STARTTLS). */
  secure: boolean;
}

/**
 * A real SMTP server on 127.0.0.1 (random port) that keeps what it receives; `failNext` rejects the next n messages.
 * `mode`: plain SMTP (default), STARTTLS offered, or TLS from the start — the last two with smtp-server's built-in
 * self-signed certificate (the client URL then carries ?tls.rejectUnauthorized=false).
 */
export async function loopbackSmtp(opts: { mode?: 'plain' | 'starttls' | 'tls' } = {}) {
  const mode = opts.mode ?? 'plain';
  const received: Received[] = [];
  let failures = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: mode === 'plain' ? ['STARTTLS'] : [],
    secure: mode === 'tls',
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (failures > 0) {
          failures -= 1;
          const err = new Error('451 try again later') as Error & { responseCode: number };
          err.responseCode = 451;
          callback(err);
          return;
        }
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          secure: Boolean(session.secure),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: mode === 'tls' ? `smtps://127.0.0.1:${port}/?tls.rejectUnauthorized=false` : mode === 'starttls' ? `smtp://127.0.0.1:${port}/?tls.rejectUnauthorized=false` : `smtp://127.0.0.1:${port}`,
    port,
    received,
    failNext(n: number) {
      failures = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// ---------- a small MIME reader, independent of nodemailer, to check what arrived ----------

/** Decodes RFC 2047 encoded-words (=?UTF-8?B?…?= and =?UTF-8?Q?…?=) in a header value. */
export function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, _charset: string, enc: string, text: string) => {
      if (enc.toUpperCase() === 'B') return Buffer.from(text, 'base64').toString('utf8');
      const bytes = text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16)));
      return Buffer.from(bytes, 'latin1').toString('utf8');
    });
}

export interface MimePart {
  headers: Map<string, string>;
  body: string;
}

function splitHeaders(text: string): { headers: Map<string, string>; body: string } {
  const i = text.search(/\r?\n\r?\n/);
  const head = i < 0 ? text : text.slice(0, i);
  const body = i < 0 ? '' : text.slice(i).replace(/^\r?\n\r?\n/, '');
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const c = line.indexOf(':');
    if (c > 0) headers.set(line.slice(0, c).trim().toLowerCase(), line.slice(c + 1).trim());
  }
  return { headers, body };
}

/** The top headers and every leaf part of a message (multipart/* walked recursively). */
export function parseMessage(raw: string): { headers: Map<string, string>; parts: MimePart[] } {
  const top = splitHeaders(raw);
  const parts: MimePart[] = [];
  const walk = (p: MimePart) => {
    const type = p.headers.get('content-type') ?? 'text/plain';
    const b = /boundary="?([^";]+)"?/i.exec(type);
    if (/^multipart\//i.test(type) && b?.[1]) {
      const chunks = p.body.split(`--${b[1]}`).slice(1);
      for (const chunk of chunks) {
        if (chunk.startsWith('--')) break;
        walk(splitHeaders(chunk.replace(/^\r?\n/, '')));
      }
    } else {
      parts.push(p);
    }
  };
  walk(top);
  return { headers: top.headers, parts };
}

/** A leaf part's content as bytes (base64 or quoted-printable decoded). */
export function partContent(p: MimePart): Buffer {
  const enc = (p.headers.get('content-transfer-encoding') ?? '').toLowerCase();
  if (enc === 'base64') return Buffer.from(p.body.replace(/\s+/g, ''), 'base64');
  if (enc === 'quoted-printable') {
    const s = p.body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(s, 'latin1');
  }
  return Buffer.from(p.body, 'utf8');
}
