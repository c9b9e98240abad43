import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_RETRY_POLICY } from '@postmill/core';
import { createDeliveryQueue, startIntakePump } from '@postmill/queue';
import { DeliveryIntakeStore, type Keys } from '@postmill/store';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { cpuSpeedFigures, quietCpuProbes } from './cpu-speed-probe.ts';
import { compareWithFloor } from './floor-report.ts';
import { type LoadDriver, type LoadRecord, mergeRecords } from './load-record.ts';
import { checkNothingLost } from './lost-check.ts';
import {
  FLOOR_PRESIGN_PER_SECOND,
  FLOOR_WRK_REQUESTS_PER_SECOND,
  type LoadedServer,
  measurePhase,
  type PhaseMeasure,
  PRESIGN_PER_SECOND,
  preparePhase,
  WRK_REQUESTS_PER_SECOND,
} from './measure-phase.ts';
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
  /**
   * The floor server (floor-server.ts) on the same Redis, accepting the same credential: when
   * given, every API phase is preceded by the same phase against it. Default none.
   */
  readonly floor?: { readonly baseUrl: string; readonly pid: number };
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
  /** Measured phases per server, interleaved floor, API, floor, API... Default 1. */
  readonly rounds?: number;
  /** MessageIds also checked through GetSendEmailStatus. Default 50. */
  readonly apiSample?: number;
}

/**
 * Runs the load bench against a running API: creates a sender and a template, drives distinct
 * signed SendEmail requests (a warm-up phase, then `rounds` measured ones; with a floor, each of
 * its phases, warm-up included, comes right before the API's, with the same shape and its own
 * distinct requests signed for its host), then checks that every MessageId the API returned in any
 * phase has a status. Returns the raw observations; judging and printing are the caller's.
 */
export async function runLoadBench(t: LoadTarget, plan: LoadPlan, log: (line: string) => void = () => undefined): Promise<LoadObservations> {
  const loadAverageBefore = loadavg();
  const call = tencentClient({ baseUrl: t.baseUrl, secretId: t.secretId, secretKey: t.secretKey });
  const runTag = randomBytes(4).toString('hex');
  const domain = `load-${runTag}.example.com`;
  const from = `bench@${domain}`;
  const { templateId } = await setUpSender(call, { domain, from });
  const serverAt = (baseUrl: string, pid: number, tag: string, isFloor: boolean): LoadedServer => ({
    baseUrl,
    pid,
    requests: sendEmailRequests({ host: new URL(baseUrl).host, secretId: t.secretId, secretKey: t.secretKey, from, templateId, runTag: tag }),
    presignPerSecond: isFloor ? FLOOR_PRESIGN_PER_SECOND : PRESIGN_PER_SECOND,
    wrkRequestsPerSecond: isFloor ? FLOOR_WRK_REQUESTS_PER_SECOND : WRK_REQUESTS_PER_SECOND,
  });
  const api = serverAt(t.baseUrl, t.apiPid, runTag, false);
  const floor = t.floor ? serverAt(t.floor.baseUrl, t.floor.pid, `${runTag}f`, true) : undefined;
  const rounds = plan.rounds ?? 1;

  const quietProbes = await quietCpuProbes();
  const startedAtMs = Date.now();
  let warmup: LoadRecord | undefined;
  if (plan.warmupS > 0) {
    if (floor) {
      log(`floor warm-up ${plan.warmupS} s`);
      await preparePhase(floor, plan, plan.warmupS)();
    }
    log(`warm-up ${plan.warmupS} s`);
    warmup = await preparePhase(api, plan, plan.warmupS)();
  }

  const floorPhases: PhaseMeasure[] = [];
  const apiPhases: PhaseMeasure[] = [];
  for (let r = 1; r <= rounds; r++) {
    if (floor) {
      const drive = preparePhase(floor, plan, plan.durationS);
      log(`round ${r}/${rounds}: floor ${plan.durationS} s, ${plan.connections} connections x pipelining ${plan.pipelining}, ${plan.driver}`);
      floorPhases.push(await measurePhase({ drive, server: floor, redis: t.redis, workerPid: t.workerPid }));
    }
    const drive = preparePhase(api, plan, plan.durationS);
    log(`round ${r}/${rounds}: API ${plan.durationS} s, ${plan.connections} connections x pipelining ${plan.pipelining}, ${plan.driver}`);
    apiPhases.push(await measurePhase({ drive, server: api, redis: t.redis, workerPid: t.workerPid }));
  }
  const loadAverageAfter = loadavg();
  const measured = mergeRecords(apiPhases.map((p) => p.record));

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

  const sum = (pick: (p: PhaseMeasure) => number) => apiPhases.reduce((s, p) => s + pick(p), 0);
  const apiS = sum((p) => p.serverCpuS);
  const redisS = sum((p) => p.redisCpuS);
  const benchS = sum((p) => p.benchCpuS);
  const workerS = sum((p) => p.workerCpuS);
  return {
    connections: plan.connections,
    pipelining: plan.pipelining,
    worker: plan.worker,
    warmup,
    measured,
    lost,
    cpu: { apiS, redisS, benchS, workerS, otherS: Math.max(0, sum((p) => p.machineBusyS) - apiS - redisS - benchS - workerS) },
    redisCommands: sum((p) => p.redisCalls),
    intakeDrain,
    signedDuringRun: sum((p) => p.signedDuringRun),
    cpuSpeed: cpuSpeedFigures(
      quietProbes,
      apiPhases.flatMap((p) => p.cpuSpeedProbesMs),
    ),
    loadAverageBefore,
    loadAverageAfter,
    ...(floor ? { floor: compareWithFloor(floorPhases, apiPhases) } : {}),
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
