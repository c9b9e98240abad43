import { timingSafeEqual } from 'node:crypto';

/**
 * Why a signed request was refused, as Alibaba Cloud's gateway names it. The dialect maps each
 * code to its HTTP status and message; the message here says what exactly was wrong.
 */
export type AcsAuthFailureCode =
  | 'MissingSignature'
  | 'MissingAccessKeyId'
  | 'MissingTimestamp'
  | 'MissingSignatureNonce'
  | 'MissingSignatureMethod'
  | 'InvalidSignatureMethod'
  | 'InvalidSignatureVersion'
  | 'IncompleteSignature'
  | 'InvalidTimeStamp.Format'
  | 'InvalidTimeStamp.Expired'
  | 'InvalidAccessKeyId.NotFound'
  | 'SignatureDoesNotMatch';

export interface AcsVerifyFailure {
  readonly ok: false;
  readonly code: AcsAuthFailureCode;
  readonly message: string;
}

/**
 * A request whose signature verified: who signed it, its nonce (the caller refuses a nonce it has
 * seen within the skew window; nonce memory is not kept here) and its signing time.
 */
export interface AcsVerified {
  readonly ok: true;
  readonly algorithm: 'v1' | 'v3';
  readonly accessKeyId: string;
  readonly nonce: string;
  readonly timestampMs: number;
}

export type AcsVerifyResult = AcsVerified | AcsVerifyFailure;

export interface AcsVerifyOptions {
  /** The secret of an AccessKeyId, or undefined when the id is unknown. */
  readonly lookupSecret: (accessKeyId: string) => string | undefined;
  /** Server time, Unix milliseconds (injected clock). */
  readonly nowMs: number;
  /** Largest accepted |now − request time|, seconds. Default 900 (Alibaba's 15 minutes). */
  readonly maxSkewSeconds?: number;
}

/** Alibaba's allowed clock skew: 15 minutes. */
export const DEFAULT_MAX_SKEW_SECONDS = 900;

export function fail(code: AcsAuthFailureCode, message: string): AcsVerifyFailure {
  return { ok: false, code, message };
}

const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/u;

/**
 * Parses the `Timestamp` / `x-acs-date` form, `YYYY-MM-DDThh:mm:ssZ` in UTC (fractional seconds
 * tolerated), into Unix milliseconds; undefined unless it names a real instant (no `2026-02-30`).
 */
export function parseAcsTimestamp(text: string): number | undefined {
  const m = ISO_UTC.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const frac = Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3));
  const ms = Date.UTC(y, mo - 1, d, h, mi, s, frac);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  return ms;
}

/** The skew check shared by both versions; undefined when the time is acceptable. */
export function checkSkew(timestampMs: number, options: AcsVerifyOptions): AcsVerifyFailure | undefined {
  const maxSkew = options.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS;
  if (Math.abs(options.nowMs - timestampMs) <= maxSkew * 1000) return undefined;
  return fail(
    'InvalidTimeStamp.Expired',
    `Specified time stamp or date value is expired: ${new Date(timestampMs).toISOString()} is more than ${maxSkew} seconds from server time ${new Date(options.nowMs).toISOString()}.`,
  );
}

/** Compares two signatures in time independent of where they differ. */
export function sameSignature(expected: string, received: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(received, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
