import { ProviderError } from '@postmill/core';
import { describe, expect, it } from 'vitest';
import {
  classifySendCloudStatus,
  sendCloudErrorAnswer,
  sendCloudHttpError,
  sendCloudInvalidResponse,
  sendCloudNetworkError,
} from '../src/sendcloud-classify.ts';

describe('classifying SendCloud answers', () => {
  it('calls 50001 (536 Frequency limited) throttled', () => {
    expect(classifySendCloudStatus(50001)).toBe('throttled');
  });

  it("calls the server's own failures transient: 501, 40901, 40902, 40904 (quota check), 40867 (attachment processing), 40911 (template match error)", () => {
    for (const code of [501, 40901, 40902, 40904, 40867, 40911]) expect(classifySendCloudStatus(code), String(code)).toBe('transient');
  });

  it('calls authentication (40005), permission (6001), invalid addresses (40806, 40880, 40802) and other parameter checks permanent', () => {
    for (const code of [40005, 6001, 40806, 40880, 40802, 40807, 40827, 40853, 40856, 40869, 40870, 40879, 40908, 40015, 40106, 40000]) {
      expect(classifySendCloudStatus(code), String(code)).toBe('permanent');
    }
  });

  it('calls a code outside the 4xxxx range it does not know transient', () => {
    expect(classifySendCloudStatus(50002)).toBe('transient');
    expect(classifySendCloudStatus(502)).toBe('transient');
    expect(classifySendCloudStatus(200)).toBe('transient');
  });

  it('codes a result:false answer SendCloud.<statusCode>, keeping its message and the statusCode in context, without httpStatus', () => {
    const err = sendCloudErrorAnswer(40806, '收件人地址数组中, 存在非法地址');
    expect(err).toBeInstanceOf(ProviderError);
    expect([err.code, err.message, err.kind, err.httpStatus, err.context]).toEqual([
      'SendCloud.40806',
      '收件人地址数组中, 存在非法地址',
      'permanent',
      undefined,
      { statusCode: 40806 },
    ]);
    expect(sendCloudErrorAnswer(50001, '').message).toBe('SendCloud answered statusCode 50001');
  });

  it('codes a non-200 HTTP answer HTTP.<status> with httpStatus: 429 throttled with Retry-After, 5xx transient, 4xx permanent', () => {
    const throttled = sendCloudHttpError(429, 'slow down', '3', 0);
    expect([throttled.code, throttled.httpStatus, throttled.kind, throttled.retryAfterMs]).toEqual(['HTTP.429', 429, 'throttled', 3000]);
    const down = sendCloudHttpError(502, '<html>bad gateway</html>', null, 0);
    expect([down.code, down.httpStatus, down.kind, down.retryAfterMs, down.context.body]).toEqual([
      'HTTP.502',
      502,
      'transient',
      undefined,
      '<html>bad gateway</html>',
    ]);
    const missing = sendCloudHttpError(404, '', null, 0);
    expect([missing.code, missing.kind]).toEqual(['HTTP.404', 'permanent']);
  });

  it('calls a 200 that is not the envelope Network.InvalidResponse, transient, keeping the cause', () => {
    const cause = new SyntaxError('bad');
    const err = sendCloudInvalidResponse('invalid JSON', '<html>', cause);
    expect([err.code, err.kind, err.cause, err.context]).toEqual(['Network.InvalidResponse', 'transient', cause, { httpStatus: 200, body: '<html>' }]);
  });

  it('calls what fetch throws transient Network errors naming SendCloud on a timeout', () => {
    const timeout = sendCloudNetworkError(Object.assign(new Error('t'), { name: 'TimeoutError' }), 250);
    expect([timeout.code, timeout.kind, timeout.message]).toEqual(['Network.Timeout', 'transient', 'SendCloud did not answer within 250 ms']);
    const reset = sendCloudNetworkError(new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }), 1);
    expect([reset.code, reset.kind]).toEqual(['Network.ECONNRESET', 'transient']);
  });
});
