import { PostmillError } from './errors.ts';

/**
 * What a provider's answer means for delivery, decided by the transport that spoke to the provider
 * (each transport classifies its own provider's codes). The retry policy acts on this kind alone:
 * - `permanent`: retrying cannot help (bad recipient, refused content, unknown sender);
 * - `throttled`: the provider asks the whole transport to slow down (rate limits, SMTP 421/451/454);
 * - `transient`: may succeed later (network, timeouts, 5xx, temporary service errors);
 * - `hold-domain`: the recipient's domain is temporarily blocked at the provider;
 * - `backoff-recipient`: this one recipient is sent to too often.
 */
export type ProviderFailureKind = 'permanent' | 'throttled' | 'transient' | 'hold-domain' | 'backoff-recipient';

/**
 * A failure reported by (or on the way to) a mail provider. Guarantees a `code` in one namespace:
 * - the provider's own error codes as-is (Tencent SES: `FailedOperation.TemporaryBlocked`, ...);
 * - `MIME.<reason>` for a message that cannot be written safely (MimeHeaderError's code);
 * - `SMTP.<reply code>` for SMTP replies (`SMTP.550`, `SMTP.421`), with `smtpCode` set;
 * - `HTTP.<status>` for non-200 HTTP answers, with `httpStatus` set;
 * - `Network.<errno>` (`Network.ECONNRESET`) and `Network.Timeout` for transport failures.
 */
export class ProviderError extends PostmillError {
  override readonly name = 'ProviderError';
  readonly smtpCode: number | undefined;
  readonly httpStatus: number | undefined;
  /** A delay the provider asked for (Retry-After), if any. */
  readonly retryAfterMs: number | undefined;
  /** The transport's classification of this answer; undefined only for errors no transport classified. */
  readonly kind: ProviderFailureKind | undefined;
  constructor(
    code: string,
    message: string,
    options: {
      cause?: unknown;
      context?: Record<string, unknown>;
      smtpCode?: number;
      httpStatus?: number;
      retryAfterMs?: number;
      kind?: ProviderFailureKind;
    } = {},
  ) {
    super(code, message, options);
    this.smtpCode = options.smtpCode;
    this.httpStatus = options.httpStatus;
    this.retryAfterMs = options.retryAfterMs;
    this.kind = options.kind;
  }
}

/**
 * Guarantees a ProviderError for any thrown value: a ProviderError as it is, anything else as
 * `Network.Timeout`, `Network.<errno>` or `Network.Unknown` with `options.kind` (default none,
 * which the retry policy reads as transient).
 */
export function toProviderError(err: unknown, options: { kind?: ProviderFailureKind } = {}): ProviderError {
  if (err instanceof ProviderError) return err;
  const kind = options.kind === undefined ? {} : { kind: options.kind };
  const e = err as { code?: unknown; message?: unknown; name?: unknown } | undefined;
  const errno = typeof e?.code === 'string' ? e.code : undefined;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError' || errno === 'ETIMEDOUT' || errno === 'ESOCKETTIMEDOUT') {
    return new ProviderError('Network.Timeout', message, { cause: err, ...kind });
  }
  return new ProviderError(`Network.${errno ?? 'Unknown'}`, message, { cause: err, ...kind });
}
