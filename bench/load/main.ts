// pnpm bench:load [--duration S=10] [--rounds N=2] [--warmup S=2] [--connections C=32] [--pipelining P=1]
//                 [--driver auto|wrk|autocannon] [--worker] [--cpu-prof-dir DIR] [--api-bundle FILE.js]
//
// SendEmail throughput and latency of ONE API process: the built bundle apps/api/dist/main.js
// against a redis-server this bench starts (AOF everysec, as `npm start` runs it), driven over
// loopback by wrk (when installed; else autocannon) with distinct TC3-signed SendEmail requests
// (each its own recipient, signed before the phase, so replay protection never refuses one).
// API_RATE_LIMIT_PER_SECOND is 0 (no per-credential limit) for the bench: the limit would
// otherwise refuse all but 20/s. No
// worker runs unless --worker, so the figures are the API's alone. After the run, every returned
// MessageId is looked up in the store (and a sample through GetSendEmailStatus): nothing may be
// lost. Prints the targets with a verdict each, the figures behind them and one JSON line to
// stdout (progress goes to stderr); exits 1 on FAIL.
//
// Beside the API runs its floor (floor-server.ts, a process of its own on the same Redis): plain
// node:http, the same TC3 verification, JSON.parse and one Redis script per request. Each round
// drives the floor, then the API, with the same load; the report prints both, their ratios, and
// the target "API >= 0.6 of the floor".
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKeys, freePort, spawnRedisServer } from '@postmill/store';
import { Redis } from 'ioredis';
import { type BenchWorker, spawnBenchWorker } from '../campaign/worker-process.ts';
import { wrkAvailable } from './drive-wrk.ts';
import { spawnFloorServer, waitForHealth } from './floor-process.ts';
import { BenchUsageError, DEFAULT_API_BUNDLE, parseLoadOptions, USAGE } from './options.ts';
import { figuresOf, formatReport, jsonLine, judge } from './report.ts';
import { runLoadBench } from './run-load-bench.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const PREFIX = 'benchload';
const SECRET_ID = 'AKIDbenchload';
const SECRET_KEY = 'bench-load-secret-key';
const TIME_ZONE = 'Asia/Shanghai';
const log = (line: string) => process.stderr.write(`bench:load: ${line}\n`);

function readOptions(): ReturnType<typeof parseLoadOptions> {
  // `pnpm bench:load -- --duration 5` passes the separator through; it means nothing here.
  const argv = process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'));
  try {
    return parseLoadOptions(argv);
  } catch (err) {
    if (!(err instanceof BenchUsageError)) throw err;
    process.stderr.write(`${err.message}\n${USAGE}\n`);
    process.exit(2);
  }
}

function build(app: 'api' | 'worker'): void {
  const r = spawnSync(process.execPath, ['scripts/build-app.mjs', app], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`could not build apps/${app} (node scripts/build-app.mjs ${app})`);
}

async function main(): Promise<number> {
  const parsed = readOptions();
  const haveWrk = parsed.driver === 'autocannon' ? false : wrkAvailable();
  if (parsed.driver === 'wrk' && !haveWrk) {
    process.stderr.write('--driver wrk: wrk is not installed (Debian: apt-get install wrk)\n');
    return 2;
  }
  const driver = parsed.driver === 'auto' ? (haveWrk ? 'wrk' : 'autocannon') : parsed.driver;
  if (parsed.driver === 'auto' && !haveWrk) {
    log('wrk is not installed (Debian: apt-get install wrk); autocannon drives instead, in this process, and takes more of the CPU the API and Redis share');
  }
  const options = { ...parsed, driver };
  log(
    `${options.rounds} x (floor ${options.durationS} s, API ${options.durationS} s) (+${options.warmupS} s warm-up each), ${options.connections} connections x pipelining ${options.pipelining}, driven by ${driver}, ${options.worker ? 'one worker' : 'no worker'}`,
  );
  if (options.apiBundle === DEFAULT_API_BUNDLE) build('api');
  if (options.worker) build('worker');
  const dataDir = mkdtempSync(join(tmpdir(), 'postmill-bench-load-'));
  const server = await spawnRedisServer({ dataDir });
  const admin = new Redis(server.url, { connectionName: 'bench-load-admin', maxRetriesPerRequest: null });
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const common = { REDIS_URL: server.url, REDIS_PREFIX: PREFIX, POSTMILL_SECRET_KEY: SECRET_KEY, MAIL_TRANSPORT: 'null', SCHEDULE_TIMEZONE: TIME_ZONE };
    if (options.profileDir) mkdirSync(options.profileDir, { recursive: true });
    const api = spawnBenchWorker({
      cwd: repoRoot,
      bundle: options.apiBundle,
      nodeArgs: options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir] : [],
      env: { ...common, HOST: '127.0.0.1', PORT: String(port), POSTMILL_SECRET_ID: SECRET_ID, API_RATE_LIMIT_PER_SECOND: '0' },
    });
    cleanups.push(() => api.stop());
    let worker: BenchWorker | undefined;
    if (options.worker) {
      worker = spawnBenchWorker({
        cwd: repoRoot,
        bundle: 'apps/worker/dist/main.js',
        env: { ...common, SEND_RATE_PER_SECOND: '1000000000', WORKER_PORT: '0', LOG_LEVEL: 'warn' },
      });
      cleanups.push(() => worker?.stop() ?? Promise.resolve());
    }
    await waitForHealth(baseUrl, 'API', () => api.exited());
    log(`API ${api.pid} ready at ${baseUrl}${worker ? `, worker ${worker.pid}` : ''}`);
    const floor = await spawnFloorServer({ repoRoot, redisUrl: server.url, secretId: SECRET_ID, secretKey: SECRET_KEY });
    cleanups.push(() => floor.process.stop());
    log(`floor server ${floor.process.pid} ready at ${floor.baseUrl} (keys {${floor.prefix}})`);

    const observations = await runLoadBench(
      {
        baseUrl,
        secretId: SECRET_ID,
        secretKey: SECRET_KEY,
        redis: admin,
        keys: createKeys(PREFIX),
        timeZone: TIME_ZONE,
        apiPid: api.pid,
        ...(worker ? { workerPid: worker.pid } : {}),
        floor: { baseUrl: floor.baseUrl, pid: floor.process.pid },
      },
      options,
      log,
    );
    const stopped = await api.stop();
    if (stopped.killed) log('the API ignored SIGTERM and was killed');
    if (options.profileDir) log(`API CPU profile written to ${options.profileDir}`);

    const figures = figuresOf(observations);
    const judged = judge(figures);
    process.stdout.write(
      `\nSendEmail load: 1 API process, ${options.connections} connections x pipelining ${options.pipelining} (${driver}), ${options.rounds} x ${options.durationS} s (and as much on the floor, interleaved), ${options.worker ? 'one worker' : 'no worker'}, API_RATE_LIMIT_PER_SECOND=0\n`,
    );
    process.stdout.write(`${formatReport(figures, judged)}\n`);
    process.stdout.write(`${jsonLine(figures, judged)}\n`);
    const failed = judged.results.filter((r) => !r.pass).map((r) => r.target);
    process.stdout.write(`verdict: ${judged.verdict}${failed.length > 0 ? ` (failed: ${failed.join('; ')})` : ''}\n`);
    return judged.verdict === 'PASS' ? 0 : 1;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => log(`cleanup: ${String(err)}`));
    await admin.quit().catch(() => admin.disconnect());
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:load failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
