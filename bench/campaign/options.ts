import { parseArgs } from 'node:util';

export const TRANSPORTS = ['null', 'outbox'] as const;
export type BenchTransport = (typeof TRANSPORTS)[number];

/** What one bench run does; every field documents its default. */
export interface BenchOptions {
  /** Recipients in the list (and in the campaign's one run). Default 1 000 000. */
  readonly recipients: number;
  /** SEND_CHUNK_SIZE of the worker: most recipients per provider request. Default 50. */
  readonly chunkSize: number;
  /** CAMPAIGN_JOB_RECIPIENTS of the worker: recipients per chunk job. Default 500 (the worker's default). */
  readonly jobRecipients: number;
  /**
   * WORKER_CONCURRENCY of the worker: chunk jobs at once. Default 4, which measured best on the
   * 2-core machine (16 and 8 spend more on GC and promise bookkeeping for no more throughput).
   */
  readonly concurrency: number;
  /** MAIL_TRANSPORT of the worker. Default null (accepts everything; the ledger is still written). */
  readonly transport: BenchTransport;
  /** When set, the worker runs with `--cpu-prof` and writes its profile into this directory. Default none. */
  readonly profileDir: string | undefined;
  /**
   * When set, the worker runs with `--max-old-space-size` of this many MB, to see what a heap cap
   * does to peak RSS and rate. Default none: V8's own sizing, as `pnpm start:worker` runs it.
   */
  readonly workerMaxOldSpaceMb: number | undefined;
  /**
   * When set, the worker is this built JavaScript file run by plain `node` (e.g. apps/worker/dist/main.js
   * from `pnpm build`, as `pnpm --filter @postmill/app-worker start` runs it) instead of the
   * TypeScript entry point under tsx. Default none: `node --import tsx apps/worker/src/main.ts`.
   */
  /** The worker entry to run with node; default the built bundle apps/worker/dist/main.js. */
  readonly workerBundle: string | undefined;
}

/** Thrown for a bad command line; `main` prints the message and the usage. */
export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
  readonly code = 'BenchUsage';
}

export const USAGE =
  'usage: pnpm bench:campaign [--recipients N=1000000] [--chunk 50] [--job-recipients 500] [--concurrency C=4] [--transport null|outbox] [--cpu-prof-dir DIR] [--worker-max-old-space-mb MB] [--worker-bundle FILE.js (default apps/worker/dist/main.js, built first)]';

function positiveInt(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new BenchUsageError(`--${flag} must be a positive integer, got "${raw}"`);
  return n;
}

/** Parses the bench's command line (without node and script). Guarantees every count is a positive integer. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        recipients: { type: 'string' },
        chunk: { type: 'string' },
        'job-recipients': { type: 'string' },
        concurrency: { type: 'string' },
        transport: { type: 'string' },
        'cpu-prof-dir': { type: 'string' },
        'worker-max-old-space-mb': { type: 'string' },
        'worker-bundle': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new BenchUsageError((err as Error).message, { cause: err });
  }
  const transport = values.transport ?? 'null';
  if (!(TRANSPORTS as readonly string[]).includes(transport)) {
    throw new BenchUsageError(`--transport must be one of ${TRANSPORTS.join(', ')}, got "${transport}"`);
  }
  return {
    recipients: positiveInt('recipients', values.recipients, 1_000_000),
    chunkSize: positiveInt('chunk', values.chunk, 50),
    jobRecipients: positiveInt('job-recipients', values['job-recipients'], 500),
    concurrency: positiveInt('concurrency', values.concurrency, 4),
    transport: transport as BenchTransport,
    profileDir: values['cpu-prof-dir'],
    workerMaxOldSpaceMb:
      values['worker-max-old-space-mb'] === undefined ? undefined : positiveInt('worker-max-old-space-mb', values['worker-max-old-space-mb'], 0),
    // Default: the built worker (pnpm build), the artifact production runs; `--worker-bundle` picks another.
    workerBundle: values['worker-bundle'] ?? 'apps/worker/dist/main.js',
  };
}
