import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

// Random bytes are drawn POOL_BYTES at a time: one randomBytes call per ~256 ids instead of one
// per id (the API makes an id for every message it accepts). Each byte is handed out once.
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let pooled = 0;

function pooledRandomBytes(n: number): Uint8Array {
  if (pooled + n > pool.length) {
    pool = randomBytes(Math.max(POOL_BYTES, n));
    pooled = 0;
  }
  const out = pool.subarray(pooled, pooled + n);
  pooled += n;
  return out;
}

/** A random base62 string of `length` characters (≈5.95 bits each). */
export function randomId(length: number, bytes: (n: number) => Uint8Array = pooledRandomBytes): string {
  const buf = bytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[(buf[i] ?? 0) % 62];
  return out;
}

// The last stamp made, by whole second (ids made in the same second share it).
let lastStamp = { second: Number.NaN, stamp: '' };

function stamp(nowMs: number): string {
  const second = Math.floor(nowMs / 1000);
  if (second !== lastStamp.second) lastStamp = { second, stamp: new Date(nowMs).toISOString().replace(/[-:T]/gu, '').slice(0, 14) };
  return lastStamp.stamp;
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
