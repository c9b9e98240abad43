import { describe, expect, it } from 'vitest';
import { policyFromInfo } from './redis-eviction-check.ts';

describe('policyFromInfo', () => {
  it('reads maxmemory_policy from an INFO memory section with CRLF line ends', () => {
    const info = '# Memory\r\nused_memory:1000\r\nmaxmemory:0\r\nmaxmemory_policy:allkeys-lru\r\nallocator_frag_ratio:1.0\r\n';
    expect(policyFromInfo(info)).toBe('allkeys-lru');
  });

  it('answers undefined when the field is absent', () => {
    expect(policyFromInfo('# Memory\r\nused_memory:1000\r\n')).toBeUndefined();
  });
});
