import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { verifyTc3 } from '@postmill/tc3';
import { type FakeProviderControls, FakeProviderScript, readBody, startFakeServer } from './fake-provider-script.ts';

/**
 * A `SendEmail` request body as the fake accepted it. Guarantees: every field present has the
 * type the 2020-10-02 schema documents (the fake answers `InvalidParameter` otherwise) and there
 * are no other top-level keys (the fake answers `UnknownParameter` otherwise).
 */
export interface SendEmailBody {
  readonly FromEmailAddress: string;
  readonly Subject: string;
  readonly Destination?: readonly string[];
  readonly Cc?: readonly string[];
  readonly Bcc?: readonly string[];
  readonly ReplyToAddresses?: string;
  readonly Template?: { readonly TemplateID: number; readonly TemplateData?: string };
  readonly Simple?: { readonly Html?: string; readonly Text?: string };
  readonly Attachments?: readonly { readonly FileName: string; readonly Content?: string; readonly FileURL?: string }[];
  readonly Unsubscribe?: string;
  readonly TriggerType?: number;
  readonly SmtpMessageId?: string;
  readonly SmtpHeaders?: string;
  readonly HeaderFrom?: string;
}

/** How the fake answered one request. */
export type FakeTencentOutcome =
  | { readonly kind: 'accepted'; readonly messageId: string; readonly requestId: string }
  | { readonly kind: 'error'; readonly code: string; readonly requestId: string }
  | { readonly kind: 'http'; readonly status: number }
  | { readonly kind: 'reset' };

/** One request as it reached the fake, recorded in arrival order. */
export interface RecordedTencentRequest {
  /** `performance.now()` when the request headers arrived; only differences between requests mean something. */
  readonly arrivedAtMs: number;
  /** `Date.now()` when the request headers arrived. */
  readonly arrivedAtEpochMs: number;
  readonly method: string;
  /** Header names lower-case, as Node parsed them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The X-TC-Action header, if any. */
  readonly action: string | undefined;
  /** The raw body, UTF-8 decoded. */
  readonly rawBody: string;
  /** The parsed body when it was a well-formed `SendEmail` body, else undefined. */
  readonly body: SendEmailBody | undefined;
  /** Undefined only while the answer is still pending (see `delayNext`, `respondWith`). */
  readonly outcome: FakeTencentOutcome | undefined;
  /** `performance.now()` when the fake answered (or reset the connection); undefined while pending. */
  readonly answeredAtMs: number | undefined;
  /**
   * True when the client had already closed the connection when the fake answered (it gave up,
   * e.g. its timeout fired): `outcome` is still what the fake decided, so an `accepted` outcome
   * here is a mail the provider took although the client never heard so.
   */
  readonly clientGone: boolean;
}

/** One well-formed, authenticated SendEmail request, as a `respondWith` callback sees it. */
export interface FakeSendEmailRequest {
  readonly body: SendEmailBody;
  /** `Destination`, then `Cc`, then `Bcc` addresses, as sent. */
  readonly recipients: readonly string[];
  /** Same clock as `RecordedTencentRequest.arrivedAtMs`. */
  readonly arrivedAtMs: number;
}

/**
 * What a `respondWith` callback decides for one request. `delayMs` (default 0) holds the answer
 * that long after the decision; a delay beyond the client's timeout makes a timed-out request
 * whose outcome (an accepted mail included) is still recorded, with `clientGone`.
 */
export type FakeTencentAnswer =
  | { readonly kind: 'accept'; readonly delayMs?: number }
  | { readonly kind: 'error'; readonly code: string; readonly message?: string; readonly delayMs?: number }
  | { readonly kind: 'http'; readonly status: number; readonly retryAfterSeconds?: number; readonly delayMs?: number }
  | { readonly kind: 'reset'; readonly delayMs?: number };

