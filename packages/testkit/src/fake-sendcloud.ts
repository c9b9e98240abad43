import { randomInt } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Busboy } from '@fastify/busboy';
import { type FakeProviderControls, FakeProviderScript, readBody, startFakeServer } from './fake-provider-script.ts';
import { sendCloudMessageFor } from './fake-sendcloud-errors.ts';
import {
  checkMailSend,
  type FakeSendCloudAttachment,
  type FakeSendCloudMail,
  type FakeSendCloudMessage,
  messagesOf,
  recipientsOf,
} from './fake-sendcloud-params.ts';

/** How the fake answered one request. */
export type FakeSendCloudOutcome =
  | { readonly kind: 'accepted'; readonly messageId: string; readonly emailIds: readonly string[] }
  | { readonly kind: 'error'; readonly statusCode: number }
  | { readonly kind: 'http'; readonly status: number }
  | { readonly kind: 'reset' };

/** One mail the fake accepted for delivery: one per recipient of an `xsmtpapi` call (its `sub` values substituted), one per broadcast otherwise. */
export interface FakeSendCloudDelivery extends FakeSendCloudMessage {
  /** The emailId answered for each of its recipients, in order. */
  readonly emailIds: readonly string[];
  /** Index of the request in `requests` that made it. */
  readonly requestIndex: number;
}

/** How the request's body was encoded. */
export type FakeSendCloudEncoding = 'urlencoded' | 'multipart' | 'none';

/** One request as it reached the fake, recorded in arrival order. */
export interface RecordedSendCloudRequest {
  /** `performance.now()` when the request arrived; only differences between requests mean something. */
  readonly arrivedAtMs: number;
  readonly method: string;
  /** The path without the query, e.g. `/apiv2/mail/send`. */
  readonly path: string;
  /** Header names lower-case, as Node parsed them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly encoding: FakeSendCloudEncoding;
  /** Every form field (query first, then body) in order, repeated names kept. */
  readonly fieldList: readonly (readonly [string, string])[];
  /** Query ∪ body fields by name (a later duplicate wins). */
  readonly fields: Readonly<Record<string, string>>;
  /** The file parts, in order, whatever their field name. */
  readonly files: readonly (FakeSendCloudAttachment & { readonly fieldName: string })[];
  /** The raw body, UTF-8 decoded. */
  readonly rawBody: string;
  /** The parsed mail when the request was an authenticated, well-formed `mail/send`, else undefined. */
  readonly mail: FakeSendCloudMail | undefined;
  /** Undefined only while the answer is pending (see `delayNext`, `respondWith`). */
  readonly outcome: FakeSendCloudOutcome | undefined;
  /** True when the client had already closed the connection when the fake answered (its timeout fired). */
  readonly clientGone: boolean;
}

/** One authenticated, well-formed `mail/send`, as a `respondWith` callback sees it. */
export interface FakeSendCloudSendRequest {
  readonly mail: FakeSendCloudMail;
  /** Every recipient, in emailId order (`xsmtpapi.to`, else `to`, `cc`, `bcc`). */
  readonly recipients: readonly string[];
  /** Same clock as `RecordedSendCloudRequest.arrivedAtMs`. */
  readonly arrivedAtMs: number;
}

/**
 * What a `respondWith` callback decides for one request. `delayMs` (default 0) holds the answer
 * that long. An `error` answers HTTP 200 with `result: false` and the code's published message
 * unless `message` is given; `http` is a bare non-SendCloud answer.
 */
export type FakeSendCloudAnswer =
  | { readonly kind: 'accept'; readonly delayMs?: number }
  | { readonly kind: 'error'; readonly statusCode: number; readonly message?: string; readonly delayMs?: number }
  | { readonly kind: 'http'; readonly status: number; readonly retryAfterSeconds?: number; readonly delayMs?: number }
  | { readonly kind: 'reset'; readonly delayMs?: number };

