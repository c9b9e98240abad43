import { describe, expect, it } from 'vitest';
import { CLUSTER_SLOTS, keySlot } from './key-slot.ts';

describe('keySlot', () => {
  it('gives the slots Redis documents and CLUSTER KEYSLOT answers', () => {
    // Values from the Redis Cluster specification and from CLUSTER KEYSLOT on Redis 7.0.
    expect(keySlot('somekey')).toBe(11058);
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('bar')).toBe(5061);
    expect(keySlot('{user1000}.following')).toBe(3443);
    expect(keySlot('ünï{cødé}')).toBe(6383);
  });

  it('hashes only the first non-empty {tag}, and the whole key when the first tag is empty or unclosed', () => {
    expect(keySlot('{user1000}.followers')).toBe(keySlot('user1000'));
    expect(keySlot('x{a}{b}')).toBe(keySlot('a'));
    expect(keySlot('{}x')).toBe(10595);
    expect(keySlot('a{}{b}')).toBe(15033);
    expect(keySlot('no{close')).not.toBe(keySlot('close'));
  });

  it('stays within the 16 384 slots', () => {
    for (let i = 0; i < 1000; i++) expect(keySlot(`k${i}`)).toBeLessThan(CLUSTER_SLOTS);
  });
});
