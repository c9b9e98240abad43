import {
  type Clock,
  formatMailbox,
  type MailMessage,
  type MailTransport,
  ProviderError,
  systemClock,
  type TransportRequest,
  type TransportResult,
} from '@postmill/core';
import { signTencentRequest } from '@postmill/tc3';
import { fetchFailure, parseRetryAfterMs } from './http-failure.ts';
import { postForAnswer, trackedSends, warmUpMessage } from './http-transport.ts';
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

  function signed(body: string, nowMs: number): Record<string, string> {
    return signTencentRequest(
      { secretId: options.secretId, secretKey: options.secretKey },
      { host: url.host, service: SERVICE, action: 'SendEmail', version: API_VERSION, region: options.region, timestamp: Math.floor(nowMs / 1000) },
      body,
    );
  }

  async function sendOnce(request: TransportRequest): Promise<TransportResult> {
    const body = JSON.stringify(toSendEmailPayload(request.message, request.recipients));
    const nowMs = clock.now();
    const messageId = await postForAnswer(
      url,
      { headers: signed(body, nowMs), body },
      { timeoutMs, read: (res) => readAnswer(res, nowMs), networkError: (err) => fetchFailure(err, { provider: 'Tencent SES', timeoutMs }) },
    );
    const response = `accepted by Tencent SES as ${messageId}`;
    return { outcomes: request.recipients.map((recipient) => ({ recipient, accepted: true, response })) };
  }

  return {
    kind: 'tencent-ses',
    ...trackedSends(sendOnce, () => new ProviderError('Network.TransportClosed', 'the Tencent SES transport is closed', { kind: 'transient' })),
    async warmUp() {
      // Signing and the payload builder run once here so they are compiled before the first slot.
      const message = warmUpMessage(clock.now());
      signed(JSON.stringify(toSendEmailPayload(message, message.to)), clock.now());
      await warmUpHttpClient();
    },
  };
}
