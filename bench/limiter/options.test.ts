import { describe, expect, it } from 'vitest';
import { BenchUsageError, parseBenchOptions } from './options.ts';

describe('parseBenchOptions', () => {
  it('defaults to 2000 requests at 20/s over 4 workers of concurrency 8, both limiters', () => {
    expect(parseBenchOptions([])).toEqual({ requests: 2000, ratePerSecond: 20, workers: 4, concurrency: 8, limiters: ['postmill', 'bullmq'] });
  });

  it('reads every flag', () => {
    expect(parseBenchOptions(['--requests', '200', '--rate', '5', '--workers', '2', '--concurrency', '3', '--only', 'bullmq'])).toEqual({
      requests: 200,
      ratePerSecond: 5,
      workers: 2,
      concurrency: 3,
      limiters: ['bullmq'],
    });
  });

  it('rejects a count that is not a positive integer', () => {
    expect(() => parseBenchOptions(['--requests', '0'])).toThrow(BenchUsageError);
    expect(() => parseBenchOptions(['--rate', '2.5'])).toThrow(BenchUsageError);
  });

  it('rejects an unknown limiter and an unknown flag', () => {
    expect(() => parseBenchOptions(['--only', 'redis'])).toThrow(BenchUsageError);
    expect(() => parseBenchOptions(['--fast'])).toThrow(BenchUsageError);
  });
});
