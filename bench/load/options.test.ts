import { describe, expect, it } from 'vitest';
import { BenchUsageError, parseLoadOptions } from './options.ts';

describe('parseLoadOptions', () => {
  it('defaults to 2 rounds of 10 s per server after a 2 s warm-up, 32 connections, no pipelining, wrk if installed, no worker, no profile, the built API bundle', () => {
    expect(parseLoadOptions([])).toEqual({
      durationS: 10,
      rounds: 2,
      warmupS: 2,
      connections: 32,
      pipelining: 1,
      driver: 'auto',
      worker: false,
      profileDir: undefined,
      apiBundle: 'apps/api/dist/main.js',
    });
  });

  it('reads every flag', () => {
    expect(
      parseLoadOptions([
        '--duration',
        '30',
        '--rounds',
        '5',
        '--warmup',
        '0',
        '--connections',
        '64',
        '--pipelining',
        '4',
        '--worker',
        '--cpu-prof-dir',
        '/tmp/p',
        '--api-bundle',
        'x.js',
      ]),
    ).toEqual({
      durationS: 30,
      rounds: 5,
      warmupS: 0,
      connections: 64,
      pipelining: 4,
      driver: 'autocannon',
      worker: true,
      profileDir: '/tmp/p',
      apiBundle: 'x.js',
    });
    expect(parseLoadOptions(['--driver', 'wrk']).driver).toBe('wrk');
    expect(parseLoadOptions(['--driver', 'autocannon']).driver).toBe('autocannon');
  });

  it('refuses an unknown driver, and pipelining with wrk (which sends one request at a time per connection)', () => {
    expect(() => parseLoadOptions(['--driver', 'ab'])).toThrow(BenchUsageError);
    expect(() => parseLoadOptions(['--driver', 'wrk', '--pipelining', '2'])).toThrow(/needs --driver autocannon/u);
  });

  it('refuses counts out of range and unknown flags', () => {
    expect(() => parseLoadOptions(['--duration', '0'])).toThrow(BenchUsageError);
    expect(() => parseLoadOptions(['--rounds', '0'])).toThrow(BenchUsageError);
    expect(() => parseLoadOptions(['--connections', '2.5'])).toThrow(BenchUsageError);
    expect(() => parseLoadOptions(['--warmup', '-1'])).toThrow(BenchUsageError);
    expect(() => parseLoadOptions(['--fast'])).toThrow(BenchUsageError);
  });
});