/** A running fake; scripting applies to requests that arrive after the call, in call order. */
export interface FakeTencentSes extends FakeProviderControls {
  /** `http://127.0.0.1:<port>`, to pass as a transport endpoint. */
  readonly endpoint: string;
  readonly port: number;
  readonly secretId: string;
  readonly secretKey: string;
  /** Every request received, in arrival order (the array is cleared in place by `reset`). */
  readonly requests: readonly RecordedTencentRequest[];
  /** The next `times` (default 1) well-formed, authenticated SendEmail requests answer `code` in the error envelope. */
  failNext(code: string, options?: { times?: number; message?: string }): void;
  /** From now on (until `reset`), a SendEmail body for which `fn` returns a code is answered with that code. Returns a remover. */
  failWhen(fn: (body: SendEmailBody) => string | undefined): () => void;
  /**
   * From now on (until `reset`), every well-formed, authenticated SendEmail request that no
   * `failNext` / `failWhen` answered is put to `fn` (once per request, in arrival order); its
   * answer is used, or the next callback's, or acceptance when all return undefined. Returns a remover.
   */
  respondWith(fn: (request: FakeSendEmailRequest) => FakeTencentAnswer | undefined): () => void;
}

/** Options of `startFakeTencentSes`; every field documents its default. */
export interface FakeTencentSesOptions {
  /** Default `AKIDfakeTencentSes0000000000000000`. */
  readonly secretId?: string;
  /** Default `fakeTencentSesSecretKey000000000`. */
  readonly secretKey?: string;
}

const API_VERSION = '2020-10-02';

type Decision = (
  | { readonly kind: 'http'; readonly status: number; readonly retryAfterSeconds: number | undefined }
  | { readonly kind: 'error'; readonly code: string; readonly message: string }
  | { readonly kind: 'accept' }
  | { readonly kind: 'reset' }
) & { readonly delayMs?: number };

type MutableRecord = { -readonly [K in keyof RecordedTencentRequest]: RecordedTencentRequest[K] };

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const FIELD_CHECKS: Readonly<Record<string, (v: unknown) => boolean>> = {
  FromEmailAddress: (v) => typeof v === 'string',
  Subject: (v) => typeof v === 'string',
  Destination: isStringArray,
  Cc: isStringArray,
  Bcc: isStringArray,
  ReplyToAddresses: (v) => typeof v === 'string',
  Template: (v) => isObject(v) && typeof v.TemplateID === 'number' && (v.TemplateData === undefined || typeof v.TemplateData === 'string'),
  Simple: (v) => isObject(v) && (v.Html === undefined || typeof v.Html === 'string') && (v.Text === undefined || typeof v.Text === 'string'),
  Attachments: (v) =>
    Array.isArray(v) && v.every((a) => isObject(a) && typeof a.FileName === 'string' && (a.Content === undefined || typeof a.Content === 'string')),
  Unsubscribe: (v) => typeof v === 'string',
  TriggerType: (v) => typeof v === 'number' && Number.isInteger(v),
  SmtpMessageId: (v) => typeof v === 'string',
  SmtpHeaders: (v) => typeof v === 'string',
  HeaderFrom: (v) => typeof v === 'string',
};

/** Checks a parsed body against the SendEmail schema; returns the Tencent error to answer, or the typed body. */
function checkSendEmail(parsed: unknown): { body: SendEmailBody } | { code: string; message: string } {
  if (!isObject(parsed)) return { code: 'InvalidParameter', message: 'The request body must be a JSON object.' };
  for (const [key, value] of Object.entries(parsed)) {
    const check = FIELD_CHECKS[key];
    if (!check) return { code: 'UnknownParameter', message: `The parameter ${key} is not recognized.` };
    if (value !== null && !check(value)) return { code: 'InvalidParameter', message: `The parameter ${key} has the wrong type.` };
  }
  if (typeof parsed.FromEmailAddress !== 'string') return { code: 'MissingParameter', message: 'The request is missing FromEmailAddress.' };
  if (typeof parsed.Subject !== 'string') return { code: 'MissingParameter', message: 'The request is missing Subject.' };
  const count = (k: string): number => (Array.isArray(parsed[k]) ? (parsed[k] as unknown[]).length : 0);
  if (count('Destination') + count('Cc') + count('Bcc') === 0) {
    return { code: 'MissingParameter', message: 'At least one of Destination, Cc and Bcc must be present.' };
  }
  const simple = parsed.Simple as SendEmailBody['Simple'];
  if (parsed.Template === undefined && !simple?.Html && !simple?.Text) {
    return { code: 'FailedOperation.MissingEmailContent', message: 'The email content is missing (Template and Simple are both empty).' };
  }
  // Safe: every present key was checked against the schema above.
  return { body: parsed as unknown as SendEmailBody };
}

