import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { afterEach } from 'vitest';

/** A message as the server received it, parsed the way a mail client would show it. */
export interface Received {
  readonly envelopeTo: readonly string[];
  readonly mail: ParsedMail;
}

export interface SmtpBehaviour {
  /** Refuse some recipients at RCPT TO: a code (550 permanent, 450 temporary) or null to accept. */
  readonly rcpt?: (address: string) => number | null;
  /** Called once a message has arrived, before the server answers it. */
  readonly onMessage?: (count: number) => Promise<void> | void;
  /** Ask for this login (AUTH PLAIN or LOGIN, without TLS on 127.0.0.1). */
  readonly auth?: { readonly user: string; readonly pass: string };
}

export interface TestSmtp {
  readonly port: number;
  readonly url: string;
  readonly messages: Received[];
  close(): Promise<void>;
}

/** A real SMTP server on 127.0.0.1, in the test process (no TLS; a login only when asked). */
export function startSmtp(behaviour: SmtpBehaviour = {}): Promise<TestSmtp> {
  const messages: Received[] = [];
  const { auth } = behaviour;
  const server = new SMTPServer({
    authOptional: auth === undefined,
    disabledCommands: auth === undefined ? ['STARTTLS', 'AUTH'] : ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(login, _session, callback) {
      if (auth && login.username === auth.user && login.password === auth.pass)
        return callback(null, { user: login.username });
      return callback(Object.assign(new Error('Identifiants refusés'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      const code = behaviour.rcpt?.(address.address) ?? null;
      if (code === null) return callback();
      const error = Object.assign(new Error(code >= 500 ? 'Boîte inconnue' : 'Réessayez plus tard'), {
        responseCode: code,
      });
      return callback(error);
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      simpleParser(stream)
        .then(async (mail) => {
          messages.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), mail });
          await behaviour.onMessage?.(messages.length);
          callback();
        })
        .catch(callback);
    },
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.server.address() as AddressInfo;
      resolve({
        port,
        url: `smtp://127.0.0.1:${port}`,
        messages,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

const started: TestSmtp[] = [];
afterEach(async () => {
  for (const server of started.splice(0)) await server.close();
});

/** A server for one test, closed after it. */
export async function smtpForTest(behaviour?: SmtpBehaviour): Promise<TestSmtp> {
  const server = await startSmtp(behaviour);
  started.push(server);
  return server;
}
