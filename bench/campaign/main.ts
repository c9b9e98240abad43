// pnpm bench:campaign [--recipients N] [--chunk 50] [--job-recipients 500] [--concurrency C] [--transport null|outbox] [--cpu-prof-dir DIR]
//                     [--worker-max-old-space-mb MB] [--worker-bundle FILE.js]
//
// One campaign end to end on its own redis-server: the real API (in this process) creates a
// sender, a template and a list of N recipients uploaded 20 000 at a time; ONE real worker process
// (apps/worker) with the rate limit lifted sends a TaskType 2 task to the null (or outbox)
// transport. Prints the targets of the issue with a verdict each, the figures behind them and one
// JSON line to stdout (progress goes to stderr); exits 1 on FAIL.
//
// Beside the worker run its floors (floor-loop.ts, each pass a process of its own on the same
// Redis, keys under a prefix of their own, deleted after): Postmill's own list reads and run-ledger
// script, 8 chunks in flight over the same list, with and without three template renders and an
// unsubscribe token per recipient; once before the worker starts and once after it stopped. The
// report prints both floors, the worker's rate and the ratios.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createKeys, spawnRedisServer } from '@postmill/store';
import { Redis } from 'ioredis';
import { BENCH_SECRET_KEY, CAMPAIGN_BENCH_PREFIX, startBenchApi } from './bench-api.ts';
import { probeFirstWrite } from './first-write-probe.ts';
import { type CampaignFloorResult, FLOOR_CHUNKS_IN_FLIGHT, FLOOR_VARIANTS } from './floor-loop.ts';
import { runFloorPass } from './floor-pass.ts';
import { campaignFloorJson, compareCampaignWithFloor, formatCampaignFloor } from './floor-report.ts';
import { BENCH_SENDER, BENCH_TEMPLATE_HTML, BENCH_TEMPLATE_TEXT, setUpSender, uploadList } from './load-list.ts';
import { BenchUsageError, parseBenchOptions, USAGE } from './options.ts';
import { readMachineCpu, readProcCpuSeconds, readProcMemory, sampleRss } from './proc-stats.ts';
import { globLiteral, memoryOfKeys, redisSnapshot, scanKeys } from './redis-figures.ts';
import { figuresOf, formatReport, judge } from './report.ts';
import { awaitCampaign, BENCH_SUBJECT, benchBeginAt, createTimedTask } from './run-campaign.ts';
import { speedProbeMs } from './speed-probe.ts';
import { spawnBenchWorker } from './worker-process.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const TIME_ZONE = 'Asia/Shanghai';
/** How long the worker may take to connect its queues. */
const WORKER_READY_TIMEOUT_MS = 30_000;

function readOptions(): ReturnType<typeof parseBenchOptions> {
  // `pnpm bench:campaign -- --recipients 5` passes the separator through; it means nothing here.
  const argv = process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'));
  try {
    return parseBenchOptions(argv);
  } catch (err) {
    if (!(err instanceof BenchUsageError)) throw err;
    process.stderr.write(`${err.message}\n${USAGE}\n`);
    process.exit(2);
  }
}

const heapNote = (o: { workerMaxOldSpaceMb: number | undefined; workerBundle: string | undefined }) =>
  `${o.workerMaxOldSpaceMb ? `, worker --max-old-space-size=${o.workerMaxOldSpaceMb}` : ''}${o.workerBundle ? `, worker bundle ${o.workerBundle}` : ''}`;
const log = (line: string) => process.stderr.write(`bench:campaign: ${line}\n`);

