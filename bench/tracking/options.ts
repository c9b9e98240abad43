import { parseArgs } from 'node:util';
import type { TrackingRunOptions } from './run-tracking-bench.ts';

/** What `pnpm bench:tracking` does; every field documents its default. */
export interface TrackingBenchOptions extends TrackingRunOptions {
  /** Seconds of measured load. Default 10. */
  readonly seconds: number;
  /** Requests per second, fixed (the target's rate). Default 2000. */
  readonly ratePerSecond: number;
  /** Seconds of load before the measured run, same rate, not in the figures. Default 2; 0 = none. */
  readonly warmupS: number;
  /** wrk connections (enough that a free one is always there for the next slot). Default 32. */
  readonly connections: number;
  /** Distinct messages the fetches are drawn from. Default 5000. */
  readonly messages: number;
  /** When set, the API runs with `--cpu-prof` and writes its profile into this directory. Default none. */
  readonly profileDir: string | undefined;
}

/** Thrown for a bad command line; `main` prints the message and the usage. */
export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
  readonly code = 'BenchUsage';
}

export const USAGE = 'usage: pnpm bench:tracking [--seconds S=10] [--rate R=2000] [--warmup S=2] [--connections C=32] [--messages M=5000] [--cpu-prof-dir DIR]';

function integer(flag: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new BenchUsageError(`--${flag} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

/** Parses the bench's command line (without node and script; a leading `--` is ignored). Guarantees every count is an integer in range. */
export function parseTrackingOptions(argv: readonly string[]): TrackingBenchOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv.filter((a, i) => !(i === 0 && a === '--')),
      options: {
        seconds: { type: 'string' },
        rate: { type: 'string' },
        warmup: { type: 'string' },
        connections: { type: 'string' },
        messages: { type: 'string' },
        'cpu-prof-dir': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new BenchUsageError((err as Error).message, { cause: err });
  }
  const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);
  return {
    seconds: integer('seconds', str(values.seconds), 10, 1),
    ratePerSecond: integer('rate', str(values.rate), 2000, 1),
    warmupS: integer('warmup', str(values.warmup), 2, 0),
    connections: integer('connections', str(values.connections), 32, 1),
    messages: integer('messages', str(values.messages), 5000, 1),
    profileDir: str(values['cpu-prof-dir']),
  };
}
