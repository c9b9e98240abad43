import { randomUUID } from 'node:crypto';
import { signTencentRequest } from '@postmill/tc3';

/** Calls one action of the Tencent SES API (2020-10-02) and returns its `Response` without `RequestId`. */
export interface TencentApi {
  call<T extends object>(action: string, params: object): Promise<T>;
}

/** Options of createTencentClient; every field documents its default. */
export interface TencentClientOptions {
  /** Base URL the signed POSTs go to, e.g. `http://localhost:8080`. */
  readonly endpoint: URL;
  readonly secretId: string;
  readonly secretKey: string;
  /** `X-TC-Region`. Default `ap-guangzhou` (Postmill ignores it; Tencent needs one). */
  readonly region?: string;
  /** Service name in the credential scope. Default `ses`. */
  readonly service?: string;
  /** `X-TC-Version`. Default `2020-10-02`. */
  readonly version?: string;
  /** Longest wait for one answer; an upload of 20 000 entries takes a few seconds. Default 120 000. */
  readonly timeoutMs?: number;
  /** Default: the global fetch. */
  readonly fetch?: typeof fetch;
  /** Epoch ms, for X-TC-Timestamp. Default Date.now. */
  readonly now?: () => number;
  /** Appended to the message when nothing listens at the endpoint (what to start or which setting to fix). Default none. */
  readonly unreachableHint?: string;
}

/** The API answered with `Response.Error`: `code` is Tencent's stable error code. */
export class TencentError extends Error {
  override readonly name = 'TencentError' as const;
  readonly code: string;
  readonly requestId: string | undefined;
  readonly action: string;

  constructor(action: string, code: string, message: string, requestId: string | undefined) {
    super(message);
    this.action = action;
    this.code = code;
    this.requestId = requestId;
  }
}

/**
 * Why no Tencent answer could be read. `Cli.Unreachable`: no connection could be opened (refused,
 * unknown host, no route), so the request was never sent; the others may follow a request the
 * server received.
 */
export type TransportFailure = 'Cli.Unreachable' | 'Cli.NetworkError' | 'Cli.Timeout' | 'Cli.HttpStatus' | 'Cli.BadResponse';

/**
 * No Tencent answer: the endpoint was unreachable, too slow, answered a non-200 status or
 * something that is not a Tencent envelope. With `Cli.Unreachable` nothing was sent; otherwise
 * the request may or may not have been applied.
 */
export class ApiTransportError extends Error {
  override readonly name = 'ApiTransportError' as const;
  readonly code: TransportFailure;
  /** HTTP status for `Cli.HttpStatus`. */
  readonly status: number | undefined;
  /** `Cli.Unreachable` only: whether this client had an answer from the endpoint before (a server that went away, not one never started). */
  readonly answeredBefore: boolean;

  constructor(code: TransportFailure, message: string, options: { status?: number; cause?: unknown; answeredBefore?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.answeredBefore = options.answeredBefore ?? false;
  }
}

/** Socket errors that happen before a connection exists: the request was never sent. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);

/** Whether a fetch failure happened before any byte of the request left (every attempted address refused it). */
function neverSent(cause: unknown): boolean {
  const inner = cause instanceof Error ? (cause.cause as { code?: unknown; errors?: unknown } | undefined) : undefined;
  if (!inner) return false;
  if (typeof inner.code === 'string' && NOT_SENT.has(inner.code)) return true;
  return (
    Array.isArray(inner.errors) && inner.errors.length > 0 && inner.errors.every((e: { code?: unknown }) => typeof e?.code === 'string' && NOT_SENT.has(e.code))
  );
}

interface Envelope {
  Response?: { Error?: { Code?: unknown; Message?: unknown }; RequestId?: unknown } & Record<string, unknown>;
}

/**
 * A client that signs every request with TC3-HMAC-SHA256 exactly as the official SDKs do.
 * Guarantees: resolves only with a successful `Response`; rejects with TencentError for a
 * Tencent error envelope and with ApiTransportError otherwise (never with a bare fetch error).
 */
export function createTencentClient(options: TencentClientOptions): TencentApi {
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const host = options.endpoint.host;
  const url = options.endpoint.href;
  let answered = false;
  return {
    async call<T extends object>(action: string, params: object): Promise<T> {
      const body = JSON.stringify(params);
      const headers = signTencentRequest(
        { secretId: options.secretId, secretKey: options.secretKey },
        {
          host,
          action,
          version: options.version ?? '2020-10-02',
          region: options.region ?? 'ap-guangzhou',
          timestamp: Math.floor(now() / 1000),
          service: options.service ?? 'ses',
          // Signed, so repeating a call within one second (a quick poll, a retry) is not a replay.
          traceId: randomUUID(),
        },
        body,
      );
      let res: Response;
      try {
        res = await doFetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
      } catch (cause) {
        const timedOut = cause instanceof Error && cause.name === 'TimeoutError';
        const detail = cause instanceof Error && cause.cause instanceof Error ? cause.cause.message : String(cause);
        if (timedOut) throw new ApiTransportError('Cli.Timeout', `${action}: no answer from ${url} within ${timeoutMs} ms`, { cause });
        if (neverSent(cause)) {
          const hint = options.unreachableHint ? ` ${options.unreachableHint}` : '';
          throw new ApiTransportError('Cli.Unreachable', `${action}: nothing answers at ${url} (${detail}); the request was not sent.${hint}`, {
            cause,
            answeredBefore: answered,
          });
        }
        throw new ApiTransportError('Cli.NetworkError', `${action}: the connection to ${url} failed (${detail}); the request may have reached the server`, {
          cause,
        });
      }
      answered = true;
      const text = await res.text().catch(() => '');
      if (res.status !== 200) {
        throw new ApiTransportError('Cli.HttpStatus', `${action}: ${url} answered HTTP ${res.status}`, { status: res.status });
      }
      let envelope: Envelope;
      try {
        envelope = JSON.parse(text) as Envelope;
      } catch (cause) {
        throw new ApiTransportError('Cli.BadResponse', `${action}: ${url} did not answer JSON`, { cause });
      }
      const response = envelope.Response;
      if (typeof response !== 'object' || response === null) {
        throw new ApiTransportError('Cli.BadResponse', `${action}: ${url} answered without a Tencent \`Response\` object`);
      }
      const requestId = typeof response.RequestId === 'string' ? response.RequestId : undefined;
      if (response.Error) {
        throw new TencentError(action, String(response.Error.Code ?? 'UnknownError'), String(response.Error.Message ?? ''), requestId);
      }
      const { RequestId: _ignored, ...fields } = response;
      // The caller names the documented shape of this action's answer; the server is the
      // authority on it, and the fields a wrong type would mislead are checked where they are read.
      return fields as T;
    },
  };
}
