import { parseArgs } from 'node:util';

export const LIMITERS = ['postmill', 'bullmq'] as const;
export type LimiterName = (typeof LIMITERS)[number];

/** What one bench run does; every field documents its default. */
export interface BenchOptions {
  /** Messages (one recipient each, so one provider request each) per limiter. Default 2000. */
  readonly requests: number;
  /** The limit both limiters are configured with, in requests per second. Default 20. */
  readonly ratePerSecond: number;
  /** Worker processes per limiter. Default 4. */
  readonly workers: number;
  /** Jobs at once in each worker process. Default 8. */
  readonly concurrency: number;
  /** Limiters to run, in this order. Default both. */
  readonly limiters: readonly LimiterName[];
}

/** Thrown for a bad command line; `main` prints the message and the usage. */
export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
  readonly code = 'BenchUsage';
}

export const USAGE = 'usage: pnpm bench:limiter [--requests N=2000] [--rate R=20] [--workers W=4] [--concurrency C=8] [--only postmill|bullmq]';

function positiveInt(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new BenchUsageError(`--${flag} must be a positive integer, got "${raw}"`);
  return n;
}

/** Parses the bench's command line (without node and script). Guarantees every number is a positive integer. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        requests: { type: 'string' },
        rate: { type: 'string' },
        workers: { type: 'string' },
        concurrency: { type: 'string' },
        only: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new BenchUsageError((err as Error).message, { cause: err });
  }
  const only = values.only;
  if (only !== undefined && !(LIMITERS as readonly string[]).includes(only)) {
    throw new BenchUsageError(`--only must be one of ${LIMITERS.join(', ')}, got "${only}"`);
  }
  return {
    requests: positiveInt('requests', values.requests, 2000),
    ratePerSecond: positiveInt('rate', values.rate, 20),
    workers: positiveInt('workers', values.workers, 4),
    concurrency: positiveInt('concurrency', values.concurrency, 8),
    limiters: only === undefined ? LIMITERS : [only as LimiterName],
  };
}
