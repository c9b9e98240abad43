import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveSigningKey, SigningKeyCache } from './signing-key-cache.ts';

// The derivation written out from the reference (§4.3), independent of the code under test.
function referenceKey(secretKey: string, date: string, service: string): Buffer {
  const h = (key: Buffer | string, msg: string) => createHmac('sha256', key).update(msg, 'utf8').digest();
  return h(h(h(`TC3${secretKey}`, date), service), 'tc3_request');
}

describe('SigningKeyCache', () => {
  it('returns the reference signing key on the first call and the same key when it answers from the cache', () => {
    const cache = new SigningKeyCache();
    const expected = referenceKey('Gu5t9xGARNpq86cd98joQYCN3EXAMPLE', '2019-02-25', 'cvm');
    expect(deriveSigningKey('Gu5t9xGARNpq86cd98joQYCN3EXAMPLE', '2019-02-25', 'cvm').equals(expected)).toBe(true);
    const miss = cache.get('AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE', 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE', '2019-02-25', 'cvm');
    const hit = cache.get('AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE', 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE', '2019-02-25', 'cvm');
    expect(miss.equals(expected)).toBe(true);
    expect(hit).toBe(miss);
    expect(cache.size).toBe(1);
  });

  it('derives from the new secret after a SecretId is rotated and never hands back the old key', () => {
    const cache = new SigningKeyCache();
    const before = cache.get('AKIDrot', 'old-secret', '2024-05-01', 'ses');
    const after = cache.get('AKIDrot', 'new-secret', '2024-05-01', 'ses');
    expect(before.equals(referenceKey('old-secret', '2024-05-01', 'ses'))).toBe(true);
    expect(after.equals(referenceKey('new-secret', '2024-05-01', 'ses'))).toBe(true);
    expect(after.equals(before)).toBe(false);
    expect(cache.get('AKIDrot', 'new-secret', '2024-05-01', 'ses')).toBe(after);
    expect(cache.size).toBe(1);
  });

  it('holds at most maxEntries keys however many distinct dates are asked for, evicting the oldest first', () => {
    const cache = new SigningKeyCache({ maxEntries: 8 });
    const day = (i: number) => new Date(Date.UTC(2000, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    for (let i = 0; i < 1_000; i++) {
      expect(cache.get('AKIDtest', 'secret', day(i), 'ses').equals(referenceKey('secret', day(i), 'ses'))).toBe(true);
      expect(cache.size).toBeLessThanOrEqual(8);
    }
    expect(cache.size).toBe(8);
    const newest = cache.get('AKIDtest', 'secret', day(999), 'ses');
    expect(cache.get('AKIDtest', 'secret', day(999), 'ses')).toBe(newest);
  });

  it('never returns another scope key when a SecretId and a service contain the slot separator', () => {
    const cache = new SigningKeyCache();
    // Both name the slot "a\0 2024-01-01 \0s\0 2024-01-02 \0t" (without the spaces).
    const first = cache.get('a\u00002024-01-01\u0000s', 'secret', '2024-01-02', 't');
    const second = cache.get('a', 'secret', '2024-01-01', 's\u00002024-01-02\u0000t');
    expect(first.equals(referenceKey('secret', '2024-01-02', 't'))).toBe(true);
    expect(second.equals(referenceKey('secret', '2024-01-01', 's\u00002024-01-02\u0000t'))).toBe(true);
  });

  it('refuses a maxEntries that is not a positive integer', () => {
    expect(() => new SigningKeyCache({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => new SigningKeyCache({ maxEntries: 1.5 })).toThrow(RangeError);
  });
});
