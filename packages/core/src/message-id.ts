import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A random base62 string of `length` characters (≈5.95 bits each). */
export function randomId(length: number, bytes: (n: number) => Uint8Array = randomBytes): string {
  const buf = bytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[(buf[i] ?? 0) % 62];
  return out;
}

function stamp(nowMs: number): string {
  return new Date(nowMs).toISOString().replace(/[-:T]/gu, '').slice(0, 14);
}

/**
 * A new API MessageId, shaped like Tencent's (`qcloudses-…-date-<yyyyMMddHHmmss>-<random>`):
 * `pm-date-<UTC yyyyMMddHHmmss>-<16 base62>`. Opaque to callers; unique with overwhelming probability;
 * contains no `:` (BullMQ job ids may not).
 */
export function newMessageId(nowMs: number, bytes?: (n: number) => Uint8Array): string {
  return `pm-date-${stamp(nowMs)}-${randomId(16, bytes)}`;
}

/**
 * The RFC 5322 Message-ID header for a message, deterministic so a retried request carries the
 * same id (receivers and relays can de-duplicate). `personalKey` distinguishes per-recipient copies.
 */
export function rfcMessageId(postmillMessageId: string, senderDomain: string, personalKey?: string): string {
  const local = personalKey === undefined ? postmillMessageId : `${postmillMessageId}.${personalKey}`;
  return `<${local}@${senderDomain}>`;
}