/** A running fake; scripting applies to requests that arrive after the call, in call order. */
export interface FakeSendCloud extends FakeProviderControls {
  /** `http://127.0.0.1:<port>/apiv2`, to pass as the transport's endpoint. */
  readonly endpoint: string;
  readonly port: number;
  readonly apiUser: string;
  readonly apiKey: string;
  /** Every request received, in arrival order (cleared in place by `reset`). */
  readonly requests: readonly RecordedSendCloudRequest[];
  /** Every mail accepted, in the order answered (cleared in place by `reset`): count per recipient here. */
  readonly delivered: readonly FakeSendCloudDelivery[];
  /** The next `times` (default 1) authenticated, well-formed `mail/send` requests answer `statusCode` (`50001` for the frequency limit). */
  failNext(statusCode: number, options?: { readonly times?: number; readonly message?: string }): void;
  /** From now on (until `reset`), a mail for which `fn` returns a code is answered with that code. Returns a remover. */
  failWhen(fn: (mail: FakeSendCloudMail) => number | undefined): () => void;
  /**
   * From now on (until `reset`), every authenticated, well-formed `mail/send` that no `failNext` /
   * `failWhen` answered is put to `fn`; its answer is used, or the next callback's, or acceptance
   * when all return undefined. Returns a remover.
   */
  respondWith(fn: (request: FakeSendCloudSendRequest) => FakeSendCloudAnswer | undefined): () => void;
}

/** Options of `startFakeSendCloud`; every field documents its default. */
export interface FakeSendCloudOptions {
  /** Default `postmill_fake_trigger`. */
  readonly apiUser?: string;
  /** Default `fakeSendCloudApiKey0000000000000`. */
  readonly apiKey?: string;
}

const BASE_PATH = '/apiv2';
/** Large enough for any body Postmill sends (busboy's default field limit is 1 MiB). */
const MAX_FIELD_BYTES = 32 * 1024 * 1024;

type Decision =
  | { readonly kind: 'accept'; readonly delayMs?: number }
  | { readonly kind: 'error'; readonly statusCode: number; readonly message: string; readonly delayMs?: number }
  | { readonly kind: 'http'; readonly status: number; readonly text: string; readonly retryAfterSeconds?: number; readonly delayMs?: number }
  | { readonly kind: 'reset'; readonly delayMs?: number };

type MutableRecord = { -readonly [K in keyof RecordedSendCloudRequest]: RecordedSendCloudRequest[K] };

const errorDecision = (statusCode: number, message?: string): Decision => ({ kind: 'error', statusCode, message: message ?? sendCloudMessageFor(statusCode) });

function fromAnswer(a: FakeSendCloudAnswer | undefined): Decision | undefined {
  if (a === undefined) return undefined;
  const delay = a.delayMs !== undefined && a.delayMs > 0 ? { delayMs: a.delayMs } : {};
  switch (a.kind) {
    case 'accept':
    case 'reset':
      return { kind: a.kind, ...delay };
    case 'http':
      return {
        kind: 'http',
        status: a.status,
        text: `fake SendCloud: scripted HTTP ${a.status}`,
        ...(a.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: a.retryAfterSeconds }),
        ...delay,
      };
    case 'error':
      return { ...errorDecision(a.statusCode, a.message), ...delay };
  }
}

/** Parses a multipart body with busboy: its fields in order and its file parts. Rejects a malformed body. */
function parseMultipart(contentType: string, raw: Buffer): Promise<{ fields: [string, string][]; files: (FakeSendCloudAttachment & { fieldName: string })[] }> {
  return new Promise((resolve, reject) => {
    const fields: [string, string][] = [];
    const files: (FakeSendCloudAttachment & { fieldName: string })[] = [];
    const pending: Promise<void>[] = [];
    let bb: ReturnType<typeof Busboy>;
    try {
      bb = Busboy({ headers: { 'content-type': contentType }, defCharset: 'utf8', limits: { fieldSize: MAX_FIELD_BYTES } });
    } catch (err) {
      reject(err);
      return;
    }
    bb.on('field', (name, value) => fields.push([name, value]));
    bb.on('file', (fieldName, stream, filename, _encoding, mimeType) => {
      const chunks: Buffer[] = [];
      pending.push(
        new Promise<void>((done, fail) => {
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            files.push({ fieldName, filename, contentType: mimeType, content: Buffer.concat(chunks) });
            done();
          });
          stream.on('error', fail);
        }),
      );
    });
    bb.on('finish', () => {
      Promise.all(pending).then(() => resolve({ fields, files }), reject);
    });
    bb.on('error', reject);
    bb.end(raw);
  });
}

