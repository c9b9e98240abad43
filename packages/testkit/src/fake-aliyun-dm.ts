import { randomInt, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeWireParams, verifyV3 } from '@postmill/acs';
import { dmErrorFor } from './fake-aliyun-dm-errors.ts';
import { checkSingleSendMail, type FakeSingleSendMail } from './fake-aliyun-dm-params.ts';
import { type FakeProviderControls, FakeProviderScript, readBody, startFakeServer } from './fake-provider-script.ts';

/** How the fake answered one request. */
export type FakeDmOutcome =
  | { readonly kind: 'accepted'; readonly envId: string; readonly requestId: string }
  | { readonly kind: 'error'; readonly code: string; readonly status: number; readonly requestId: string }
  | { readonly kind: 'http'; readonly status: number }
  | { readonly kind: 'reset' };

/** One request as it reached the fake, recorded in arrival order. */
export interface RecordedDmRequest {
  /** `performance.now()` when the request arrived; only differences between requests mean something. */
  readonly arrivedAtMs: number;
  /** `Date.now()` when the request arrived. */
  readonly arrivedAtEpochMs: number;
  readonly method: string;
  /** Header names lower-case, as Node parsed them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The `x-acs-action` header, if any. */
  readonly action: string | undefined;
  /** Query ∪ form-body parameters, decoded (a later duplicate wins). */
  readonly params: Readonly<Record<string, string>>;
  /** The raw body, UTF-8 decoded. */
  readonly rawBody: string;
  /** The parsed mail when the request was a well-formed, authenticated SingleSendMail, else undefined. */
  readonly mail: FakeSingleSendMail | undefined;
  /** Undefined only while the answer is pending (see `delayNext`, `respondWith`). */
  readonly outcome: FakeDmOutcome | undefined;
  /** `performance.now()` when the fake answered (or reset the connection); undefined while pending. */
  readonly answeredAtMs: number | undefined;
  /**
   * True when the client had already closed the connection when the fake answered (its timeout
   * fired): `outcome` is still what the fake decided, so an `accepted` outcome here is a mail the
   * provider took although the client never heard so.
   */
  readonly clientGone: boolean;
}

/** One well-formed, authenticated SingleSendMail request, as a `respondWith` callback sees it. */
export interface FakeDmSendRequest {
  readonly mail: FakeSingleSendMail;
  /** ToAddress, then BccAddress, as sent. */
  readonly recipients: readonly string[];
  /** Same clock as `RecordedDmRequest.arrivedAtMs`. */
  readonly arrivedAtMs: number;
}

/**
 * What a `respondWith` callback decides for one request. `delayMs` (default 0) holds the answer
 * that long; beyond the client's timeout that makes a timed-out request whose outcome is still
 * recorded, with `clientGone`. An `error` answers the code's documented status unless `status` is
 * given; `retryAfterSeconds` adds a Retry-After header.
 */
export type FakeDmAnswer =
  | { readonly kind: 'accept'; readonly delayMs?: number }
  | {
      readonly kind: 'error';
      readonly code: string;
      readonly message?: string;
      readonly status?: number;
      readonly retryAfterSeconds?: number;
      readonly delayMs?: number;
    }
  | { readonly kind: 'http'; readonly status: number; readonly retryAfterSeconds?: number; readonly delayMs?: number }
  | { readonly kind: 'reset'; readonly delayMs?: number };

/** Options of `failNext`; each documents its default. */
export interface FakeDmFailOptions {
  /** How many requests answer the code. Default 1. */
  readonly times?: number;
  /** Default: the code's published message. */
  readonly message?: string;
  /** Default: the code's documented status (DOCUMENTED_DM_ERRORS), else 400. */
  readonly status?: number;
  /** Adds `Retry-After: <seconds>`. Default none. */
  readonly retryAfterSeconds?: number;
}

/** A running fake; scripting applies to requests that arrive after the call, in call order. */
export interface FakeAliyunDm extends FakeProviderControls {
  /** `http://127.0.0.1:<port>`, to pass as a transport endpoint. */
  readonly endpoint: string;
  readonly port: number;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** Every request received, in arrival order (cleared in place by `reset`). */
  readonly requests: readonly RecordedDmRequest[];
  /** The next `times` well-formed, authenticated SingleSendMail requests answer `code` (throttling included: `Throttling.User`). */
  failNext(code: string, options?: FakeDmFailOptions): void;
  /** From now on (until `reset`), a mail for which `fn` returns a code is answered with that code. Returns a remover. */
  failWhen(fn: (mail: FakeSingleSendMail) => string | undefined): () => void;
  /**
   * From now on (until `reset`), every well-formed, authenticated SingleSendMail that no `failNext`
   * / `failWhen` answered is put to `fn`; its answer is used, or the next callback's, or
   * acceptance when all return undefined. Returns a remover.
   */
  respondWith(fn: (request: FakeDmSendRequest) => FakeDmAnswer | undefined): () => void;
  /** Forgets recorded requests and every script (not the nonces already seen). */
  reset(): void;
}

