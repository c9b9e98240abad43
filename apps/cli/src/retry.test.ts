import { describe, expect, it } from 'vitest';
import { ApiTransportError, TencentError } from './api-client.ts';
import { classifyFailure, retryDelayMs, withRetry } from './retry.ts';

const tencent = (code: string) => new TencentError('X', code, 'm', 'r');

describe('classifyFailure', () => {
  it('tells a busy list, throttling, transient and permanent failures apart', () => {
    expect(classifyFailure(tencent('OperationDenied.ReceiverIsOperating'))).toBe('busy');
    expect(classifyFailure(tencent('RequestLimitExceeded'))).toBe('throttled');
    expect(classifyFailure(tencent('RequestLimitExceeded.UinLimitExceeded'))).toBe('throttled');
    expect(classifyFailure(tencent('InternalError'))).toBe('transient');
    expect(classifyFailure(tencent('OperationDenied.ReceiverNotExist'))).toBe('permanent');
    expect(classifyFailure(new ApiTransportError('Cli.NetworkError', 'socket hang up'))).toBe('transient');
    expect(classifyFailure(new ApiTransportError('Cli.Timeout', 'slow'))).toBe('transient');
    expect(classifyFailure(new ApiTransportError('Cli.HttpStatus', '502', { status: 502 }))).toBe('transient');
    expect(classifyFailure(new ApiTransportError('Cli.HttpStatus', '429', { status: 429 }))).toBe('throttled');
    expect(classifyFailure(new ApiTransportError('Cli.HttpStatus', '404', { status: 404 }))).toBe('permanent');
    expect(classifyFailure(new ApiTransportError('Cli.BadResponse', 'html'))).toBe('permanent');
    expect(classifyFailure(new Error('bug'))).toBe('permanent');
  });

  it('calls a refused connection permanent when the endpoint never answered this client, and unsent (retried, nothing stored) when it had answered before', () => {
    expect(classifyFailure(new ApiTransportError('Cli.Unreachable', 'refused'))).toBe('permanent');
    expect(classifyFailure(new ApiTransportError('Cli.Unreachable', 'refused', { answeredBefore: true }))).toBe('unsent');
  });
});

describe('withRetry', () => {
  it('doubles the wait up to maxDelayMs, with ±20 % jitter', () => {
    expect([1, 2, 3, 4, 5].map((a) => retryDelayMs(a, { baseDelayMs: 100, maxDelayMs: 1000 }, () => 0.5))).toEqual([100, 200, 400, 800, 1000]);
    expect(retryDelayMs(1, { baseDelayMs: 100 }, () => 0)).toBe(80);
    expect(retryDelayMs(1, { baseDelayMs: 100 }, () => 1)).toBe(120);
  });

  it('gives up after maxAttempts and throws the last failure unchanged', async () => {
    let calls = 0;
    const last = tencent('RequestLimitExceeded');
    const run = withRetry(
      async () => {
        calls++;
        throw last;
      },
      { sleep: async () => undefined, options: { maxAttempts: 4 } },
    );
    await expect(run).rejects.toBe(last);
    expect(calls).toBe(4);
  });

  it('throws a permanent failure at once', async () => {
    let calls = 0;
    const run = withRetry(
      async () => {
        calls++;
        throw tencent('AuthFailure.SignatureFailure');
      },
      { sleep: async () => undefined },
    );
    await expect(run).rejects.toMatchObject({ code: 'AuthFailure.SignatureFailure' });
    expect(calls).toBe(1);
  });
});