/** A callback's answer as a decision; undefined passes the request on. */
function fromAnswer(a: FakeTencentAnswer | undefined): Decision | undefined {
  if (a === undefined) return undefined;
  const delay = a.delayMs !== undefined && a.delayMs > 0 ? { delayMs: a.delayMs } : {};
  switch (a.kind) {
    case 'accept':
      return { kind: 'accept', ...delay };
    case 'reset':
      return { kind: 'reset', ...delay };
    case 'http':
      return { kind: 'http', status: a.status, retryAfterSeconds: a.retryAfterSeconds, ...delay };
    case 'error':
      return { kind: 'error', code: a.code, message: a.message ?? `fake Tencent SES: respondWith answered ${a.code}`, ...delay };
  }
}

function newMessageId(epochMs: number): string {
  const stamp = new Date(epochMs).toISOString().replace(/[-:T]/gu, '').slice(0, 14);
  return `qcloudses-30-1000000000-date-${stamp}-${randomUUID().replace(/-/gu, '').slice(0, 12)}`;
}

function sendJson(res: ServerResponse, payload: unknown): void {
  if (res.destroyed || res.writableEnded) return; // the client gave up (timeout): nothing to answer
  // Exactly `application/json`: the Python SDK only reads Response.Error for that exact value (reference §4.4).
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(payload));
}

/**
 * Starts a loopback HTTP server speaking Tencent Cloud API 3.0 for SES `SendEmail` (reference
 * §2.1, §4). Guarantees, in this order per request: scripted connection resets, delays and bare
 * HTTP answers; then TC3 verification with `verifyTc3` (`AuthFailure.*`); `UnsupportedProtocol`
 * for non-POST; `NoSuchVersion`; `InvalidAction` for any action but SendEmail; `InvalidParameter`
 * for a body that is not JSON; schema checks (`UnknownParameter`, `InvalidParameter`,
 * `MissingParameter`, `FailedOperation.MissingEmailContent`); then `failNext`, `failWhen`,
 * `respondWith` (whose answer may also be delayed, a reset or a bare HTTP status); else
 * `{"Response":{"MessageId","RequestId"}}`. Every API-level error is HTTP 200 with
 * `{"Response":{"Error":{"Code","Message"},"RequestId"}}`, as Tencent answers.
 */
