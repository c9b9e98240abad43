// pnpm bench:status [--messages N=1000000] [--samples S=200] [--warmup W=300] [--redis-url URL]
//
// GetSendEmailStatus on a big day: fills one calendar day with N SendEmail messages (1 to 3
// recipients each, one in 20 also to a watched address) straight through MessageStore (pipelined
// script calls, no HTTP, in a worker thread), then times pages of Limit 100 by date at Offset 0, in
// the middle and on the last page, by ToEmailAddress (same three places) and by MessageId, at the
// store and through the real API over loopback, each kind after W untimed calls at each layer (a
// running API has compiled its hot paths long before). Every answer is checked against the rows the fill
// implies. Uses a redis-server it starts (or --redis-url, under a unique prefix it removes). Prints
// one line per figure (with the Redis commands one call sends), a verdict (target: every p99, store
// and api, ≤ 10 ms) and one JSON line; exits 1 on FAIL.
import { randomUUID } from 'node:crypto';
import { spawnRedisServer } from '@postmill/store';
import { Redis } from 'ioredis';
import { BenchUsageError, parseStatusBenchOptions, USAGE } from './options.ts';
import { formatReport, jsonLine, judge } from './report.ts';
import { runStatusBench } from './run-status-bench.ts';

const log = (line: string) => process.stderr.write(`bench:status: ${line}\n`);

function readOptions(): ReturnType<typeof parseStatusBenchOptions> {
  // `pnpm bench:status -- --messages 5` passes the separator through; it means nothing here.
  const argv = process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'));
  try {
    return parseStatusBenchOptions(argv);
  } catch (err) {
    if (!(err instanceof BenchUsageError)) throw err;
    process.stderr.write(`${err.message}\n${USAGE}\n`);
    process.exit(2);
  }
}

/** Deletes every key under a prefix (a given Redis is never flushed). */
async function deletePrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { connectionName: 'bench-status-cleanup' });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 10_000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<number> {
  const options = readOptions();
  const server = options.redisUrl ? undefined : await spawnRedisServer();
  const redisUrl = options.redisUrl ?? (server as { url: string }).url;
  const prefix = options.redisUrl ? `benchstatus-${randomUUID().slice(0, 8)}` : 'benchstatus';
  log(
    `${options.messages} messages, ${options.samples} samples per figure after ${options.warmup} warm-up calls, Redis ${options.redisUrl ? `${redisUrl} (prefix ${prefix})` : `spawned at ${redisUrl}`}`,
  );
  try {
    const result = await runStatusBench({ redisUrl, prefix, messages: options.messages, samples: options.samples, warmupCalls: options.warmup, log });
    process.stdout.write(formatReport(result));
    process.stdout.write(jsonLine(result));
    return judge(result).pass ? 0 : 1;
  } finally {
    if (options.redisUrl) await deletePrefix(redisUrl, prefix);
    await server?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:status: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
