import { describe, expect, it } from 'vitest';
import { BenchUsageError, parseBenchOptions } from './options.ts';

describe('parseBenchOptions', () => {
  it('defaults to 1,000,000 recipients in chunks of 50, concurrency 4, the null transport, the built worker, no profile, no heap cap', () => {
    expect(parseBenchOptions([])).toEqual({
      recipients: 1_000_000,
      chunkSize: 50,
      jobRecipients: 500,
      concurrency: 4,
      transport: 'null',
      profileDir: undefined,
      workerMaxOldSpaceMb: undefined,
      workerBundle: 'apps/worker/dist/main.js',
    });
  });

  it('reads every flag', () => {
    expect(
      parseBenchOptions([
        '--recipients',
        '50000',
        '--chunk',
        '100',
        '--concurrency',
        '8',
        '--transport',
        'outbox',
        '--cpu-prof-dir',
        '/tmp/p',
        '--worker-max-old-space-mb',
        '96',
        '--worker-bundle',
        'apps/worker/dist/main.js',
      ]),
    ).toEqual({
      recipients: 50_000,
      chunkSize: 100,
      jobRecipients: 500,
      concurrency: 8,
      transport: 'outbox',
      profileDir: '/tmp/p',
      workerMaxOldSpaceMb: 96,
      workerBundle: 'apps/worker/dist/main.js',
    });
  });

  it('rejects a count that is not a positive integer, an unknown transport and an unknown flag', () => {
    expect(() => parseBenchOptions(['--recipients', '0'])).toThrow(BenchUsageError);
    expect(() => parseBenchOptions(['--chunk', '2.5'])).toThrow(BenchUsageError);
    expect(() => parseBenchOptions(['--transport', 'smtp'])).toThrow(BenchUsageError);
    expect(() => parseBenchOptions(['--worker-max-old-space-mb', '0'])).toThrow(BenchUsageError);
    expect(() => parseBenchOptions(['--fast'])).toThrow(BenchUsageError);
  });
});
