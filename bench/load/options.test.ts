import { describe, expect, it } from 'vitest';
import { BenchUsageError, parseLoadOptions } from './options.ts';

describe('parseLoadOptions', () => {
  it('defaults to 10 s after a 2 s warm-up, 32 connections, no pipelining, no worker, no profile, the built API bundle', () => {
    expect(parseLoadOptions([])).toEqual({
      durationS: 10,
      warmupS: 2,
      connections: 32,
      pipelining: 1,
      worker: false,
      profileDir: undefined,
      apiBundle: 'apps/api/dist/main.js',
    });
  });

  it('reads every flag', () => {
    expect(
      parseLoadOptions(['--duration', '30', '--warmup', '0', '--connections', '64', '--pipelining', '4', '--worker', '--cpu-prof-dir', '/tmp/p', '--api-bundle', 'x.js']),
    ).toEqual({ durationS: 30, warmupS: 0, connections: 64, pipelining: 4, worker: true, profileDir: '/tmp/p', apiBundle: 'x.js' });
  });

  it('refuses counts out of range and unknown flags', () => {
    expect(() => parseLoadOptions(['--duration', '0'])).toThrow(BenchUsageError);
    expect(() => parseLoadOptions(['--connections', '2.5'])).toThrow(BenchUsageError);
    expect(() => parseLoadOptions(['--warmup', '-1'])).toThrow(BenchUsageError);
    expect(() => parseLoadOptions(['--fast'])).toThrow(BenchUsageError);
  });
});
