import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerError } from 'smtp-server';

/** An SMTP reply the capture server gives instead of accepting. */
export interface SmtpReply {
  readonly code: number;
  readonly message: string;
}

/** How the capture server behaves; by default it accepts every recipient and every message. */
export interface SmtpCaptureOptions {
  /** Reply to `RCPT TO:<recipient>`; a 4xx/5xx code rejects it, undefined (or a 2xx) accepts it. */
  readonly reply?: (recipient: string) => SmtpReply | undefined;
  /**
   * Reply to the end of DATA, given the message's envelope and Message-ID header (as `tally` keys
   * it); a 4xx/5xx code rejects the message (it is then not captured).
   */
  readonly dataReply?: (mail: {
    readonly envelope: { readonly from: string; readonly to: readonly string[] };
    readonly messageId: string;
  }) => SmtpReply | undefined;
  /** Require AUTH PLAIN/LOGIN with these credentials (over plain text: this is loopback only). */
  readonly auth?: { readonly user: string; readonly pass: string };
  /**
   * What is kept of each accepted message. `'messages'` (default): the envelope, raw bytes and
   * mailparser result in `messages`, plus `tally`. `'tally'`: only `tally` and `received`; nothing
   * is parsed and `messages` stays empty, so hundreds of thousands of messages fit in a few tens of
   * MB (reliability suites).
   */
  readonly keep?: 'messages' | 'tally';
}

/** One message the server accepted, as it arrived. */
export interface CapturedMail {
  readonly envelope: { readonly from: string; readonly to: string[] };
  readonly raw: Buffer;
  readonly parsed: ParsedMail;
}

/** A running loopback SMTP server that keeps what it receives. */
export interface SmtpCapture {
  /** `smtp://127.0.0.1:<port>` (no credentials, even when `auth` is set). */
  readonly url: string;
  readonly port: number;
  /** Accepted messages in arrival order; a message is here before the client sees its 250. Empty with `keep: 'tally'`. */
  readonly messages: CapturedMail[];
  /** How many messages were accepted (with either `keep`); counted before the client sees its 250. */
  readonly received: number;
  /**
   * Per envelope recipient, each Message-ID header value it received (angle brackets included,
   * `''` when the message had none) and how many times. Kept with either `keep`, before the 250.
   */
  readonly tally: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /**
   * Resolves once at least `count` messages were accepted, with the kept messages (none with
   * `keep: 'tally'`); rejects after `timeoutMs` (default 5 000).
   */
  waitFor(count: number, timeoutMs?: number): Promise<CapturedMail[]>;
  /** Forgets the captured messages, the tally and the count. */
  reset(): void;
  /** Stops listening and drops open connections. Idempotent. */
  close(): Promise<void>;
}

function replyError(reply: SmtpReply): SMTPServerError {
  const err: SMTPServerError = new Error(reply.message);
  err.responseCode = reply.code;
  return err;
}

const rejects = (reply: SmtpReply | undefined): reply is SmtpReply => reply !== undefined && reply.code >= 400;

/** The Message-ID header of a raw message (first occurrence, unfolded, trimmed); '' when absent. */
function rawMessageId(raw: Buffer): string {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.toString('latin1', 0, end === -1 ? raw.length : end).replace(/\r?\n[ \t]+/gu, ' ');
  return /^message-id:[ \t]*(.*)$/imu.exec(head)?.[1]?.trim() ?? '';
}

/**
 * Starts a real SMTP server (smtp-server) on 127.0.0.1, port 0. Guarantees: no TLS (STARTTLS is
 * disabled, so clients speak plain SMTP), AUTH only when `options.auth` is given, every accepted
 * message is parsed with mailparser and recorded before the server answers 250.
 */
export async function startSmtpCapture(options: SmtpCaptureOptions = {}): Promise<SmtpCapture> {
  const messages: CapturedMail[] = [];
  const tally = new Map<string, Map<string, number>>();
  let received = 0;
  const keepMessages = (options.keep ?? 'messages') === 'messages';
  const arrivals = new EventEmitter();
  const count = (to: readonly string[], raw: Buffer) => {
    const id = rawMessageId(raw);
    for (const r of to) {
      const ids = tally.get(r) ?? new Map<string, number>();
      ids.set(id, (ids.get(id) ?? 0) + 1);
      tally.set(r, ids);
    }
    received++;
    arrivals.emit('message');
  };
  const auth = options.auth;
  const server: SMTPServer = new SMTPServer({
    logger: false,
    disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !auth,
    allowInsecureAuth: true,
    onAuth(credentials, _session, callback) {
      if (auth && credentials.username === auth.user && credentials.password === auth.pass) {
        callback(null, { user: credentials.username });
      } else {
        callback(replyError({ code: 535, message: 'Authentication credentials invalid' }));
      }
    },
    onRcptTo(address, _session, callback) {
      const reply = options.reply?.(address.address);
      callback(rejects(reply) ? replyError(reply) : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.once('error', (err: Error) => callback(err));
      stream.once('end', () => {
        const raw = Buffer.concat(chunks);
        const mailFrom = session.envelope.mailFrom;
        const envelope = { from: mailFrom ? mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) };
        const reply = options.dataReply?.({ envelope, messageId: rawMessageId(raw) });
        if (rejects(reply)) return callback(replyError(reply));
        if (!keepMessages) {
          count(envelope.to, raw);
          return callback(null, `Message queued as capture-${received}`);
        }
        simpleParser(raw).then(
          (parsed) => {
            messages.push({ envelope, raw, parsed });
            count(envelope.to, raw);
            callback(null, `Message queued as capture-${received}`);
          },
          (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      // A client killed mid-session resets its socket; that is a client's failure, not the server's.
      server.on('error', () => undefined);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    get received() {
      return received;
    },
    tally,
    waitFor(atLeast, timeoutMs = 5_000) {
      if (received >= atLeast) return Promise.resolve([...messages]);
      return new Promise((resolve, reject) => {
        const onMessage = () => {
          if (received < atLeast) return;
          clearTimeout(timer);
          arrivals.off('message', onMessage);
          resolve([...messages]);
        };
        const timer = setTimeout(() => {
          arrivals.off('message', onMessage);
          reject(new Error(`expected ${atLeast} captured message(s) within ${timeoutMs} ms, got ${received}`));
        }, timeoutMs);
        arrivals.on('message', onMessage);
      });
    },
    reset() {
      messages.splice(0);
      tally.clear();
      received = 0;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Pooled clients keep idle connections open; end them now rather than after closeTimeout.
        for (const connection of server.connections) connection.close();
      });
      return closed;
    },
  };
}
