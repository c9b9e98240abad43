import { parseArgs } from 'node:util';

/** What one bench run does; every field documents its default. */
export interface StatusBenchOptions {
  /** SendEmail messages indexed under the day (1 to 3 recipients each). Default 1 000 000. */
  readonly messages: number;
  /** Timed calls per query kind. Default 200. */
  readonly samples: number;
  /** Untimed calls of each query kind at each layer before its timed ones (see WARMUP_CALLS). Default 300. */
  readonly warmup: number;
  /** A Redis to use (a unique key prefix, removed afterwards) instead of a redis-server the bench starts. Default: start one. */
  readonly redisUrl: string | undefined;
}

/** Thrown for a bad command line; `main` prints the message and the usage. */
export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
  readonly code = 'BenchUsage';
}

export const USAGE = 'usage: pnpm bench:status [--messages N=1000000] [--samples S=200] [--warmup W=300] [--redis-url redis://host:port]';

function positiveInt(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new BenchUsageError(`--${flag} must be a positive integer, got "${raw}"`);
  return n;
}

/** Parses the bench's command line (without node and script). Guarantees positive integer counts. */
export function parseStatusBenchOptions(argv: readonly string[]): StatusBenchOptions {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { messages: { type: 'string' }, samples: { type: 'string' }, warmup: { type: 'string' }, 'redis-url': { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new BenchUsageError((err as Error).message, { cause: err });
  }
  return {
    messages: positiveInt('messages', values.messages, 1_000_000),
    samples: positiveInt('samples', values.samples, 200),
    warmup: positiveInt('warmup', values.warmup, 300),
    redisUrl: values['redis-url'],
  };
}