/** Options of `startFakeAliyunDm`; every field documents its default. */
export interface FakeAliyunDmOptions {
  /** Default `LTAIfakeAliyunDm000000000`. */
  readonly accessKeyId?: string;
  /** Default `fakeAliyunDmSecret0000000000000`. */
  readonly accessKeySecret?: string;
}

const API_VERSION = '2015-11-23';
const HOST_ID = 'dm.aliyuncs.com';

type Decision =
  | { readonly kind: 'accept'; readonly delayMs?: number }
  | {
      readonly kind: 'error';
      readonly code: string;
      readonly status: number;
      readonly message: string;
      readonly retryAfterSeconds?: number;
      readonly delayMs?: number;
    }
  | { readonly kind: 'http'; readonly status: number; readonly retryAfterSeconds?: number; readonly delayMs?: number }
  | { readonly kind: 'reset'; readonly delayMs?: number };

type MutableRecord = { -readonly [K in keyof RecordedDmRequest]: RecordedDmRequest[K] };

/** A documented error as a decision: its status and message unless told otherwise. */
function errorDecision(code: string, o: { message?: string | undefined; status?: number | undefined; retryAfterSeconds?: number | undefined } = {}): Decision {
  const documented = dmErrorFor(code);
  return {
    kind: 'error',
    code,
    status: o.status ?? documented.status,
    message: o.message ?? documented.message,
    ...(o.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: o.retryAfterSeconds }),
  };
}