export async function startFakeTencentSes(options: FakeTencentSesOptions = {}): Promise<FakeTencentSes> {
  const secretId = options.secretId ?? 'AKIDfakeTencentSes0000000000000000';
  const secretKey = options.secretKey ?? 'fakeTencentSesSecretKey000000000';
  const requests: RecordedTencentRequest[] = [];
  const script = new FakeProviderScript<{ code: string; message: string | undefined }, SendEmailBody, FakeSendEmailRequest, FakeTencentAnswer>();

  /** What to answer a request that got past the scripted network faults; records the parsed body. */
  function decide(req: IncomingMessage, record: MutableRecord, raw: Buffer): Decision {
    const http = script.httpAnswers.take();
    if (http) return { kind: 'http', ...http };
    const verified = verifyTc3(
      { method: req.method ?? 'POST', headers: req.headers, body: raw },
      { lookupSecret: (id) => (id === secretId ? secretKey : undefined), nowSeconds: Math.floor(Date.now() / 1000) },
    );
    if (!verified.ok) return { kind: 'error', code: verified.code, message: verified.message };
    if (req.method !== 'POST') return { kind: 'error', code: 'UnsupportedProtocol', message: 'This fake accepts only JSON POST requests.' };
    if (req.headers['x-tc-version'] !== API_VERSION) {
      return { kind: 'error', code: 'NoSuchVersion', message: `The API version ${String(req.headers['x-tc-version'])} does not exist.` };
    }
    if (record.action !== 'SendEmail') {
      return { kind: 'error', code: 'InvalidAction', message: `The action ${String(record.action)} does not exist (this fake speaks SendEmail only).` };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(record.rawBody);
    } catch {
      return { kind: 'error', code: 'InvalidParameter', message: 'The request body is not valid JSON.' };
    }
    const checked = checkSendEmail(parsed);
    if ('code' in checked) return { kind: 'error', ...checked };
    record.body = checked.body;
    const failure = script.failures.take();
    if (failure) return { kind: 'error', code: failure.code, message: failure.message ?? `fake Tencent SES: scripted ${failure.code}` };
    for (const fn of script.predicates.list) {
      const code = fn(checked.body);
      if (code !== undefined) return { kind: 'error', code, message: `fake Tencent SES: failWhen answered ${code}` };
    }
    if (script.responders.list.length > 0) {
      const b = checked.body;
      const request: FakeSendEmailRequest = {
        body: b,
        recipients: [...(b.Destination ?? []), ...(b.Cc ?? []), ...(b.Bcc ?? [])],
        arrivedAtMs: record.arrivedAtMs,
      };
      for (const fn of script.responders.list) {
        const decision = fromAnswer(fn(request));
        if (decision) return decision;
      }
    }
    return { kind: 'accept' };
  }

  function write(req: IncomingMessage, res: ServerResponse, record: MutableRecord, decision: Decision): void {
    const requestId = randomUUID();
    record.answeredAtMs = performance.now();
    record.clientGone = res.destroyed || req.socket.destroyed;
    if (decision.kind === 'reset') {
      record.outcome = { kind: 'reset' };
      req.socket.destroy();
    } else if (decision.kind === 'http') {
      record.outcome = { kind: 'http', status: decision.status };
      if (res.destroyed) return;
      const headers: Record<string, string> = { 'Content-Type': 'text/plain' };
      if (decision.retryAfterSeconds !== undefined) headers['Retry-After'] = String(decision.retryAfterSeconds);
      res.writeHead(decision.status, headers);
      res.end(`fake Tencent SES: scripted HTTP ${decision.status}`);
    } else if (decision.kind === 'error') {
      record.outcome = { kind: 'error', code: decision.code, requestId };
      sendJson(res, { Response: { Error: { Code: decision.code, Message: decision.message }, RequestId: requestId } });
    } else {
      const messageId = newMessageId(Date.now());
      record.outcome = { kind: 'accepted', messageId, requestId };
      sendJson(res, { Response: { MessageId: messageId, RequestId: requestId } });
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrivedAtMs = performance.now();
    const arrivedAtEpochMs = Date.now();
    const raw = await readBody(req);
    const actionHeader = req.headers['x-tc-action'];
    const record: MutableRecord = {
      arrivedAtMs,
      arrivedAtEpochMs,
      method: req.method ?? '',
      headers: req.headers,
      action: Array.isArray(actionHeader) ? actionHeader[0] : actionHeader,
      rawBody: raw.toString('utf8'),
      body: undefined,
      outcome: undefined,
      answeredAtMs: undefined,
      clientGone: false,
    };
    requests.push(record);
    if (script.resets.take()) {
      record.outcome = { kind: 'reset' };
      record.answeredAtMs = performance.now();
      req.socket.destroy();
      return;
    }
    server.later(script.delays.take(), () => {
      const decision = decide(req, record, raw);
      server.later(decision.delayMs, () => write(req, res, record, decision));
    });
  }

  const server = await startFakeServer(handle);
  const port = server.port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    secretId,
    secretKey,
    requests,
    failNext(code, opts = {}) {
      script.failures.push({ code, message: opts.message }, opts.times ?? 1);
    },
    failWhen(fn) {
      return script.predicates.add(fn);
    },
    ...script.methods(requests),
    close: server.close,
  };
}
