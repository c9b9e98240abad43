import {
  type Clock,
  formatMailbox,
  type MailMessage,
  type MailTransport,
  ProviderError,
  systemClock,
  type TransportRequest,
  type TransportResult,
  toProviderError,
} from '@postmill/core';
import { signTencentRequest } from '@postmill/tc3';
import { classifyTencentSesAnswer } from './tencent-ses-classify.ts';
import { warmUpHttpClient } from './warm-up-http-client.ts';

/** Options of `createTencentSesTransport`; every field documents its default. */
export interface TencentSesTransportOptions {
  /**
   * Base URL of the Tencent Cloud API, e.g. `https://ses.tencentcloudapi.com` (the config layer's
   * default) or a loopback fake `http://127.0.0.1:<port>`. No default here: the caller decides.
   */
  readonly endpoint: string;
  readonly secretId: string;
  readonly secretKey: string;
  /** `X-TC-Region`, e.g. `ap-guangzhou`. */
  readonly region: string;
  /** Whole-request budget (connect, send, answer, body). Default 10 000. */
  readonly timeoutMs?: number;
  /** Source of `X-TC-Timestamp`. Default `systemClock`. */
  readonly clock?: Clock;
}

const API_VERSION = '2020-10-02';
const SERVICE = 'ses';
const DEFAULT_TIMEOUT_MS = 10_000;

/** The SendEmail request body we send (reference §2.1); optional fields are omitted, never null. */
export interface SendEmailPayload {
  FromEmailAddress: string;
  Destination?: string[];
  Cc?: string[];
  Bcc?: string[];
  Subject: string;
  Simple: { Html?: string; Text?: string };
  ReplyToAddresses?: string;
  Attachments?: { FileName: string; Content: string }[];
  SmtpMessageId: string;
  SmtpHeaders?: string;
  HeaderFrom?: string;
}

const toBase64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/**
 * Maps one provider request to a SendEmail body. Guarantees: each recipient of the request
 * appears exactly once, in `Destination` when the message lists it in `to`, else `Cc` when in
 * `cc`, else `Bcc` (also for a recipient listed nowhere: Bcc is the envelope-only field);
 * addresses compare case-insensitively. Tencent renders the To/Cc headers from these fields, so
 * a request for a subset of `to` shows only that subset in the To header.
 */
export function toSendEmailPayload(message: MailMessage, recipients: readonly string[]): SendEmailPayload {
  const inTo = new Set(message.to.map((a) => a.toLowerCase()));
  const inCc = new Set(message.cc.map((a) => a.toLowerCase()));
  const to: string[] = [];
  const cc: string[] = [];
  const bcc: string[] = [];
  for (const r of recipients) {
    const key = r.toLowerCase();
    if (inTo.has(key)) to.push(r);
    else if (inCc.has(key)) cc.push(r);
    else bcc.push(r);
  }
  const simple: SendEmailPayload['Simple'] = {};
  if (message.html !== undefined) simple.Html = toBase64(message.html);
  if (message.text !== undefined) simple.Text = toBase64(message.text);
  const payload: SendEmailPayload = {
    FromEmailAddress: formatMailbox(message.from),
    Subject: message.subject,
    Simple: simple,
    SmtpMessageId: message.messageId,
  };
  if (to.length > 0) payload.Destination = to;
  if (cc.length > 0) payload.Cc = cc;
  if (bcc.length > 0) payload.Bcc = bcc;
  if (message.replyTo !== undefined) payload.ReplyToAddresses = message.replyTo;
  if (message.attachments.length > 0) {
    payload.Attachments = message.attachments.map((a) => ({ FileName: a.filename, Content: a.contentBase64 }));
  }
  if (Object.keys(message.headers).length > 0) payload.SmtpHeaders = JSON.stringify(message.headers);
  if (message.headerFrom !== undefined) payload.HeaderFrom = message.headerFrom;
  return payload;
}