/** A message id of the shape SendCloud's examples show (`1425758592214_4576_32113_9310.sc-10_10_127_105-inbound`). */
function newMessageId(): string {
  return `${Date.now()}_${randomInt(1000, 99_999)}_${randomInt(10_000, 99_999)}_${randomInt(1000, 9999)}.sc-10_10_127_105-inbound`;
}

/**
 * Starts a loopback HTTP server speaking SendCloud API v2 `mail/send` (reference
 * `aliyun-sendcloud-api.md` §B.1–B.5, B.13; `wire-aliyun-sendcloud.md` "SendCloud v2").
 * Guarantees, in this order per request: scripted connection resets, delays and bare HTTP answers;
 * HTTP 404 for any path but `<base>/mail/send` and HTTP 405 for a method but POST (SendCloud
 * documents neither answer); fields from the query and from an `application/x-www-form-urlencoded`
 * body (`+` read as a space) or a `multipart/form-data` body (parsed with busboy; `attachments`
 * and `embeddedImage` file parts, the latter paired with `embeddedCid`, 40875 when the counts differ), a malformed multipart body answering HTTP 400; `apiUser`/`apiKey` checked (`40005`
 * 认证失败); the documented parameter checks (checkMailSend); then `failNext`, `failWhen`,
 * `respondWith`; else acceptance. Every SendCloud answer is HTTP 200 with the envelope
 * `{"result","statusCode","message","info"}`; acceptance gives `info.emailIdList`, one
 * `<messageId><index>$<recipient>` per recipient (index over `xsmtpapi.to`, else over `to`, `cc`,
 * `bcc` in that order: SendCloud documents the index for `to` only), or `info: {}` with
 * `respEmailId=false`. Every request is recorded, scripted ones included; every accepted mail is
 * recorded in `delivered` as SendCloud would deliver it (one per `xsmtpapi.to` recipient, with its
 * own `sub` values substituted into subject, html and plain).
 */
