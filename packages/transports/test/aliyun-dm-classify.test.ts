import { ProviderError } from '@postmill/core';
import { describe, expect, it } from 'vitest';
import { classifyDmCode, dmErrorAnswer, dmNetworkError, kindOfHttpStatus, parseRetryAfterMs } from '../src/aliyun-dm-classify.ts';

describe('classifying DirectMail answers', () => {
  it('calls every code containing Throttling throttled, whatever its status', () => {
    for (const code of ['Throttling', 'Throttling.User', 'Throttling.Api', 'Throttling.Tenant']) {
      expect(classifyDmCode(code, 400), code).toBe('throttled');
      expect(classifyDmCode(code, 503), code).toBe('throttled');
    }
  });

  it('calls the documented patterns Missing<Name> and Invalid<Name> permanent, except the expired timestamp', () => {
    expect(classifyDmCode('MissingToAddress', 400)).toBe('permanent');
    expect(classifyDmCode('InvalidHeaders', 400)).toBe('permanent');
    expect(classifyDmCode('InvalidToAddress.Spam', 400)).toBe('permanent');
    expect(classifyDmCode('InvalidTimeStamp.Expired', 400)).toBe('transient');
  });

  it('goes by the HTTP status for a code it does not know: 429 throttled, 408 and 5xx transient, other 4xx permanent', () => {
    expect(classifyDmCode('Quota.Exceeded', 429)).toBe('throttled');
    expect(classifyDmCode('Gateway.Busy', 502)).toBe('transient');
    expect(classifyDmCode('Request.Slow', 408)).toBe('transient');
    expect(classifyDmCode('Forbidden.RAM', 403)).toBe('permanent');
    expect(kindOfHttpStatus(302)).toBe('transient');
  });

  it('keeps Code, Message, RequestId and HostId of a DirectMail error body, and Retry-After as retryAfterMs', () => {
    const body = JSON.stringify({
      RequestId: 'R-1',
      HostId: 'dm.aliyuncs.com',
      Code: 'InvalidToAddress',
      Message: 'The specified toAddress is wrongly formed.',
    });
    const err = dmErrorAnswer(400, body, '2', 0);
    expect(err).toBeInstanceOf(ProviderError);
    expect([err.code, err.message, err.kind, err.httpStatus, err.retryAfterMs]).toEqual([
      'InvalidToAddress',
      'The specified toAddress is wrongly formed.',
      'permanent',
      undefined,
      2000,
    ]);
    expect(err.context).toEqual({ httpStatus: 400, requestId: 'R-1', hostId: 'dm.aliyuncs.com' });
  });

  it('calls an error status without DirectMail’s body HTTP.<status>, with httpStatus', () => {
    for (const text of ['', '<html>bad gateway</html>', '{"message":"no code"}']) {
      const err = dmErrorAnswer(502, text, null, 0);
      expect([err.code, err.httpStatus, err.kind]).toEqual(['HTTP.502', 502, 'transient']);
    }
  });

  it('reads Retry-After as seconds or as an HTTP date, and ignores what it cannot read', () => {
    expect(parseRetryAfterMs('3', 0)).toBe(3000);
    expect(parseRetryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfterMs(new Date(1_000).toUTCString(), 4_000)).toBe(0);
    expect(parseRetryAfterMs('soon', 0)).toBeUndefined();
    expect(parseRetryAfterMs(null, 0)).toBeUndefined();
  });

  it('calls what fetch throws transient Network errors: a timeout, an undici socket code, a plain errno', () => {
    const timeout = dmNetworkError(Object.assign(new Error('t'), { name: 'TimeoutError' }), 250);
    expect([timeout.code, timeout.kind, timeout.context.timeoutMs]).toEqual(['Network.Timeout', 'transient', 250]);
    const closed = dmNetworkError(new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }), 1);
    expect([closed.code, closed.kind]).toEqual(['Network.ECONNRESET', 'transient']);
    const dns = dmNetworkError(new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }) }), 1);
    expect([dns.code, dns.kind, dns.message]).toEqual(['Network.ENOTFOUND', 'transient', 'fetch failed: getaddrinfo ENOTFOUND']);
  });
});
