import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_RETRY_POLICY } from '@postmill/core';
import { createDeliveryQueue, startIntakePump } from '@postmill/queue';
import { DeliveryIntakeStore, type Keys } from '@postmill/store';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { readMachineCpu, readProcCpuSeconds } from '../campaign/proc-stats.ts';
import { redisSnapshot } from '../campaign/redis-figures.ts';
import { cpuSpeedFigures, quietCpuProbes, startCpuSpeedProbes } from './cpu-speed-probe.ts';
import { driveWithAutocannon } from './drive-autocannon.ts';
import { prepareWrkRun } from './drive-wrk.ts';
import type { LoadDriver, LoadRecord } from './load-record.ts';
import { checkNothingLost } from './lost-check.ts';
import type { IntakeDrain, LoadObservations } from './report.ts';
import { sendEmailRequests } from './send-email-requests.ts';
import { setUpSender, tencentClient } from './tencent-client.ts';

/** The API under load and what the bench may read beside it. */
export interface LoadTarget {
  /** e.g. http://127.0.0.1:8080 */
  readonly baseUrl: string;
  readonly secretId: string;
  readonly secretKey: string;
  /** A connection to the API's Redis (single node) and the API's key space, for the lost check and Redis figures. */
  readonly redis: Redis;
  readonly keys: Keys;
  /** SCHEDULE_TIMEZONE of the API (day of the status index). */
  readonly timeZone: string;
  /** Process ids whose CPU is reported: the API, and the worker when one runs. */
  readonly apiPid: number;
  readonly workerPid?: number;
}

/** One run's shape: every field as in LoadOptions. */
export interface LoadPlan {
  readonly durationS: number;
  readonly warmupS: number;
  readonly connections: number;
  readonly pipelining: number;
  /** The load generator (wrk: pipelining 1 only). */
  readonly driver: LoadDriver;
  readonly worker: boolean;
  /** MessageIds also checked through GetSendEmailStatus. Default 50. */
  readonly apiSample?: number;
}

/**
 * Requests signed ahead per second of a phase. Above the API's rate (so the pool lasts the phase)
 * and small enough to sign in about a second; past it, requests are signed as they are sent.
 */
export const PRESIGN_PER_SECOND = 5000;
/**
 * Requests written for wrk per second of a phase. wrk cannot sign, so they must all be written
 * before it starts and it stops when they run out (the run then shows `Exhausted` errors): well
 * above any rate the API reaches here.
 */
export const WRK_REQUESTS_PER_SECOND = 8000;
/** Pre-signed requests cover at most this much of a phase, so every timestamp is still fresh (5 min) when sent. */
const PRESIGN_MAX_S = 240;

const cpuOf = async (pid: number | undefined) => (pid === undefined ? 0 : ((await readProcCpuSeconds(pid)) ?? 0));

/**
 * Runs the load bench against a running API: creates a sender and a template, drives distinct
 * signed SendEmail requests (a warm-up phase, then the measured one), then checks that every
 * MessageId returned in either phase has a status. Returns the raw observations; judging and
 * printing are the caller's.
 */
