import { randomUUID } from 'node:crypto';
import { tc3Authorization } from '@postmill/tc3';

/** The `Response` of a Tencent Cloud API 3.0 answer: a RequestId, plus `Error` when the call failed. */
export interface TencentResponse {
  readonly RequestId: string;
  readonly Error?: { readonly Code: string; readonly Message: string };
  // biome-ignore lint/suspicious/noExplicitAny: each action answers its own fields; tests read them freely
  readonly [field: string]: any;
}

/** An answer as read off the wire: HTTP status, Content-Type and the parsed `{ Response }` body. */
export interface TencentAnswer {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: { readonly Response: TencentResponse };
}

/** A signed request as bytes, so a test can send it, send it again (a replay) or spoil one part. */
export interface SignedTencentRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer | string;
}

/** Per-request choices; each defaults to the client's setting or to what the official SDKs send. */
export interface TencentRequestOptions {
  readonly secretId?: string;
  readonly secretKey?: string;
  /** X-TC-Timestamp, Unix seconds. Default: the client's clock. */
  readonly timestamp?: number;
  /**
   * X-TC-TraceId, sent and signed. Default: a fresh UUID per request, so two identical calls in one
   * second are distinct requests (Postmill refuses a signature it already accepted). `false` sends
   * none and signs only `content-type;host`, exactly as the SDKs do.
   */
  readonly traceId?: string | false;
  /** The bytes sent (and signed) instead of `JSON.stringify(body)`. */
  readonly rawBody?: Buffer | string;
  /** Content-Type, sent and signed. Default `application/json`. */
  readonly contentType?: string;
  /** The host value signed. Default: the base URL's host (with its port). */
  readonly signedHost?: string;
  /** Extra headers, sent and signed (e.g. `x-postmill-idempotency-key`). Default none. */
  readonly signedHeaders?: Readonly<Record<string, string>>;
  /** Extra headers, sent but left out of the signature. Default none. */
  readonly unsignedHeaders?: Readonly<Record<string, string>>;
  /** X-TC-Version. Default `2020-10-02`. */
  readonly version?: string;
  /** X-TC-Region; `false` sends none. Default: the client's region. */
  readonly region?: string | false;
  /** `post`/`call` give up (fetch rejects with a TimeoutError) after this long. Default: no limit. */
  readonly timeoutMs?: number;
}

/** Where and as whom a client calls; every field documents its default. */
export interface TencentClientOptions {
  /** e.g. `http://127.0.0.1:8080`; requests go to `${baseUrl}/`. */
  readonly baseUrl: string;
  readonly secretId: string;
  readonly secretKey: string;
  /** X-TC-Region. Default `ap-guangzhou`. */
  readonly region?: string;
  /** Epoch milliseconds for X-TC-Timestamp (inject a test clock). Default `Date.now`. */
  readonly nowMs?: () => number;
}

/** Thrown by `TencentClient.request` for an answer that carries `Response.Error`. */
export class TencentCallError extends Error {
  override readonly name = 'TencentCallError';
  constructor(
    readonly code: string,
    readonly detail: string,
    readonly action: string,
  ) {
    super(`${action}: ${code}: ${detail}`);
  }
}

/** The one signed Tencent Cloud API 3.0 client of the test suites (TC3-HMAC-SHA256 via @postmill/tc3). */
export interface TencentClient {
  readonly baseUrl: string;
  readonly secretId: string;
  readonly secretKey: string;
  /** The signed request for `action`, not sent. */
  sign(action: string, body: unknown, options?: TencentRequestOptions): SignedTencentRequest;
  /** Signs and sends; the fetch Response untouched (for tests of the wire itself). */
  post(action: string, body: unknown, options?: TencentRequestOptions): Promise<Response>;
  /** Signs, sends and parses: status, Content-Type and `{ Response }`, success or error alike. */
  call(action: string, body: unknown, options?: TencentRequestOptions): Promise<TencentAnswer>;
  /** Signs, sends and answers `Response`; throws TencentCallError when it carries an Error. */
  request(action: string, body: unknown, options?: TencentRequestOptions): Promise<TencentResponse>;
}

/**
 * A client that signs each request as the official Node/Go/Python SDKs do (JSON POST to `/`,
 * `content-type;host` signed, host as in the URL), plus a signed X-TC-TraceId unless told not to.
 */
export function createTencentClient(o: TencentClientOptions): TencentClient {
  const baseUrl = o.baseUrl.replace(/\/+$/u, '');
  const host = new URL(baseUrl).host;
  const nowMs = o.nowMs ?? Date.now;
  const sign = (action: string, body: unknown, r: TencentRequestOptions = {}): SignedTencentRequest => {
    const text = r.rawBody ?? JSON.stringify(body);
    const timestamp = r.timestamp ?? Math.floor(nowMs() / 1000);
    const traceId = r.traceId === undefined ? randomUUID() : r.traceId;
    const contentType = r.contentType ?? 'application/json';
    const region = r.region === undefined ? (o.region ?? 'ap-guangzhou') : r.region;
    const extra = r.signedHeaders ?? {};
    const signedHeaders: Record<string, string> = {
      'content-type': contentType,
      host: r.signedHost ?? host,
      ...(traceId === false ? {} : { 'x-tc-traceid': traceId }),
    };
    for (const [name, value] of Object.entries(extra)) signedHeaders[name.toLowerCase()] = value;
    const authorization = tc3Authorization({
      secretId: r.secretId ?? o.secretId,
      secretKey: r.secretKey ?? o.secretKey,
      timestamp,
      service: 'ses',
      signedHeaders,
      body: text,
    });
    return {
      url: `${baseUrl}/`,
      body: text,
      headers: {
        Authorization: authorization,
        'Content-Type': contentType,
        'X-TC-Action': action,
        'X-TC-Version': r.version ?? '2020-10-02',
        'X-TC-Timestamp': String(timestamp),
        ...(region === false ? {} : { 'X-TC-Region': region }),
        ...(traceId === false ? {} : { 'X-TC-TraceId': traceId }),
        ...extra,
        ...r.unsignedHeaders,
      },
    };
  };
  const post = (action: string, body: unknown, r: TencentRequestOptions = {}): Promise<Response> => {
    const req = sign(action, body, r);
    return fetch(req.url, {
      method: 'POST',
      headers: req.headers,
      body: req.body,
      ...(r.timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(r.timeoutMs) }),
    });
  };
  const call = async (action: string, body: unknown, r: TencentRequestOptions = {}): Promise<TencentAnswer> => {
    const res = await post(action, body, r);
    // The shape is the API's promise; tests assert on it rather than trusting it.
    const parsed = (await res.json()) as { Response: TencentResponse };
    return { status: res.status, contentType: res.headers.get('content-type'), body: parsed };
  };
  return {
    baseUrl,
    secretId: o.secretId,
    secretKey: o.secretKey,
    sign,
    post,
    call,
    async request(action, body, r) {
      const { Response } = (await call(action, body, r)).body;
      if (Response.Error) throw new TencentCallError(Response.Error.Code, Response.Error.Message, action);
      return Response;
    },
  };
}
