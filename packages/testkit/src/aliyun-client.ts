import { createHmac, randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { stringify } from 'node:querystring';
import { pct, sha256Hex, signV1, signV3, V3_ALGORITHM, v3CanonicalRequest, v3StringToSign } from '@postmill/acs';

/**
 * The four request shapes the official clients send (wire-aliyun-sendcloud.md, "four request
 * shapes on one /"):
 * - `v3`: the dm SDK's default, ACS3-HMAC-SHA256 in `Authorization`, no common parameters;
 * - `v1-post`: the dm SDK with `signatureAlgorithm: 'v2'`, common parameters and `Signature` in the query;
 * - `v1-form`: pop-core's POST, everything (`Signature` included) in a form body, no query;
 * - `v1-get`: pop-core's default, everything in the query.
 */
export type AliyunShape = 'v3' | 'v1-post' | 'v1-form' | 'v1-get';

export const ALIYUN_SHAPES: readonly AliyunShape[] = ['v3', 'v1-post', 'v1-form', 'v1-get'];

/** How parameters are written on the wire (signatures are over decoded values either way). */
export type WireEncoding =
  /** Node's `querystring.stringify`, as the SDKs write: `%20` for a space, `( ) * ! '` raw. */
  | 'querystring'
  /** RFC 3986, as the signatures encode: everything but `A-Z a-z 0-9 - _ . ~` escaped. */
  | 'rfc3986'
  /** `URLSearchParams`, as browsers, curl --data and Python write: `+` for a space. */
  | 'plus';

/** Parameters: a record, or name/value pairs in wire order (a repeated name is sent repeatedly). */
export type AliyunParams = Readonly<Record<string, string | number | boolean | undefined>> | ReadonlyArray<readonly [string, string]>;

/** Per-request choices; each defaults to the client's setting or to what the official SDKs send. */
export interface AliyunRequestOptions {
  /** Default: the client's shape (itself `v3` unless set). */
  readonly shape?: AliyunShape;
  /**
   * Where `v3` and `v1-post` put the business parameters. Default as the dm SDK does: a form body
   * for `SingleSendMail` and `UpdateUser`, the query for every other action.
   */
  readonly placement?: 'query' | 'form';
  readonly accessKeyId?: string;
  readonly secret?: string;
  /** Signing time, epoch ms (`Timestamp` / `x-acs-date`, second resolution). Default: the client's clock. */
  readonly timestampMs?: number;
  /** The time text itself, sent and signed instead of `timestampMs`'s (e.g. a malformed one). */
  readonly timestampText?: string;
  /** `SignatureNonce` / `x-acs-signature-nonce`. Default: fresh random hex, 64 characters (dm SDK) or 32 (pop-core). */
  readonly nonce?: string;
  /**
   * V1 `Format`: default `json` for `v1-post` (the dm SDK's spelling), `JSON` for pop-core's
   * shapes; `false` sends none (the vendor then answers XML). For `v3`, when set, it is sent as a
   * business parameter (the SDK sends none; the answer is JSON).
   */
  readonly format?: string | false;
  /** `Version` / `x-acs-version`. Default `2015-11-23`. */
  readonly version?: string;
  /**
   * V1 common parameters to change (a string) or leave out (undefined) before signing, e.g.
   * `{ SignatureMethod: 'HMAC-SHA256' }` or `{ Timestamp: undefined }`.
   */
  readonly commonOverrides?: Readonly<Record<string, string | undefined>>;
  /** The signature sent instead of the right one (V1 `Signature`, V3 the hex after `Signature=`). */
  readonly signature?: string;
  /** V3: the host value signed. Default: the base URL's host (with its port), which is also sent. */
  readonly signedHost?: string;
  /** V3: extra headers, sent and signed (e.g. the dm SDK's `x-acs-credentials-provider: static_ak`). */
  readonly signedHeaders?: Readonly<Record<string, string>>;
  /** Extra headers, sent but not signed (a value `undefined` removes a header the shape would send). */
  readonly unsignedHeaders?: Readonly<Record<string, string | undefined>>;
  /** The body bytes sent (and, for V3, hashed and signed) instead of the form. */
  readonly rawBody?: Buffer | string;
  /** Content-Type of a body (signed for V3). Default `application/x-www-form-urlencoded`. */
  readonly contentType?: string;
  /**
   * Send the body with `Transfer-Encoding: chunked` and no Content-Length. Default: as the client
   * sends it: chunked for the dm SDK's shapes (`v3`, `v1-post`), a Content-Length for pop-core's.
   */
  readonly chunked?: boolean;
  /** Default `querystring` (the SDKs' writer). */
  readonly wireEncoding?: WireEncoding;
  /** The HTTP method sent and signed instead of the shape's. */
  readonly method?: string;
  /** Give up (reject with an Error naming the request) after this long. Default 30 s. */
  readonly timeoutMs?: number;
}

/** A signed request as bytes, so a test can send it, send it again (a replay) or spoil one part. */
export interface SignedAliyunRequest {
  readonly method: string;
  /** Path and query, e.g. `/?Action=…`. */
  readonly path: string;
  /** Header name → value, as sent (node:http adds Host from the base URL unless one is here). */
  readonly headers: Readonly<Record<string, string>>;
  /** undefined: no body at all (GET). */
  readonly body: Buffer | undefined;
  readonly chunked: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: each action answers its own fields; tests read them freely
export type AliyunJson = { readonly [field: string]: any };

/** An answer as read off the wire. */
export interface AliyunAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly contentType: string | undefined;
  readonly text: string;
  /** The parsed JSON when the answer is JSON, else the raw text (an XML document). */
  readonly body: AliyunJson | string;
}

/** Where and as whom a client calls; every field documents its default. */
export interface AliyunClientOptions {
  /** e.g. `http://127.0.0.1:8080`; requests go to `${baseUrl}/`. */
  readonly baseUrl: string;
  readonly accessKeyId: string;
  readonly secret: string;
  /** Default `v3` (the dm SDK's default). */
  readonly shape?: AliyunShape;
  /** Epoch milliseconds for `Timestamp` / `x-acs-date` (inject a test clock). Default `Date.now`. */
  readonly nowMs?: () => number;
}

/** Thrown by `AliyunClient.request` for an answer that is not a 2xx JSON success. */
export class AliyunCallError extends Error {
  override readonly name = 'AliyunCallError';
  constructor(
    readonly action: string,
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly requestId: string | undefined,
  ) {
    super(`${action}: HTTP ${status} ${code}: ${detail}`);
  }
}

/** The one signed Alibaba Cloud DirectMail (2015-11-23) client of the test suites, V1 and V3 via @postmill/acs. */
export interface AliyunClient {
  readonly baseUrl: string;
  readonly accessKeyId: string;
  readonly secret: string;
  /** The signed request for `action`, not sent. `action` undefined sends none (neither `Action` nor `x-acs-action`). */
  sign(action: string | undefined, params?: AliyunParams, options?: AliyunRequestOptions): SignedAliyunRequest;
  /** Sends a request (signed here, spoiled, or written by hand) and reads the whole answer. */
  send(request: SignedAliyunRequest, options?: { readonly timeoutMs?: number }): Promise<AliyunAnswer>;
  /** Signs, sends and reads: status, headers and body, success or error alike. */
  call(action: string | undefined, params?: AliyunParams, options?: AliyunRequestOptions): Promise<AliyunAnswer>;
  /** Signs, sends and answers the JSON body; throws AliyunCallError unless the answer is a 2xx JSON object. */
  request(action: string, params?: AliyunParams, options?: AliyunRequestOptions): Promise<AliyunJson>;
}

export const DM_VERSION = '2015-11-23';

/** An ISO time as Alibaba writes it, second resolution: `2026-12-07T02:51:43Z`. */
export function acsTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

// The dm SDK puts these actions' fields in a form body, every other action's in the query.
const FORM_BODY_ACTIONS = new Set(['SingleSendMail', 'UpdateUser']);

function pairsOf(params: AliyunParams | undefined): Array<[string, string]> {
  if (params === undefined) return [];
  if (Array.isArray(params)) return params.map(([n, v]) => [n, v]);
  return Object.entries(params as Readonly<Record<string, string | number | boolean | undefined>>)
    .filter((e): e is [string, string | number | boolean] => e[1] !== undefined)
    .map(([n, v]) => [n, String(v)]);
}

/** Pairs as the server reads them: a repeated name keeps its last value (signatures cover that). */
function lastWins(pairs: ReadonlyArray<readonly [string, string]>): Map<string, string> {
  return new Map(pairs);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/gu;

/**
 * Writes pairs as `application/x-www-form-urlencoded` text in the chosen encoding. A lone
 * surrogate goes out as U+FFFD, which is what the signatures encode (`pct`); Node's querystring
 * would otherwise pair it with the next character.
 */
export function encodeWire(pairs: ReadonlyArray<readonly [string, string]>, encoding: WireEncoding = 'querystring'): string {
  if (encoding === 'plus') return new URLSearchParams(pairs.map(([n, v]): [string, string] => [n, v])).toString();
  if (encoding === 'rfc3986') return pairs.map(([n, v]) => `${pct(n)}=${pct(v)}`).join('&');
  return pairs.map(([n, v]) => stringify({ [n.replace(LONE_SURROGATE, '\uFFFD')]: v.replace(LONE_SURROGATE, '\uFFFD') })).join('&');
}

function hexNonce(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/**
 * A client that signs each request as the official clients do, in any of their four shapes, and
 * lets a test change any part of it (time, nonce, signature, headers, body, encoding, method).
 * Guarantees: with no options, a request has the parameters, placement, wire encoding, headers
 * and framing the chosen client sends (up to nonce and time, and but for the dm SDK's
 * `x-acs-credentials-provider: static_ak`, which `signedHeaders` adds); every call waits at most
 * `timeoutMs` for the whole answer, then rejects.
 */
export function createAliyunClient(o: AliyunClientOptions): AliyunClient {
  const baseUrl = o.baseUrl.replace(/\/+$/u, '');
  const url = new URL(baseUrl);
  const host = url.host;
  const nowMs = o.nowMs ?? Date.now;

  function signV1Request(
    action: string | undefined,
    business: Array<[string, string]>,
    shape: Exclude<AliyunShape, 'v3'>,
    r: AliyunRequestOptions,
  ): SignedAliyunRequest {
    const dmSdk = shape === 'v1-post';
    const method = r.method ?? (shape === 'v1-get' ? 'GET' : 'POST');
    const format = r.format === undefined ? (dmSdk ? 'json' : 'JSON') : r.format;
    const common: Record<string, string | undefined> = {
      ...(action === undefined ? {} : { Action: action }),
      ...(format === false ? {} : { Format: format }),
      Version: r.version ?? DM_VERSION,
      Timestamp: r.timestampText ?? acsTimestamp(r.timestampMs ?? nowMs()),
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: r.nonce ?? hexNonce(dmSdk ? 32 : 16),
      SignatureVersion: '1.0',
      AccessKeyId: r.accessKeyId ?? o.accessKeyId,
      ...r.commonOverrides,
    };
    const commonPairs = Object.entries(common).filter((e): e is [string, string] => e[1] !== undefined);
    const inBody = shape === 'v1-form' || (dmSdk && (r.placement ?? (FORM_BODY_ACTIONS.has(action ?? '') ? 'form' : 'query')) === 'form');
    const all = lastWins([...commonPairs, ...business]);
    const signature = r.signature ?? signV1(all, { method: method.toUpperCase(), secret: r.secret ?? o.secret });
    const encoding = r.wireEncoding ?? 'querystring';
    let queryPairs: Array<[string, string]>;
    let bodyPairs: Array<[string, string]> | undefined;
    if (shape === 'v1-get') queryPairs = [...commonPairs, ...business, ['Signature', signature]];
    else if (shape === 'v1-form') {
      queryPairs = [];
      bodyPairs = [...commonPairs, ...business, ['Signature', signature]];
    } else {
      queryPairs = [...commonPairs, ['Signature', signature], ...(inBody ? [] : business)];
      bodyPairs = inBody ? business : undefined;
    }
    const query = encodeWire(queryPairs, encoding);
    const body =
      r.rawBody !== undefined
        ? Buffer.from(r.rawBody)
        : bodyPairs === undefined || bodyPairs.length === 0
          ? undefined
          : Buffer.from(encodeWire(bodyPairs, encoding));
    const headers: Record<string, string> = {
      ...(action === undefined ? {} : { 'x-acs-action': action }),
      'x-acs-version': r.version ?? DM_VERSION,
      ...(body === undefined ? {} : { 'content-type': r.contentType ?? 'application/x-www-form-urlencoded' }),
    };
    return finish({ method, path: query === '' ? '/' : `/?${query}`, headers, body, chunked: body !== undefined && (r.chunked ?? dmSdk) }, r);
  }

  function signV3Request(action: string | undefined, business: Array<[string, string]>, r: AliyunRequestOptions): SignedAliyunRequest {
    const method = r.method ?? 'POST';
    const withFormat: Array<[string, string]> = r.format === undefined || r.format === false ? business : [...business, ['Format', r.format]];
    const inBody = (r.placement ?? (FORM_BODY_ACTIONS.has(action ?? '') ? 'form' : 'query')) === 'form';
    const queryPairs = inBody ? [] : withFormat;
    const encoding = r.wireEncoding ?? 'querystring';
    const body =
      r.rawBody !== undefined ? Buffer.from(r.rawBody) : inBody && withFormat.length > 0 ? Buffer.from(encodeWire(withFormat, encoding)) : Buffer.alloc(0);
    const credentials = { accessKeyId: r.accessKeyId ?? o.accessKeyId, secret: r.secret ?? o.secret };
    const date = r.timestampText ?? acsTimestamp(r.timestampMs ?? nowMs());
    const nonce = r.nonce ?? hexNonce(32);
    const contentType = r.contentType ?? 'application/x-www-form-urlencoded';
    let headers: Record<string, string>;
    if (action !== undefined && r.signedHeaders === undefined) {
      headers = signV3(
        { method, host: r.signedHost ?? host, action, version: r.version ?? DM_VERSION, date, nonce, query: lastWins(queryPairs), body, contentType },
        credentials,
      );
    } else {
      // Extra signed headers, or no action at all: the same canonical request, built from its parts.
      const signed = new Map<string, string>([
        ['host', r.signedHost ?? host],
        ...(action === undefined ? [] : [['x-acs-action', action] as [string, string]]),
        ['x-acs-version', r.version ?? DM_VERSION],
        ['x-acs-date', date],
        ['x-acs-signature-nonce', nonce],
        ['x-acs-content-sha256', sha256Hex(body)],
        ...(body.length > 0 ? [['content-type', contentType] as [string, string]] : []),
        ...Object.entries(r.signedHeaders ?? {}).map(([n, v]) => [n.toLowerCase(), v] as [string, string]),
      ]);
      const canonical = v3CanonicalRequest({ method, query: lastWins(queryPairs), signedHeaders: signed, hashedPayload: sha256Hex(body) });
      const signature = createHmac('sha256', credentials.secret).update(v3StringToSign(canonical), 'utf8').digest('hex');
      const names = [...signed.keys()].sort().join(';');
      headers = {
        ...Object.fromEntries(signed),
        authorization: `${V3_ALGORITHM} Credential=${credentials.accessKeyId},SignedHeaders=${names},Signature=${signature}`,
      };
    }
    if (r.signature !== undefined) headers.authorization = (headers.authorization ?? '').replace(/Signature=[^,]*$/u, `Signature=${r.signature}`);
    // Host is sent by node:http from the base URL; a different signed one stays a signed value only.
    delete headers.host;
    const query = encodeWire(queryPairs, encoding);
    return finish(
      {
        method,
        path: query === '' ? '/' : `/?${query}`,
        headers,
        body: method === 'GET' && body.length === 0 ? undefined : body,
        chunked: body.length > 0 && (r.chunked ?? true),
      },
      r,
    );
  }

  function finish(req: SignedAliyunRequest, r: AliyunRequestOptions): SignedAliyunRequest {
    const headers: Record<string, string> = { ...req.headers };
    for (const [name, value] of Object.entries(r.unsignedHeaders ?? {})) {
      if (value === undefined) delete headers[name.toLowerCase()];
      else headers[name.toLowerCase()] = value;
    }
    return { ...req, headers };
  }

  const sign = (action: string | undefined, params?: AliyunParams, r: AliyunRequestOptions = {}): SignedAliyunRequest => {
    const shape = r.shape ?? o.shape ?? 'v3';
    const business = pairsOf(params);
    return shape === 'v3' ? signV3Request(action, business, r) : signV1Request(action, business, shape, r);
  };

  const send = (req: SignedAliyunRequest, s: { readonly timeoutMs?: number } = {}): Promise<AliyunAnswer> => {
    const timeoutMs = s.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...req.headers };
      if (req.body !== undefined) {
        if (req.chunked) headers['transfer-encoding'] = 'chunked';
        else headers['content-length'] = String(req.body.length);
      }
      const outgoing = httpRequest({ host: url.hostname, port: url.port, method: req.method, path: req.path, headers });
      const timer = setTimeout(() => {
        outgoing.destroy(new Error(`${req.method} ${req.path.slice(0, 200)}: no whole answer within ${timeoutMs} ms`));
      }, timeoutMs);
      outgoing.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      outgoing.on('response', (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(parts).toString('utf8');
          const contentType = res.headers['content-type'];
          let body: AliyunJson | string = text;
          if (contentType?.includes('json')) {
            try {
              body = JSON.parse(text) as AliyunJson;
            } catch {
              // Not JSON after all: the raw text, for the test to judge.
            }
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, contentType, text, body });
        });
      });
      if (req.body !== undefined && req.chunked && req.body.length > 1) {
        // Two chunks, as a streaming client writes them.
        const half = Math.floor(req.body.length / 2);
        outgoing.write(req.body.subarray(0, half));
        outgoing.end(req.body.subarray(half));
      } else {
        outgoing.end(req.body);
      }
    });
  };

  const call = (action: string | undefined, params?: AliyunParams, r: AliyunRequestOptions = {}): Promise<AliyunAnswer> =>
    send(sign(action, params, r), r.timeoutMs === undefined ? {} : { timeoutMs: r.timeoutMs });

  return {
    baseUrl,
    accessKeyId: o.accessKeyId,
    secret: o.secret,
    sign,
    send,
    call,
    async request(action, params, r) {
      const answer = await call(action, params, r);
      if (answer.status >= 200 && answer.status < 300 && typeof answer.body === 'object' && answer.body.Code === undefined) return answer.body;
      const body = typeof answer.body === 'object' ? answer.body : {};
      throw new AliyunCallError(action, answer.status, String(body.Code ?? 'NotJson'), String(body.Message ?? answer.text.slice(0, 300)), body.RequestId);
    },
  };
}
