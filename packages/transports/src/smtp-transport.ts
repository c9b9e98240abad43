import { type MailTransport, ProviderError, type RecipientOutcome, type TransportRequest, type TransportResult, toProviderError } from '@postmill/core';
import nodemailer, { type NodemailerError, type SMTPPoolSentMessageInfo } from 'nodemailer';
import { buildMimeForSend } from './mime.ts';
import { classifySmtpReply } from './smtp-classify.ts';

/** Options of the SMTP transport; every optional field documents its default. */
export interface SmtpTransportOptions {
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://user:pass@host:465` (implicit TLS). */
  readonly url: string;
  /** Pooled connections kept open to the relay. Default 5. */
  readonly maxConnections?: number;
  /** Limit for connecting, the greeting and any silence on the socket, in ms. Default 30 000. */
  readonly timeoutMs?: number;
  /** Verify the relay's TLS certificate. Default true (Node's default). */
  readonly rejectUnauthorized?: boolean;
}

function smtpError(err: NodemailerError, smtpCode: number, recipient?: string): ProviderError {
  return new ProviderError(`SMTP.${smtpCode}`, err.response ?? err.message, {
    cause: err,
    smtpCode,
    kind: classifySmtpReply(smtpCode),
    context: { command: err.command, ...(recipient !== undefined ? { recipient } : {}) },
  });
}

/** Whole-request failures: an SMTP reply keeps its code; anything else is a Network.* error. */
function requestError(err: unknown): ProviderError {
  const e = err as NodemailerError;
  if (typeof e?.responseCode === 'number') return smtpError(e, e.responseCode);
  // Nodemailer relabels socket errors (ESOCKET, EDNS, ...) and keeps the errno in originalCode.
  if (typeof e?.originalCode === 'string' && e.code !== 'ETIMEDOUT') {
    return new ProviderError(`Network.${e.originalCode}`, e.message, { cause: err, kind: 'transient' });
  }
  return toProviderError(err, { kind: 'transient' });
}

/**
 * One outcome per requested recipient, in request order. Recipients are matched without regard to
 * case (nodemailer may normalise the domain). A recipient the server neither accepted nor
 * rejected (cannot happen with a conforming server) is reported as a transient Network.Unknown.
 */
function outcomesOf(
  recipients: readonly string[],
  accepted: readonly string[],
  rejectedErrors: readonly NodemailerError[],
  response: string,
): RecipientOutcome[] {
  const acceptedSet = new Set(accepted.map((a) => a.toLowerCase()));
  const errors = new Map<string, NodemailerError>();
  for (const e of rejectedErrors) if (e.recipient) errors.set(e.recipient.toLowerCase(), e);
  return recipients.map((recipient): RecipientOutcome => {
    const key = recipient.toLowerCase();
    if (acceptedSet.has(key)) return { recipient, accepted: true, response };
    const e = errors.get(key);
    const error =
      e && typeof e.responseCode === 'number'
        ? smtpError(e, e.responseCode, recipient)
        : new ProviderError('Network.Unknown', `the SMTP server did not answer for ${recipient}`, {
            ...(e ? { cause: e } : {}),
            kind: 'transient',
            context: { recipient },
          });
    return { recipient, accepted: false, error };
  });
}

/**
 * An SMTP relay as a MailTransport (nodemailer, pooled). Guarantees: the body is the buildMime
 * output sent as is, the envelope is exactly `message.from.address` → `request.recipients` (so Bcc
 * recipients never appear in headers); per-recipient RCPT rejections come back as outcomes
 * `SMTP.<code>` (also when every recipient was rejected); a reply that ends the request (421 at
 * any step, a failed DATA, a refused login) throws `SMTP.<code>` with `smtpCode`; connection
 * failures throw `Network.<errno>` / `Network.Timeout`. No connection opens before the first send;
 * `close()` waits for sends in flight, then closes the pool, and is idempotent.
 */
export function createSmtpTransport(options: SmtpTransportOptions): MailTransport {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const transporter = nodemailer.createTransport({
    pool: true,
    url: options.url,
    maxConnections: options.maxConnections ?? 5,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    ...(options.rejectUnauthorized !== undefined ? { tls: { rejectUnauthorized: options.rejectUnauthorized } } : {}),
  });
  const inFlight = new Set<Promise<unknown>>();
  let closing: Promise<void> | undefined;

  async function deliver(request: TransportRequest): Promise<TransportResult> {
    if (request.recipients.length === 0) return { outcomes: [] };
    const raw = await buildMimeForSend(request.message);
    let info: SMTPPoolSentMessageInfo;
    try {
      info = await transporter.sendMail({ raw, envelope: { from: request.message.from.address, to: [...request.recipients] } });
    } catch (err) {
      const e = err as NodemailerError;
      // Every recipient refused at RCPT (and the session still usable): per-recipient answers,
      // not a failure of the request. A 421 closes the session, so it stays a request error.
      const rejectedErrors = e?.code === 'EENVELOPE' && e.command === 'RCPT TO' ? (e.rejectedErrors ?? []) : [];
      if (rejectedErrors.length > 0 && !rejectedErrors.some((r) => r.responseCode === 421)) {
        return { outcomes: outcomesOf(request.recipients, [], rejectedErrors, '') };
      }
      throw requestError(err);
    }
    return { outcomes: outcomesOf(request.recipients, info.accepted, info.rejectedErrors ?? [], info.response) };
  }

  return {
    kind: 'smtp',
    send(request) {
      if (closing) return Promise.reject(new ProviderError('Network.TransportClosed', 'the SMTP transport is closed', { kind: 'transient' }));
      const result = deliver(request).catch((err: unknown) => {
        throw err instanceof ProviderError ? err : requestError(err);
      });
      inFlight.add(result);
      const forget = () => inFlight.delete(result);
      result.then(forget, forget);
      return result;
    },
    close() {
      closing ??= Promise.allSettled([...inFlight]).then(() => transporter.close());
      return closing;
    },
  };
}
