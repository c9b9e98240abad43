import { describe, expect, it } from 'vitest';
import { BenchUsageError, parseTrackingOptions } from './options.ts';

describe('parseTrackingOptions', () => {
  it('defaults to 10 s at 2,000/s after a 2 s warm-up over 32 connections, 5,000 messages, no profile', () => {
    expect(parseTrackingOptions([])).toEqual({ seconds: 10, ratePerSecond: 2000, warmupS: 2, connections: 32, messages: 5000, profileDir: undefined });
  });

  it('reads --seconds and --rate (after the `--` pnpm passes through) and the other flags', () => {
    expect(
      parseTrackingOptions(['--', '--seconds', '30', '--rate', '3000', '--warmup', '0', '--connections', '8', '--messages', '10', '--cpu-prof-dir', '/tmp/p']),
    ).toEqual({
      seconds: 30,
      ratePerSecond: 3000,
      warmupS: 0,
      connections: 8,
      messages: 10,
      profileDir: '/tmp/p',
    });
  });

  it('refuses a rate of 0, a fractional duration and an unknown flag with BenchUsageError', () => {
    expect(() => parseTrackingOptions(['--rate', '0'])).toThrow(BenchUsageError);
    expect(() => parseTrackingOptions(['--seconds', '1.5'])).toThrow(BenchUsageError);
    expect(() => parseTrackingOptions(['--duration', '5'])).toThrow(BenchUsageError);
  });
});
