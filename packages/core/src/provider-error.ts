import { PostmillError } from './errors.ts';

/**
 * A failure reported by (or on the way to) a mail provider. Guarantees a `code` in one namespace:
 * - Tencent SES error codes as-is (`FailedOperation.TemporaryBlocked`, `RequestLimitExceeded`, ...);
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
  constructor(
    code: string,
    message: string,
    options: {
      cause?: unknown;
      context?: Record<string, unknown>;
      smtpCode?: number;
      httpStatus?: number;
      retryAfterMs?: number;
    } = {},
  ) {
    super(code, message, options);
    this.smtpCode = options.smtpCode;
    this.httpStatus = options.httpStatus;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Guarantees a ProviderError for any thrown value: unknown errors become `Network.<errno>` or `Network.Unknown`. */
export function toProviderError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  const e = err as { code?: unknown; message?: unknown; name?: unknown } | undefined;
  const errno = typeof e?.code === 'string' ? e.code : undefined;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError' || errno === 'ETIMEDOUT' || errno === 'ESOCKETTIMEDOUT') {
    return new ProviderError('Network.Timeout', message, { cause: err });
  }
  return new ProviderError(`Network.${errno ?? 'Unknown'}`, message, { cause: err });
}
