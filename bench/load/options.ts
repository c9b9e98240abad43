import { parseArgs } from 'node:util';
import type { LoadDriver } from './load-record.ts';

/** What one bench run does; every field documents its default. */
export interface LoadOptions {
  /** Seconds of measured load per phase. Default 10. */
  readonly durationS: number;
  /**
   * Measured phases against each server, interleaved: floor, API, floor, API... (the floor server,
   * floor-server.ts, gets exactly the API's load shape). Default 2. The API's figures and targets
   * are over all its phases (latency: its worst phase's).
   */
  readonly rounds: number;
  /** Seconds of load before the measured run (same requests, not in the figures; its MessageIds are checked too). Default 2; 0 = none. */
  readonly warmupS: number;
  /** Concurrent HTTP connections (autocannon `connections`). Default 32. */
  readonly connections: number;
  /** Requests in flight per connection (autocannon `pipelining`; wrk drives 1 only). Default 1. */
  readonly pipelining: number;
  /**
   * The load generator. Default `auto`: wrk when it is installed (a C process of its own that takes
   * about a fifth of the CPU autocannon takes from the API and Redis on the same two cores),
   * else autocannon, in the bench process.
   */
  readonly driver: 'auto' | LoadDriver;
  /** Run one delivery worker (null transport) beside the API, as in production. Default off: the API alone. */
  readonly worker: boolean;
  /** When set, the API runs with `--cpu-prof` and writes its profile into this directory. Default none. */
  readonly profileDir: string | undefined;
  /**
   * The API entry run by plain `node`. Default `apps/api/dist/main.js`, built first; any other file
   * is run as it is (to compare two builds).
   */
  readonly apiBundle: string;
}

/** The API bundle the bench builds and runs by default. */
export const DEFAULT_API_BUNDLE = 'apps/api/dist/main.js';

/** Thrown for a bad command line; `main` prints the message and the usage. */
export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
  readonly code = 'BenchUsage';
}

export const USAGE =
  'usage: pnpm bench:load [--duration S=10] [--rounds N=2] [--warmup S=2] [--connections C=32] [--pipelining P=1] [--driver auto|wrk|autocannon] [--worker] [--cpu-prof-dir DIR] [--api-bundle FILE.js (default apps/api/dist/main.js, built first)]';

function integer(flag: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new BenchUsageError(`--${flag} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

/** Parses the bench's command line (without node and script). Guarantees every count is an integer in range. */
export function parseLoadOptions(argv: readonly string[]): LoadOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        duration: { type: 'string' },
        rounds: { type: 'string' },
        warmup: { type: 'string' },
        connections: { type: 'string' },
        pipelining: { type: 'string' },
        driver: { type: 'string' },
        worker: { type: 'boolean' },
        'cpu-prof-dir': { type: 'string' },
        'api-bundle': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new BenchUsageError((err as Error).message, { cause: err });
  }
  const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);
  const driver = str(values.driver) ?? 'auto';
  if (driver !== 'auto' && driver !== 'wrk' && driver !== 'autocannon') throw new BenchUsageError(`--driver must be auto, wrk or autocannon, got "${driver}"`);
  const pipelining = integer('pipelining', str(values.pipelining), 1, 1);
  if (driver === 'wrk' && pipelining > 1)
    throw new BenchUsageError('--pipelining above 1 needs --driver autocannon (wrk sends one request at a time per connection)');
  return {
    durationS: integer('duration', str(values.duration), 10, 1),
    rounds: integer('rounds', str(values.rounds), 2, 1),
    warmupS: integer('warmup', str(values.warmup), 2, 0),
    connections: integer('connections', str(values.connections), 32, 1),
    pipelining,
    driver: driver === 'auto' && pipelining > 1 ? 'autocannon' : driver,
    worker: values.worker === true,
    profileDir: str(values['cpu-prof-dir']),
    apiBundle: str(values['api-bundle']) ?? DEFAULT_API_BUNDLE,
  };
}