export async function startFakeSendCloud(options: FakeSendCloudOptions = {}): Promise<FakeSendCloud> {
  const apiUser = options.apiUser ?? 'postmill_fake_trigger';
  const apiKey = options.apiKey ?? 'fakeSendCloudApiKey0000000000000';
  const requests: RecordedSendCloudRequest[] = [];
  const delivered: FakeSendCloudDelivery[] = [];
  const script = new FakeProviderScript<
    { statusCode: number; message?: string | undefined },
    FakeSendCloudMail,
    FakeSendCloudSendRequest,
    FakeSendCloudAnswer
  >();

  function decide(record: MutableRecord, parseError: string | undefined): Decision {
    const http = script.httpAnswers.take();
    if (http) {
      return {
        kind: 'http',
        status: http.status,
        text: `fake SendCloud: scripted HTTP ${http.status}`,
        ...(http.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: http.retryAfterSeconds }),
      };
    }
    if (record.path !== `${BASE_PATH}/mail/send`) return { kind: 'http', status: 404, text: `fake SendCloud: no such action ${record.path}` };
    if (record.method !== 'POST') return { kind: 'http', status: 405, text: 'fake SendCloud: mail/send is POST only' };
    if (parseError !== undefined) return { kind: 'http', status: 400, text: `fake SendCloud: malformed body: ${parseError}` };
    if (record.fields.apiUser !== apiUser || record.fields.apiKey !== apiKey) return errorDecision(40005);
    const attachments = record.files.filter((f) => f.fieldName === 'attachments').map(({ fieldName: _f, ...a }) => a);
    const embedded = record.files.filter((f) => f.fieldName === 'embeddedImage').map(({ fieldName: _f, ...a }) => a);
    const checked = checkMailSend(record.fields, attachments, embedded);
    if ('statusCode' in checked) return errorDecision(checked.statusCode, checked.message);
    record.mail = checked.mail;
    const failure = script.failures.take();
    if (failure) return errorDecision(failure.statusCode, failure.message);
    for (const fn of script.predicates.list) {
      // The shared script's predicates answer codes as strings; failWhen wrote a number's.
      const code = fn(checked.mail);
      if (code !== undefined) return errorDecision(Number(code));
    }
    const request: FakeSendCloudSendRequest = { mail: checked.mail, recipients: recipientsOf(checked.mail), arrivedAtMs: record.arrivedAtMs };
    for (const fn of script.responders.list) {
      const decision = fromAnswer(fn(request));
      if (decision) return decision;
    }
    return { kind: 'accept' };
  }

  function write(req: IncomingMessage, res: ServerResponse, record: MutableRecord, decision: Decision): void {
    record.clientGone = res.destroyed || req.socket.destroyed;
    if (decision.kind === 'reset') {
      record.outcome = { kind: 'reset' };
      req.socket.destroy();
      return;
    }
    let status = 200;
    let body: string;
    let headers: Record<string, string> = { 'Content-Type': 'application/json;charset=UTF-8' };
    if (decision.kind === 'http') {
      record.outcome = { kind: 'http', status: decision.status };
      status = decision.status;
      headers = { 'Content-Type': 'text/plain', ...(decision.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(decision.retryAfterSeconds) }) };
      body = decision.text;
    } else if (decision.kind === 'error') {
      record.outcome = { kind: 'error', statusCode: decision.statusCode };
      body = JSON.stringify({ result: false, statusCode: decision.statusCode, message: decision.message, info: {} });
    } else {
      const messageId = newMessageId();
      const emailIds = record.mail ? recipientsOf(record.mail).map((r, i) => `${messageId}${i}$${r}`) : [];
      record.outcome = { kind: 'accepted', messageId, emailIds };
      const info = record.mail?.respEmailId === false ? {} : { emailIdList: emailIds };
      if (record.mail) {
        let next = 0;
        const requestIndex = requests.indexOf(record);
        for (const m of messagesOf(record.mail)) {
          delivered.push({ ...m, emailIds: emailIds.slice(next, next + m.recipients.length), requestIndex });
          next += m.recipients.length;
        }
      }
      body = JSON.stringify({ result: true, statusCode: 200, message: '请求成功', info });
    }
    if (res.destroyed || res.writableEnded) return; // the client gave up: nothing to answer
    res.writeHead(status, headers);
    res.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrivedAtMs = performance.now();
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const fieldList: [string, string][] = [...url.searchParams];
    const contentType = req.headers['content-type'] ?? '';
    const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    let encoding: FakeSendCloudEncoding = 'none';
    let files: (FakeSendCloudAttachment & { fieldName: string })[] = [];
    let parseError: string | undefined;
    if (mediaType === 'application/x-www-form-urlencoded') {
      encoding = 'urlencoded';
      fieldList.push(...new URLSearchParams(raw.toString('utf8')));
    } else if (mediaType === 'multipart/form-data') {
      encoding = 'multipart';
      try {
        const parsed = await parseMultipart(contentType, raw);
        fieldList.push(...parsed.fields);
        files = parsed.files;
      } catch (err) {
        parseError = err instanceof Error ? err.message : String(err);
      }
    }
    // Made with Object.create(null): a field named __proto__ stays a plain name.
    const fields: Record<string, string> = Object.create(null);
    for (const [k, v] of fieldList) fields[k] = v;
    const record: MutableRecord = {
      arrivedAtMs,
      method: req.method ?? '',
      path: url.pathname,
      headers: req.headers,
      encoding,
      fieldList,
      fields,
      files,
      rawBody: raw.toString('utf8'),
      mail: undefined,
      outcome: undefined,
      clientGone: false,
    };
    requests.push(record);
    if (script.resets.take()) {
      record.outcome = { kind: 'reset' };
      req.socket.destroy();
      return;
    }
    server.later(script.delays.take(), () => {
      const decision = decide(record, parseError);
      server.later(decision.delayMs, () => write(req, res, record, decision));
    });
  }

  const server = await startFakeServer(handle);
  const methods = script.methods(requests);
  const port = server.port;
  return {
    endpoint: `http://127.0.0.1:${port}${BASE_PATH}`,
    port,
    apiUser,
    apiKey,
    requests,
    delivered,
    failNext(statusCode, o = {}) {
      script.failures.push({ statusCode, message: o.message }, o.times ?? 1);
    },
    failWhen(fn) {
      return script.predicates.add((mail) => {
        const code = fn(mail);
        return code === undefined ? undefined : String(code);
      });
    },
    ...methods,
    reset() {
      methods.reset();
      delivered.length = 0;
    },
    close: server.close,
  };
}