/** Retry-After in ms: delta-seconds or an HTTP date (relative to `nowMs`); undefined when absent or unreadable. */
function parseRetryAfterMs(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/u.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

// undici codes for "the peer closed the socket" and for its own timeouts; everything else keeps its errno.
const UNDICI_CODES: Readonly<Record<string, string>> = {
  UND_ERR_SOCKET: 'Network.ECONNRESET',
  UND_ERR_CLOSED: 'Network.ECONNRESET',
  UND_ERR_CONNECT_TIMEOUT: 'Network.Timeout',
  UND_ERR_HEADERS_TIMEOUT: 'Network.Timeout',
  UND_ERR_BODY_TIMEOUT: 'Network.Timeout',
};

/**
 * Guarantees a `Network.*` ProviderError for anything fetch throws. fetch wraps the real socket
 * error in `TypeError('fetch failed', { cause })`, so the errno is read from the cause; the
 * original error is kept as `cause`.
 */
function networkError(err: unknown, timeoutMs: number): ProviderError {
  const name = (err as { name?: unknown } | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new ProviderError('Network.Timeout', `Tencent SES did not answer within ${timeoutMs} ms`, { cause: err, context: { timeoutMs }, kind: 'transient' });
  }
  const inner = err instanceof TypeError && err.cause !== undefined ? err.cause : err;
  const innerCode = (inner as { code?: unknown } | undefined)?.code;
  const mapped = typeof innerCode === 'string' ? UNDICI_CODES[innerCode] : undefined;
  const base = toProviderError(inner);
  const code = mapped ?? base.code;
  const message = inner === err ? base.message : `${(err as Error).message}: ${base.message}`;
  return new ProviderError(code, message, { cause: err, kind: classifyTencentSesAnswer({ code }) });
}

interface TencentEnvelope {
  readonly Response?: {
    readonly MessageId?: unknown;
    readonly RequestId?: unknown;
    readonly Error?: { readonly Code?: unknown; readonly Message?: unknown };
  };
}

/**
 * A 200 answer that is not a Tencent envelope (a proxy's HTML page, a truncated body). Code
 * `Network.InvalidResponse`, transient (deliberately without `httpStatus`: the answer's meaning is
 * unknown, not a refusal). Caveat: if Tencent accepted
 * the mail and only the answer was mangled, a retry sends it twice; losing mail is worse.
 */
function invalidResponse(reason: string, body: string, cause?: unknown): ProviderError {
  return new ProviderError('Network.InvalidResponse', `Tencent SES answered HTTP 200 with ${reason}`, {
    ...(cause === undefined ? {} : { cause }),
    kind: 'transient',
    context: { httpStatus: 200, body: body.slice(0, 200) },
  });
}

/** Reads a SendEmail answer: resolves with the MessageId or throws the ProviderError it means. */
async function readAnswer(res: Response, nowMs: number): Promise<string> {
  const text = await res.text();
  if (res.status !== 200) {
    const retryAfterMs = parseRetryAfterMs(res.headers.get('retry-after'), nowMs);
    throw new ProviderError(`HTTP.${res.status}`, `Tencent SES answered HTTP ${res.status} ${res.statusText}`.trim(), {
      httpStatus: res.status,
      kind: classifyTencentSesAnswer({ code: `HTTP.${res.status}`, httpStatus: res.status }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      context: { body: text.slice(0, 200) },
    });
  }
  let envelope: TencentEnvelope;
  try {
    envelope = JSON.parse(text) as TencentEnvelope;
  } catch (err) {
    throw invalidResponse('invalid JSON', text, err);
  }
  const response = envelope.Response;
  const requestId = typeof response?.RequestId === 'string' ? response.RequestId : undefined;
  const error = response?.Error;
  if (error !== undefined) {
    const code = typeof error.Code === 'string' ? error.Code : 'InternalError';
    const message = typeof error.Message === 'string' ? error.Message : code;
    throw new ProviderError(code, message, { context: { requestId }, kind: classifyTencentSesAnswer({ code }) });
  }
  if (typeof response?.MessageId !== 'string') throw invalidResponse('an envelope without MessageId or Error', text);
  return response.MessageId;
}

/**
 * A MailTransport over Tencent Cloud SES `SendEmail` (API 2020-10-02). Guarantees: one provider
 * request is exactly one signed (TC3-HMAC-SHA256, service `ses`) JSON POST, over keep-alive
 * connections (Node's global fetch); the content goes as `Simple` (base64 Html/Text), so the
 * Tencent account must have the Simple-sending permission — without it Tencent answers
 * `FailedOperation.WithOutPermission`, which classifies as permanent. On `MessageId` every
 * recipient is accepted; otherwise `send` throws a ProviderError for the whole request:
 * the Tencent `Error.Code` as-is (with `requestId` in its context), `HTTP.<status>` with
 * `httpStatus`/`retryAfterMs` for non-200 answers, `Network.Timeout` beyond `timeoutMs`,
 * `Network.<errno>` for socket failures, `Network.InvalidResponse` for a 200 that is not an
 * envelope. `close()` is idempotent, waits for in-flight sends, and makes later sends throw
 * `Network.TransportClosed`.
 */
export function createTencentSesTransport(options: TencentSesTransportOptions): MailTransport {
  const url = new URL('/', options.endpoint);
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  async function sendOnce(request: TransportRequest): Promise<TransportResult> {
    const body = JSON.stringify(toSendEmailPayload(request.message, request.recipients));
    const nowMs = clock.now();
    const headers = signTencentRequest(
      { secretId: options.secretId, secretKey: options.secretKey },
      { host: url.host, service: SERVICE, action: 'SendEmail', version: API_VERSION, region: options.region, timestamp: Math.floor(nowMs / 1000) },
      body,
    );
    let messageId: string;
    try {
      const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
      messageId = await readAnswer(res, nowMs);
    } catch (err) {
      throw err instanceof ProviderError ? err : networkError(err, timeoutMs);
    }
    const response = `accepted by Tencent SES as ${messageId}`;
    return { outcomes: request.recipients.map((recipient) => ({ recipient, accepted: true, response })) };
  }

  return {
    kind: 'tencent-ses',
    send(request) {
      if (closed) return Promise.reject(new ProviderError('Network.TransportClosed', 'the Tencent SES transport is closed', { kind: 'transient' }));
      const p = sendOnce(request);
      inFlight.add(p);
      const forget = (): void => void inFlight.delete(p);
      p.then(forget, forget);
      return p;
    },
    async warmUp() {
      // Signing and the payload builder run once here so they are compiled before the first slot.
      const warmUpMessage: MailMessage = {
        from: { address: 'warm-up@example.com' },
        to: ['warm-up@example.com'],
        cc: [],
        bcc: [],
        subject: 'warm-up',
        text: 'warm-up',
        attachments: [],
        messageId: '<warm-up@example.com>',
        headers: {},
        dateMs: clock.now(),
      };
      const body = JSON.stringify(toSendEmailPayload(warmUpMessage, warmUpMessage.to));
      signTencentRequest(
        { secretId: options.secretId, secretKey: options.secretKey },
        { host: url.host, service: SERVICE, action: 'SendEmail', version: API_VERSION, region: options.region, timestamp: Math.floor(clock.now() / 1000) },
        body,
      );
      await warmUpHttpClient();
    },
    async close() {
      closed = true;
      await Promise.allSettled([...inFlight]);
    },
  };
}
