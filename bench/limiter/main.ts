import { spawnSync } from 'node:child_process';
// pnpm bench:limiter [--requests N] [--rate R] [--workers W] [--concurrency C] [--only postmill|bullmq]
//
// Measures how evenly Postmill's shared reservation limiter spreads provider requests over W
// worker processes, both where they arrive (a fake Tencent SES) and where they start (each
// worker's fetch, recorded by record-send-starts.mjs), next to BullMQ's fixed-window limiter.
// Prints a table, one JSON line and a verdict to stdout (progress goes to stderr); exits 1 on FAIL.
import { fileURLToPath } from 'node:url';
import { spawnRedisServer } from '@postmill/store';
import type { RunRecord } from './drive-workers.ts';
import { BenchUsageError, type LimiterName, parseBenchOptions, USAGE } from './options.ts';
import { figuresOf, formatTable, judge, type LimiterFigures } from './report.ts';
import { runBullmq } from './run-bullmq.ts';
import { runPostmill } from './run-postmill.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

function readOptions(): ReturnType<typeof parseBenchOptions> {
  // `pnpm bench:limiter -- --rate 5` passes the separator through; it means nothing here.
  const argv = process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'));
  try {
    return parseBenchOptions(argv);
  } catch (err) {
    if (!(err instanceof BenchUsageError)) throw err;
    process.stderr.write(`${err.message}\n${USAGE}\n`);
    process.exit(2);
  }
}

const round = (x: number | null, digits: number): number | null => (x === null ? null : Number(x.toFixed(digits)));

async function main(): Promise<number> {
  const options = readOptions();
  const { requests, ratePerSecond, workers, concurrency } = options;
  // Time for the workers to deliver everything: the ideal duration plus half again, plus startup.
  const timeoutMs = ((requests / ratePerSecond) * 1.5 + 30) * 1000;
  process.stderr.write(
    `bench:limiter: ${requests} requests at ${ratePerSecond}/s, ${workers} workers x concurrency ${concurrency}, limiters ${options.limiters.join(', ')} (timeout ${(timeoutMs / 1000).toFixed(0)} s each)\n`,
  );
  // Postmill's workers run the built bundle, as in production: build it first (about a second).
  const build = spawnSync(process.execPath, ['scripts/build-app.mjs', 'worker'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error('could not build apps/worker (node scripts/build-app.mjs worker)');
  const redis = await spawnRedisServer();
  const figures: LimiterFigures[] = [];
  try {
    const runners: Record<LimiterName, () => Promise<RunRecord>> = {
      postmill: () => runPostmill({ redisUrl: redis.url, repoRoot, options, timeoutMs }),
      bullmq: () => runBullmq({ redisUrl: redis.url, repoRoot, options, timeoutMs }),
    };
    for (const limiter of options.limiters) {
      const run = await runners[limiter]();
      if (run.killedWorkers > 0) process.stderr.write(`${limiter}: ${run.killedWorkers} worker(s) ignored SIGTERM and were killed\n`);
      figures.push(figuresOf(limiter, run, { expected: requests, ratePerSecond }));
    }
  } finally {
    await redis.stop();
  }

  const verdict = judge(
    figures.find((f) => f.limiter === 'postmill'),
    ratePerSecond,
  );
  const json = {
    bench: 'limiter',
    requests,
    ratePerSecond,
    workers,
    concurrency,
    results: figures.map((f) => ({
      ...f,
      maxWindowAtS: round(f.maxWindowAtS, 3),
      meanRatePerSecond: round(f.meanRatePerSecond, 3),
      percentOfLimit: round(f.percentOfLimit, 2),
      durationS: round(f.durationS, 3),
    })),
    verdict: verdict.verdict,
    reasons: verdict.reasons,
  };
  process.stdout.write(`\nlimit ${ratePerSecond}/s, ${requests} requests, ${workers} workers x concurrency ${concurrency}\n`);
  process.stdout.write(`${formatTable(figures)}\n`);
  process.stdout.write(`${JSON.stringify(json)}\n`);
  const why = verdict.reasons.length > 0 ? `: ${verdict.reasons.join('; ')}` : '';
  process.stdout.write(
    `verdict: ${verdict.verdict} (postmill: at most ${ratePerSecond} arrivals and ${ratePerSecond} send starts in any 1 s, mean >= 97 % of limit)${why}\n`,
  );
  return verdict.verdict === 'FAIL' ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:limiter failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
