/**
 * A real SMTP server for tests (`smtp-server`), listening on a free port of 127.0.0.1: it keeps every
 * message it accepts and, when given credentials, refuses any others (AUTH over plain text is allowed
 * here, STARTTLS is off: ENVIRONMENT.md).
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { parseMessage, type ReadMessage } from './mail-reader.ts';

export interface SmtpSink {
  /** `smtp://user:password@127.0.0.1:<port>` (credentials when the sink has them). */
  readonly url: string;
  readonly port: number;
  readonly messages: ReadMessage[];
  /** The envelope recipients of each message, in order. */
  readonly recipients: string[][];
  close(): Promise<void>;
}

export async function startSmtpSink(credentials?: { user: string; password: string }): Promise<SmtpSink> {
  const messages: ReadMessage[] = [];
  const recipients: string[][] = [];
  const server = new SMTPServer({
    authOptional: credentials === undefined,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (credentials !== undefined && auth.username === credentials.user && auth.password === credentials.password) {
        callback(null, { user: auth.username });
      } else {
        callback(new Error('Invalid username or password'));
      }
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        messages.push(parseMessage(Buffer.concat(chunks).toString('utf8')));
        recipients.push(session.envelope.rcptTo.map((address) => address.address));
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve();
    });
  });
  const { port } = server.server.address() as AddressInfo;
  const auth =
    credentials === undefined
      ? ''
      : `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@`;
  return {
    url: `smtp://${auth}127.0.0.1:${port}`,
    port,
    messages,
    recipients,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}
