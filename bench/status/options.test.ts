import { describe, expect, it } from 'vitest';
import { BenchUsageError, parseStatusBenchOptions } from './options.ts';

describe('bench:status options', () => {
  it('defaults to a million messages, 200 samples per query after 300 warm-up calls, and a Redis of its own', () => {
    expect(parseStatusBenchOptions([])).toEqual({ messages: 1_000_000, samples: 200, warmup: 300, redisUrl: undefined });
  });

  it('reads every flag', () => {
    expect(parseStatusBenchOptions(['--messages', '2000', '--samples', '5', '--warmup', '7', '--redis-url', 'redis://127.0.0.1:6390'])).toEqual({
      messages: 2000,
      samples: 5,
      warmup: 7,
      redisUrl: 'redis://127.0.0.1:6390',
    });
  });

  it('refuses a count that is not a positive integer, and an unknown flag', () => {
    for (const argv of [
      ['--messages', '0'],
      ['--samples', '1.5'],
      ['--warmup', '-1'],
      ['--messages', 'many'],
      ['--rows', '3'],
    ]) {
      expect(() => parseStatusBenchOptions(argv), argv.join(' ')).toThrow(BenchUsageError);
    }
  });
});