async function main(): Promise<number> {
  const options = readOptions();
  const n = options.recipients;
  log(
    `${n} recipients, chunk ${options.chunkSize}, jobs of ${options.jobRecipients}, 1 worker x concurrency ${options.concurrency}, transport ${options.transport}${heapNote(options)}`,
  );
  if (options.workerBundle === 'apps/worker/dist/main.js') {
    // The default worker is the built bundle: build it first (about a second).
    const build = spawnSync(process.execPath, ['scripts/build-app.mjs', 'worker'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
    if (build.status !== 0) throw new Error('could not build apps/worker (node scripts/build-app.mjs worker)');
  }
  const server = await spawnRedisServer();
  const admin = new Redis(server.url, { connectionName: 'bench-campaign-admin', maxRetriesPerRequest: null });
  const keys = createKeys(CAMPAIGN_BENCH_PREFIX);
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const api = await startBenchApi({ redisUrl: server.url, maxListSize: Math.max(n, 50_000) });
    cleanups.push(() => api.close());

    // 1. The list, loaded the real way; its memory measured before anything runs.
    const templateId = await setUpSender(api);
    const beforeUpload = await redisSnapshot(admin);
    const uploadStart = performance.now();
    let lastLogged = 0;
    const receiverId = await uploadList(api, n, (done) => {
      if (done - lastLogged >= 200_000 || done === n) {
        lastLogged = done;
        log(`uploaded ${done}/${n}`);
      }
    });
    const uploadS = (performance.now() - uploadStart) / 1000;
    const afterUpload = await redisSnapshot(admin);
    const listKeys = await scanKeys(admin, `${globLiteral(keys.receiverMeta(receiverId).replace(/meta$/u, ''))}*`);
    const list = await memoryOfKeys(admin, listKeys);
    log(`list ${receiverId}: ${listKeys.length} keys, ${(list.bytes / n).toFixed(1)} B/recipient, uploaded in ${uploadS.toFixed(1)} s`);

    // The floors, before the worker exists (and again once it has stopped).
    const floorPasses: CampaignFloorResult[] = [];
    const runFloors = async (when: string) => {
      for (const variant of FLOOR_VARIANTS) {
        const pass = await runFloorPass(repoRoot, {
          redisUrl: server.url,
          listPrefix: CAMPAIGN_BENCH_PREFIX,
          receiverId,
          recipients: n,
          chunkSize: options.chunkSize,
          inFlight: FLOOR_CHUNKS_IN_FLIGHT,
          variant,
          content: { sender: BENCH_SENDER, subject: BENCH_SUBJECT, html: BENCH_TEMPLATE_HTML, text: BENCH_TEMPLATE_TEXT, unsubscribeSecret: BENCH_SECRET_KEY },
          prefix: `${CAMPAIGN_BENCH_PREFIX}-floor-${floorPasses.length + 1}`,
        });
        floorPasses.push(pass);
        log(`floor ${variant} ${when} the campaign: ${pass.recipientsPerSecond.toFixed(0)} recipients/s (${pass.recorded}/${n} recorded)`);
      }
    };
    await runFloors('before');

    // 2. One worker process, rate limit lifted; its memory sampled from its start.
    if (options.profileDir) mkdirSync(options.profileDir, { recursive: true });
    const worker = spawnBenchWorker({
      cwd: repoRoot,
      bundle: options.workerBundle,
      nodeArgs: [
        ...(options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir] : []),
        ...(options.workerMaxOldSpaceMb ? [`--max-old-space-size=${options.workerMaxOldSpaceMb}`] : []),
      ],
      env: {
        REDIS_URL: server.url,
        REDIS_PREFIX: CAMPAIGN_BENCH_PREFIX,
        MAIL_TRANSPORT: options.transport,
        SEND_RATE_PER_SECOND: '1000000000',
        SEND_CHUNK_SIZE: String(options.chunkSize),
        CAMPAIGN_JOB_RECIPIENTS: String(options.jobRecipients),
        WORKER_CONCURRENCY: String(options.concurrency),
        POSTMILL_SECRET_KEY: BENCH_SECRET_KEY,
        LOG_LEVEL: 'warn',
      },
    });
    cleanups.push(() => worker.stop());
    const rss = sampleRss(worker.pid, 200);
    cleanups.push(() => rss.stop());
    const readyBy = Date.now() + WORKER_READY_TIMEOUT_MS;
    while ((await api.shared.queue.getWorkersCount()) < 1 || (await api.shared.campaignQueue.getWorkersCount()) < 1) {
      if (worker.exited()) throw new Error('the worker exited before it was ready');
      if (Date.now() > readyBy) throw new Error(`the worker was not ready within ${WORKER_READY_TIMEOUT_MS} ms`);
      await sleep(50);
    }
    await sleep(500); // let start-up allocation settle before reading the idle figure
    const idleRssKb = (await readProcMemory(worker.pid))?.rssKb ?? 0;
    log(`worker ${worker.pid} ready, RSS ${(idleRssKb / 1024).toFixed(1)} MB`);

    const speedBeforeMs = speedProbeMs();
    // 3. The timed task; the probe on its run's ledger is armed before BeginTime.
    const beginAtMs = benchBeginAt(Date.now());
    const taskId = await createTimedTask(api, { receiverId, templateId, beginAtMs, timeZone: TIME_ZONE });
    const probe = await probeFirstWrite({ admin, subscriber: admin.duplicate({ connectionName: 'bench-campaign-probe' }), key: keys.runStates(taskId, 1) });
    cleanups.push(() => probe.close());
    log(`task ${taskId} created, BeginTime ${new Date(beginAtMs).toISOString()} (in ${beginAtMs - Date.now()} ms)`);
    await sleep(Math.max(0, beginAtMs - Date.now()));
    const cpuAtBegin = (await readProcCpuSeconds(worker.pid)) ?? 0;
    const redisAtBegin = await redisSnapshot(admin);
    const machineAtBegin = await readMachineCpu();
    const selfAtBegin = process.cpuUsage();

    const run = await awaitCampaign({
      api,
      taskId,
      beginAtMs,
      timeoutMs: 60_000 + n,
      workerExited: () => worker.exited(),
      readRun: () => admin.hgetall(keys.taskRun(taskId, 1)),
    });
    const measuredUntilMs = Date.now();
    const cpuAtEnd = (await readProcCpuSeconds(worker.pid)) ?? cpuAtBegin;
    const redisAtEnd = await redisSnapshot(admin);
    const machineAtEnd = await readMachineCpu();
    const selfCpu = process.cpuUsage(selfAtBegin);
    const rssPeak = await rss.stop();
    await probe.close();
    const speedAfterMs = speedProbeMs();
    log(`run ended: ${run.end}, ${run.sent}/${n} sent`);

    // 4. The ledger of the run, and what the queues kept.
    const ledger = await memoryOfKeys(admin, [keys.runStates(taskId, 1), keys.runDetails(taskId, 1), keys.taskRun(taskId, 1), keys.task(taskId)]);
    const residue = await memoryOfKeys(admin, [
      ...(await scanKeys(admin, `${globLiteral(keys.bullPrefix)}:delivery:*`)),
      ...(await scanKeys(admin, `${globLiteral(keys.bullPrefix)}:campaign:*`)),
    ]);
    const stopped = await worker.stop();
    if (stopped.killed) log('the worker ignored SIGTERM and was killed');
    await runFloors('after');

    const figures = figuresOf({
      options,
      run,
      firstWriteAtMs: probe.firstAtMs(),
      uploadS,
      list: { bytes: list.bytes, keys: list.keys, usedMemoryDelta: afterUpload.usedMemory - beforeUpload.usedMemory },
      ledgerBytes: ledger.bytes,
      queueResidueBytes: residue.bytes,
      idleRssKb,
      rss: rssPeak,
      workerCpuS: cpuAtEnd - cpuAtBegin,
      benchCpuS: (selfCpu.user + selfCpu.system) / 1e6,
      machineBusyS: machineAtBegin && machineAtEnd ? machineAtEnd.busyS - machineAtBegin.busyS : 0,
      redis: redisAtEnd.since(redisAtBegin),
      measuredUntilMs,
      speedProbeMs: [speedBeforeMs, speedAfterMs],
    });
    const judged = judge(figures);
    const floor = compareCampaignWithFloor(floorPasses, figures, FLOOR_CHUNKS_IN_FLIGHT);
    const round = (x: number | null, digits = 1) => (x === null ? null : Number(x.toFixed(digits)));
    const json = {
      bench: 'campaign',
      ...figures,
      uploadS: round(figures.uploadS, 2),
      bytesPerRecipient: round(figures.bytesPerRecipient, 2),
      recipientsPerSecond: round(figures.recipientsPerSecond, 0),
      sendPhasePerSecond: round(figures.sendPhasePerSecond, 0),
      workerIdleRssMb: round(figures.workerIdleRssMb),
      workerPeakRssMb: round(figures.workerPeakRssMb),
      workerCpuS: round(figures.workerCpuS, 2),
      workerCpuPercent: round(figures.workerCpuPercent, 0),
      redisCpuS: round(figures.redisCpuS, 2),
      redisCpuPercent: round(figures.redisCpuPercent, 0),
      benchCpuS: round(figures.benchCpuS, 2),
      otherCpuS: round(figures.otherCpuS, 2),
      otherCpuPercent: round(figures.otherCpuPercent, 0),
      redisCommandsPerRecipient: round(figures.redisCommandsPerRecipient, 3),
      topCommands: figures.topCommands.map((c) => ({ command: c.command, perRecipient: round(c.perRecipient, 3) })),
      speedProbeMs: figures.speedProbeMs.map((x) => round(x, 0)),
      floor: campaignFloorJson(floor),
      targets: judged.results.map((r) => ({ target: r.target, value: r.value, pass: r.pass })),
      verdict: judged.verdict,
    };
    process.stdout.write(
      `\ncampaign of ${n} recipients, chunk ${options.chunkSize}, jobs of ${options.jobRecipients}, 1 worker x concurrency ${options.concurrency}, transport ${options.transport}${heapNote(options)}\n`,
    );
    process.stdout.write(`${formatReport(figures, judged)}\n\n${formatCampaignFloor(floor)}\n`);
    process.stdout.write(`${JSON.stringify(json)}\n`);
    const failed = judged.results.filter((r) => !r.pass).map((r) => r.target);
    process.stdout.write(`verdict: ${judged.verdict}${failed.length > 0 ? ` (failed: ${failed.join('; ')})` : ''}\n`);
    return judged.verdict === 'PASS' ? 0 : 1;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => log(`cleanup: ${String(err)}`));
    await admin.quit().catch(() => admin.disconnect());
    await server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:campaign failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
