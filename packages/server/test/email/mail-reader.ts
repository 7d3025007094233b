/**
 * Reads the messages the server sent, for tests: the `.eml` files of an outbox folder, or raw messages an
 * SMTP sink received. A small RFC 822/MIME reader (headers, `multipart/alternative`, quoted-printable and
 * base64 parts) — enough for the server's own messages, which nodemailer builds.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ReadMessage {
  readonly to: string;
  readonly from: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string | null;
  /** The message as written. */
  readonly raw: string;
}

function headersOf(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function decodeWords(value: string): string {
  return value.replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_match, kind: string, data: string) =>
    kind.toLowerCase() === 'b'
      ? Buffer.from(data, 'base64').toString('utf8')
      : decodeQuotedPrintable(data.replace(/_/g, ' ')),
  );
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_match, hex: string) => `%${hex}`)
    .replace(/%(?![0-9A-F]{2})/gi, '%25');
  try {
    return decodeURIComponent(bytes);
  } catch {
    return bytes;
  }
}

function split(raw: string): { headers: Map<string, string>; body: string } {
  const at = raw.search(/\r?\n\r?\n/);
  if (at < 0) return { headers: headersOf(raw), body: '' };
  const separator = /\r?\n\r?\n/.exec(raw.slice(at))?.[0] ?? '\n\n';
  return { headers: headersOf(raw.slice(0, at)), body: raw.slice(at + separator.length) };
}

function decodePart(headers: Map<string, string>, body: string): string {
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}

/** Parses one raw message. */
export function parseMessage(raw: string): ReadMessage {
  const { headers, body } = split(raw);
  const type = headers.get('content-type') ?? 'text/plain';
  let text = '';
  let html: string | null = null;
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (boundary === undefined) {
    text = decodePart(headers, body);
  } else {
    for (const chunk of body.split(`--${boundary}`).slice(1)) {
      if (chunk.startsWith('--')) break;
      const part = split(chunk.replace(/^\r?\n/, ''));
      const partType = part.headers.get('content-type') ?? 'text/plain';
      const decoded = decodePart(part.headers, part.body.replace(/\r?\n$/, ''));
      if (partType.startsWith('text/html')) html = decoded;
      else if (partType.startsWith('text/plain')) text = decoded;
    }
  }
  return {
    to: decodeWords(headers.get('to') ?? ''),
    from: decodeWords(headers.get('from') ?? ''),
    subject: decodeWords(headers.get('subject') ?? ''),
    text: text.replace(/\r\n/g, '\n'),
    html,
    raw,
  };
}

/** Every message in an outbox folder, oldest first (file names sort by time). */
export function readOutbox(dir: string): ReadMessage[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith('.eml'))
    .sort()
    .map((name) => parseMessage(readFileSync(join(dir, name), 'utf8')));
}

/** The token of the first console link in a message (`…#token=<token>`). */
export function tokenIn(message: ReadMessage): string {
  const match = /#token=([A-Za-z0-9_-]{43})/.exec(message.text);
  if (match?.[1] === undefined) throw new Error(`no link token in the message "${message.subject}"`);
  return match[1];
}