export async function runLoadBench(t: LoadTarget, plan: LoadPlan, log: (line: string) => void = () => undefined): Promise<LoadObservations> {
  const loadAverageBefore = loadavg();
  const call = tencentClient({ baseUrl: t.baseUrl, secretId: t.secretId, secretKey: t.secretKey });
  const runTag = randomBytes(4).toString('hex');
  const domain = `load-${runTag}.example.com`;
  const from = `bench@${domain}`;
  const { templateId } = await setUpSender(call, { domain, from });
  const requests = sendEmailRequests({ host: new URL(t.baseUrl).host, secretId: t.secretId, secretKey: t.secretKey, from, templateId, runTag });
  // Signs (and for wrk writes) a phase's requests before it starts, so that work is not taken from
  // the API during the measurement; returns the phase, ready to run.
  const prepare = (durationS: number): (() => Promise<LoadRecord>) => {
    const coveredS = Math.min(durationS, PRESIGN_MAX_S);
    if (plan.driver === 'autocannon') {
      requests.presign(Math.ceil(coveredS * PRESIGN_PER_SECOND));
      return () => driveWithAutocannon({ url: t.baseUrl, durationS, connections: plan.connections, pipelining: plan.pipelining, next: () => requests.next() });
    }
    const count = Math.ceil(coveredS * WRK_REQUESTS_PER_SECOND);
    requests.presign(count);
    const wrk = prepareWrkRun({ url: t.baseUrl, durationS, connections: plan.connections, requests: Array.from({ length: count }, () => requests.next()) });
    return () => wrk.run();
  };

  const quietProbes = await quietCpuProbes();
  const startedAtMs = Date.now();
  let warmup: LoadRecord | undefined;
  if (plan.warmupS > 0) {
    log(`warm-up ${plan.warmupS} s`);
    warmup = await prepare(plan.warmupS)();
  }

  const drive = prepare(plan.durationS);
  const redisBefore = await redisSnapshot(t.redis);
  const [apiBefore, workerBefore, machineBefore] = await Promise.all([cpuOf(t.apiPid), cpuOf(t.workerPid), readMachineCpu()]);
  const selfBefore = process.cpuUsage();
  log(`measured run ${plan.durationS} s, ${plan.connections} connections x pipelining ${plan.pipelining}, ${plan.driver}`);
  const probes = startCpuSpeedProbes();
  const measured = await drive();
  const duringProbes = probes.stop();
  const signedDuringRun = requests.signedOnTheFly;
  const self = process.cpuUsage(selfBefore);
  const [apiAfter, workerAfter, machineAfter] = await Promise.all([cpuOf(t.apiPid), cpuOf(t.workerPid), readMachineCpu()]);
  const redis = (await redisSnapshot(t.redis)).since(redisBefore);
  const loadAverageAfter = loadavg();

  const intakeDrain = await drainIntake(t, plan.worker, log);
  const ids = [...(warmup?.acceptedIds ?? []), ...measured.acceptedIds];
  log(`checking ${ids.length} MessageIds`);
  const lost = await checkNothingLost({
    redis: t.redis,
    keys: t.keys,
    ids,
    timeZone: t.timeZone,
    fromMs: startedAtMs,
    toMs: Date.now(),
    call,
    ...(plan.apiSample !== undefined ? { apiSample: plan.apiSample } : {}),
  });

  const apiS = apiAfter - apiBefore;
  const workerS = workerAfter - workerBefore;
  // When the API runs in this process (the smoke test), its CPU is the bench's: not counted twice.
  const benchS = (t.apiPid === process.pid ? 0 : (self.user + self.system) / 1e6) + measured.driverCpuS;
  const machineS = machineBefore && machineAfter ? machineAfter.busyS - machineBefore.busyS : 0;
  return {
    connections: plan.connections,
    pipelining: plan.pipelining,
    worker: plan.worker,
    warmup,
    measured,
    lost,
    cpu: { apiS, redisS: redis.cpuS, benchS, workerS, otherS: Math.max(0, machineS - apiS - redis.cpuS - benchS - workerS) },
    redisCommands: redis.calls,
    intakeDrain,
    signedDuringRun,
    cpuSpeed: cpuSpeedFigures(quietProbes, duringProbes),
    loadAverageBefore,
    loadAverageAfter,
  };
}

/** Longest wait for the intake to empty after the run. */
const DRAIN_TIMEOUT_MS = 120_000;

/**
 * Turns the run's accepted messages into delivery jobs, as a worker's intake pump does, and times
 * it: with no worker, a pump in this process (after the measurement, so it takes nothing from the
 * API); with one, the worker's own pump. The lost check then finds every queued message's job.
 */
async function drainIntake(t: LoadTarget, workerRuns: boolean, log: (line: string) => void): Promise<IntakeDrain> {
  const intake = new DeliveryIntakeStore({ redis: t.redis, keys: t.keys });
  const pending = await intake.pending();
  log(`creating the delivery jobs of ${pending} accepted messages (${workerRuns ? "the worker's" : 'a'} intake pump)`);
  const startedAt = performance.now();
  const queue = createDeliveryQueue(t.redis, t.keys.bullPrefix);
  const pump = workerRuns ? undefined : startIntakePump({ intake, redis: t.redis, queue, policy: DEFAULT_RETRY_POLICY, logger: pino({ level: 'warn' }) });
  try {
    while ((await intake.pending()) > 0) {
      if (performance.now() - startedAt > DRAIN_TIMEOUT_MS) throw new Error(`the intake did not empty within ${DRAIN_TIMEOUT_MS} ms`);
      await sleep(20);
    }
  } finally {
    await pump?.stop();
    await queue.close();
  }
  return { pending, seconds: (performance.now() - startedAt) / 1000 };
}
