import { createHmac } from 'node:crypto';

function hmac(key: Buffer | string, msg: string): Buffer {
  return createHmac('sha256', key).update(msg, 'utf8').digest();
}

/**
 * Guarantees the TC3 signing key of (secret key, scope date, service), derived exactly as the
 * reference (§4.3) and the SDKs derive it: HMAC chain "TC3"+secretKey → date → service → "tc3_request".
 */
export function deriveSigningKey(secretKey: string, date: string, service: string): Buffer {
  return hmac(hmac(hmac(`TC3${secretKey}`, date), service), 'tc3_request');
}

export interface SigningKeyCacheOptions {
  /** Most derived keys held at once; past it the oldest-inserted one is dropped. Default 64. */
  readonly maxEntries?: number;
}

interface Entry {
  readonly secretKey: string;
  readonly date: string;
  readonly service: string;
  readonly key: Buffer;
}

/**
 * Guarantees `get` returns exactly `deriveSigningKey(secretKey, date, service)` while holding at
 * most `maxEntries` derived keys. A signing key is the same for every request of one credential,
 * service and UTC day, so on the API's hot path this leaves one HMAC per signature instead of four.
 *
 * Keyed by `${secretId}\0${date}\0${service}`, with the secret key stored beside the derived key
 * and compared on every hit, rather than keyed by the secret key itself:
 * - a rotated secret for the same SecretId (or a caller signing with a wrong one) misses and
 *   replaces the entry, so it never reuses the old derived key, and the old secret is released
 *   at that moment instead of lingering inside a Map key until eviction;
 * - a hit also compares date and service, the only other inputs of the derivation, so the result
 *   never depends on the Map key being unambiguous (a SecretId or service containing `\0` can at
 *   worst miss, never return another credential's key).
 *
 * Bounded whatever callers send: insertion-ordered Map, oldest entry evicted first. `verifyTc3`
 * only gets here for a SecretId that `lookupSecret` knows and a scope date equal to the UTC date
 * of a timestamp within the allowed skew, but the service is free text from the credential scope,
 * so a holder of a known SecretId can churn entries; each miss then costs what an uncached
 * verification did, and the size never passes `maxEntries`.
 */
export class SigningKeyCache {
  private readonly maxEntries: number;
  private readonly entries = new Map<string, Entry>();

  constructor(options: SigningKeyCacheOptions = {}) {
    const maxEntries = options.maxEntries ?? 64;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
    this.maxEntries = maxEntries;
  }

  /** Derived keys held now; never more than `maxEntries`. */
  get size(): number {
    return this.entries.size;
  }

  /** The signing key of (secretKey, date, service); `secretId` only names the cache slot. */
  get(secretId: string, secretKey: string, date: string, service: string): Buffer {
    const id = `${secretId}\0${date}\0${service}`;
    const hit = this.entries.get(id);
    if (hit !== undefined && hit.secretKey === secretKey && hit.date === date && hit.service === service) return hit.key;
    const key = deriveSigningKey(secretKey, date, service);
    // Delete first so a replaced entry (rotated secret) moves to the newest end.
    this.entries.delete(id);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(id, { secretKey, date, service, key });
    return key;
  }
}