function fromAnswer(a: FakeDmAnswer | undefined): Decision | undefined {
  if (a === undefined) return undefined;
  const delay = a.delayMs !== undefined && a.delayMs > 0 ? { delayMs: a.delayMs } : {};
  switch (a.kind) {
    case 'accept':
    case 'reset':
      return { kind: a.kind, ...delay };
    case 'http':
      return { kind: 'http', status: a.status, ...(a.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: a.retryAfterSeconds }), ...delay };
    case 'error':
      return { ...errorDecision(a.code, a), ...delay };
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** An EnvId of the shape the vendor's examples show (`600000xxxxxxxxxx642`: 19 digits). */
function newEnvId(): string {
  return `600000${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e4)).padStart(4, '0')}`;
}

/**
 * Starts a loopback HTTP server speaking Alibaba Cloud DirectMail (Dm 2015-11-23) `SingleSendMail`
 * as the dm SDK sends it by default: parameters in the query and an
 * `application/x-www-form-urlencoded` body, signed `ACS3-HMAC-SHA256` (V3). Guarantees, in this
 * order per request: scripted connection resets, delays and bare HTTP answers; V3 verification
 * with `verifyV3` of @postmill/acs (its codes: `SignatureDoesNotMatch`,
 * `InvalidAccessKeyId.NotFound`, `InvalidTimeStamp.Expired`, `IncompleteSignature`, …; a V1
 * request is refused as `IncompleteSignature`); `SignatureNonceUsed` for a nonce seen before;
 * `InvalidVersion`; `InvalidAction.NotFound` for any action but SingleSendMail; the documented
 * parameter checks (`Missing<Name>`, `Invalid<Name>`, `InvalidToAddress`, `InvalidBody`); then
 * `failNext`, `failWhen`, `respondWith`; else HTTP 200 `{"RequestId","EnvId"}`. Every error has
 * the vendor's HTTP status and the JSON body `{"RequestId","HostId","Code","Message"}`.
 */
export async function startFakeAliyunDm(options: FakeAliyunDmOptions = {}): Promise<FakeAliyunDm> {
  const accessKeyId = options.accessKeyId ?? 'LTAIfakeAliyunDm000000000';
  const accessKeySecret = options.accessKeySecret ?? 'fakeAliyunDmSecret0000000000000';
  const requests: RecordedDmRequest[] = [];
  const nonces = new Set<string>();
  const script = new FakeProviderScript<FakeDmFailOptions & { code: string }, FakeSingleSendMail, FakeDmSendRequest, FakeDmAnswer>();

  function decide(req: IncomingMessage, record: MutableRecord, raw: Buffer, query: Record<string, string>): Decision {
    const http = script.httpAnswers.take();
    if (http) return { kind: 'http', status: http.status, ...(http.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: http.retryAfterSeconds }) };
    const verified = verifyV3(
      { method: req.method ?? 'POST', query, headers: req.headers, body: raw },
      { lookupSecret: (id) => (id === accessKeyId ? accessKeySecret : undefined), nowMs: Date.now() },
    );
    if (!verified.ok) return errorDecision(verified.code, { message: verified.message });
    // After the signature verified, so a forged request cannot burn a nonce.
    if (nonces.has(verified.nonce)) return errorDecision('SignatureNonceUsed');
    nonces.add(verified.nonce);
    const version = single(req.headers['x-acs-version']);
    if (version !== API_VERSION)
      return errorDecision('InvalidVersion', { message: `Specified parameter Version is not valid: ${String(version)} (this fake speaks ${API_VERSION}).` });
    if (record.action !== 'SingleSendMail') {
      return errorDecision('InvalidAction.NotFound', {
        message: `Specified api is not found, please check your url and method: ${String(record.action)} (this fake speaks SingleSendMail only).`,
      });
    }
    const checked = checkSingleSendMail(record.params);
    if ('code' in checked) return errorDecision(checked.code, { message: checked.message });
    record.mail = checked.mail;
    const failure = script.failures.take();
    if (failure) return errorDecision(failure.code, failure);
    for (const fn of script.predicates.list) {
      const code = fn(checked.mail);
      if (code !== undefined) return errorDecision(code);
    }
    const request: FakeDmSendRequest = {
      mail: checked.mail,
      recipients: [...checked.mail.toAddress, ...checked.mail.bccAddress],
      arrivedAtMs: record.arrivedAtMs,
    };
    for (const fn of script.responders.list) {
      const decision = fromAnswer(fn(request));
      if (decision) return decision;
    }
    return { kind: 'accept' };
  }

  function write(req: IncomingMessage, res: ServerResponse, record: MutableRecord, decision: Decision): void {
    const requestId = randomUUID().toUpperCase();
    record.answeredAtMs = performance.now();
    record.clientGone = res.destroyed || req.socket.destroyed;
    if (decision.kind === 'reset') {
      record.outcome = { kind: 'reset' };
      req.socket.destroy();
      return;
    }
    const retryAfter = decision.kind !== 'accept' && decision.retryAfterSeconds !== undefined ? { 'Retry-After': String(decision.retryAfterSeconds) } : {};
    let status = 200;
    let body: string;
    let contentType = 'application/json;charset=utf-8';
    if (decision.kind === 'http') {
      record.outcome = { kind: 'http', status: decision.status };
      status = decision.status;
      contentType = 'text/plain';
      body = `fake DirectMail: scripted HTTP ${decision.status}`;
    } else if (decision.kind === 'error') {
      record.outcome = { kind: 'error', code: decision.code, status: decision.status, requestId };
      status = decision.status;
      body = JSON.stringify({ RequestId: requestId, HostId: HOST_ID, Code: decision.code, Message: decision.message });
    } else {
      const envId = newEnvId();
      record.outcome = { kind: 'accepted', envId, requestId };
      body = JSON.stringify({ RequestId: requestId, EnvId: envId });
    }
    if (res.destroyed || res.writableEnded) return; // the client gave up: nothing to answer
    res.writeHead(status, { 'Content-Type': contentType, ...retryAfter });
    res.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrivedAtMs = performance.now();
    const arrivedAtEpochMs = Date.now();
    const raw = await readBody(req);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    // Records made with Object.create(null): a parameter named __proto__ stays a plain name.
    const query: Record<string, string> = Object.create(null);
    for (const [k, v] of decodeWireParams(q === -1 ? '' : url.slice(q + 1))) query[k] = v;
    const params: Record<string, string> = Object.assign(Object.create(null), query);
    if ((req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      for (const [k, v] of decodeWireParams(raw.toString('utf8'))) params[k] = v;
    }
    const record: MutableRecord = {
      arrivedAtMs,
      arrivedAtEpochMs,
      method: req.method ?? '',
      headers: req.headers,
      action: single(req.headers['x-acs-action']),
      params,
      rawBody: raw.toString('utf8'),
      mail: undefined,
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
      const decision = decide(req, record, raw, query);
      server.later(decision.delayMs, () => write(req, res, record, decision));
    });
  }

  const server = await startFakeServer(handle);
  const port = server.port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    accessKeyId,
    accessKeySecret,
    requests,
    failNext(code, o = {}) {
      script.failures.push({ ...o, code }, o.times ?? 1);
    },
    failWhen(fn) {
      return script.predicates.add(fn);
    },
    ...script.methods(requests),
    close: server.close,
  };
}
