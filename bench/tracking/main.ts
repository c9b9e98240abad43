// pnpm bench:tracking [--seconds S=10] [--rate R=2000] [--warmup S=2] [--connections C=32]
//                     [--messages M=5000] [--cpu-prof-dir DIR]
//
// The open pixel and click redirect (GET /t/o/<token>, /t/c/<token>) of ONE API process
// (apps/api/src/main.ts under tsx) against a redis-server this bench starts, driven over
// loopback by wrk at a FIXED rate (wrk-fixed-rate.lua paces wrk to a schedule) with a pool of valid
// signed tokens of many messages, recipients and links (opens and clicks, repeated hits, some
// machine User-Agents). Prints the achieved rate, p50/p99/max, errors, the API's CPU and Redis
// commands per request, the load average, and PASS/FAIL against issue 16's "p99 <= 5 ms at
// 2,000/s"; then one JSON line. After the run, the counters in Redis must hold every fetch that
// was answered (and no more than were sent). Progress goes to stderr; exits 1 on FAIL.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '@postmill/config';
import { trackingSecret } from '@postmill/runtime';
import { createKeys, freePort, spawnRedisServer, TrackingStore } from '@postmill/store';
import { Redis } from 'ioredis';
import { spawnBenchWorker } from '../campaign/worker-process.ts';
import { wrkAvailable } from '../load/drive-wrk.ts';
import { waitForHealth } from '../load/floor-process.ts';
import { BenchUsageError, parseTrackingOptions, USAGE } from './options.ts';
import { recordedHits } from './recorded-hits.ts';
import { figuresOf, formatReport, jsonLine, verdictOf } from './report.ts';
import { runTrackingBench } from './run-tracking-bench.ts';
import { benchMessageIds, trackingHits } from './tracking-hits.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const PREFIX = 'benchtracking';
const SECRET_ID = 'AKIDbenchtracking';
const SECRET_KEY = 'bench-tracking-secret-key';
const log = (line: string) => process.stderr.write(`bench:tracking: ${line}\n`);

function readOptions(): ReturnType<typeof parseTrackingOptions> {
  try {
    return parseTrackingOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof BenchUsageError)) throw err;
    process.stderr.write(`${err.message}\n${USAGE}\n`);
    process.exit(2);
  }
}

async function main(): Promise<number> {
  const options = readOptions();
  if (!wrkAvailable()) {
    process.stderr.write('wrk is not installed (Debian: apt-get install wrk); it drives this bench at a fixed rate\n');
    return 2;
  }
  const env = { REDIS_PREFIX: PREFIX, POSTMILL_SECRET_ID: SECRET_ID, POSTMILL_SECRET_KEY: SECRET_KEY, MAIL_TRANSPORT: 'null' };
  const secret = trackingSecret(parseConfig(env));
  log(`signing ${options.messages} messages' tokens`);
  const hits = trackingHits({ secret, messages: options.messages });

  const dataDir = mkdtempSync(join(tmpdir(), 'postmill-bench-tracking-'));
  const server = await spawnRedisServer({ dataDir });
  const admin = new Redis(server.url, { connectionName: 'bench-tracking-admin', maxRetriesPerRequest: null });
  try {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    if (options.profileDir) mkdirSync(options.profileDir, { recursive: true });
    const api = spawnBenchWorker({
      cwd: repoRoot,
      // From source (tsx), not the bundle bench:load runs: apps/api/dist/main.js cannot load
      // htmlparser2 (a dependency of @postmill/core that apps/api does not list) since tracking landed.
      bundle: 'apps/api/src/main.ts',
      nodeArgs: [...(options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir] : []), '--import', 'tsx'],
      env: { ...env, REDIS_URL: server.url, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' },
    });
    try {
      await waitForHealth(baseUrl, 'API', () => api.exited());
      log(`API ${api.pid} ready at ${baseUrl}`);
      const run = await runTrackingBench({ baseUrl, apiPid: api.pid, redis: admin, hits }, options, log);
      const recorded = await recordedHits(new TrackingStore({ redis: admin, keys: createKeys(PREFIX) }), benchMessageIds(options.messages));
      const figures = figuresOf(run.observation);
      process.stdout.write(
        `\nTracking endpoints: 1 API process, wrk at a fixed ${options.ratePerSecond}/s over ${options.connections} connections, ${options.seconds} s (+${options.warmupS} s warm-up), ${hits.length} fetches of ${options.messages} messages\n`,
      );
      process.stdout.write(`${formatReport(figures)}\n`);
      const countedAll = recorded >= run.okInAll && recorded <= run.sentInAll;
      process.stdout.write(
        `counters          | ${recorded} fetches counted, ${run.okInAll} answered 2xx/3xx, ${run.sentInAll} sent (warm-up included): ${countedAll ? 'none lost' : 'MISMATCH'}\n`,
      );
      process.stdout.write(`${jsonLine(figures)}\n`);
      if (options.profileDir) log(`API CPU profile written to ${options.profileDir} (once it exits)`);
      return verdictOf(figures).pass && countedAll ? 0 : 1;
    } finally {
      await api.stop();
    }
  } finally {
    await admin.quit().catch(() => admin.disconnect());
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:tracking failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
