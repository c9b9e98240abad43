import type { Redis } from 'ioredis';
import { readMachineCpu, readProcCpuSeconds } from '../campaign/proc-stats.ts';
import { redisSnapshot } from '../campaign/redis-figures.ts';
import { startCpuSpeedProbes } from './cpu-speed-probe.ts';
import { driveWithAutocannon } from './drive-autocannon.ts';
import { prepareWrkRun } from './drive-wrk.ts';
import type { LoadDriver, LoadRecord } from './load-record.ts';
import type { SendEmailRequests } from './send-email-requests.ts';

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
/**
 * The same two figures for a phase against the floor server, which answered up to 16,000/s here
 * (it ran out of a 16,000/s pool on a fast day): its pool must last the phase too, or the floor is
 * cut short and reads slower than it is (wrk then reports `Exhausted` errors).
 */
export const FLOOR_PRESIGN_PER_SECOND = 24_000;
export const FLOOR_WRK_REQUESTS_PER_SECOND = 32_000;
/** Pre-signed requests cover at most this much of a phase, so every timestamp is still fresh (5 min) when sent. */
const PRESIGN_MAX_S = 240;

/** How one phase's load is generated; every field as in LoadOptions. */
export interface PhaseShape {
  readonly connections: number;
  readonly pipelining: number;
  readonly driver: LoadDriver;
}

/** One server under load: where it listens, its process, and the signed requests it is sent. */
export interface LoadedServer {
  readonly baseUrl: string;
  readonly pid: number;
  readonly requests: SendEmailRequests;
  /** Requests signed (and for wrk written) ahead per second of a phase. */
  readonly presignPerSecond: number;
  readonly wrkRequestsPerSecond: number;
}

/**
 * Signs (and for wrk writes) a phase's requests now, so that work is not taken from the server
 * during the measurement; returns the phase, ready to run once.
 */
export function preparePhase(server: LoadedServer, shape: PhaseShape, durationS: number): () => Promise<LoadRecord> {
  const coveredS = Math.min(durationS, PRESIGN_MAX_S);
  if (shape.driver === 'autocannon') {
    server.requests.presign(Math.ceil(coveredS * server.presignPerSecond));
    return () =>
      driveWithAutocannon({
        url: server.baseUrl,
        durationS,
        connections: shape.connections,
        pipelining: shape.pipelining,
        next: () => server.requests.next(),
      });
  }
  const count = Math.ceil(coveredS * server.wrkRequestsPerSecond);
  server.requests.presign(count);
  const wrk = prepareWrkRun({
    url: server.baseUrl,
    durationS,
    connections: shape.connections,
    requests: Array.from({ length: count }, () => server.requests.next()),
  });
  return () => wrk.run();
}

/** What one measured phase against one server observed, besides its answers. */
export interface PhaseMeasure {
  readonly record: LoadRecord;
  /** CPU seconds of the server under load (user + sys, /proc) over the phase. */
  readonly serverCpuS: number;
  /** The same for the worker, when one runs (else 0). */
  readonly workerCpuS: number;
  /** Redis commands executed over the phase (INFO commandstats delta, commands inside Lua included). */
  readonly redisCalls: number;
  readonly redisCpuS: number;
  /** This process (signing, autocannon) plus wrk when it drove; 0 for this process when it is the server. */
  readonly benchCpuS: number;
  /** Busy CPU seconds of the whole machine over the phase (0 when /proc/stat is unreadable). */
  readonly machineBusyS: number;
  /** Requests signed while the phase ran (the pre-signed pool ran out). */
  readonly signedDuringRun: number;
  /** CPU-speed probes taken during the phase (cpu-speed-probe.ts). */
  readonly cpuSpeedProbesMs: readonly number[];
}

const cpuOf = async (pid: number | undefined) => (pid === undefined ? 0 : ((await readProcCpuSeconds(pid)) ?? 0));

/**
 * Runs one prepared phase against `server` and reads, right before and right after it, the
 * server's CPU (and the worker's), Redis's commandstats and CPU, this process's CPU and the
 * machine's: the same readings for the floor and for the API.
 */
export async function measurePhase(o: {
  drive: () => Promise<LoadRecord>;
  server: LoadedServer;
  redis: Redis;
  workerPid?: number | undefined;
}): Promise<PhaseMeasure> {
  const redisBefore = await redisSnapshot(o.redis);
  const [serverBefore, workerBefore, machineBefore] = await Promise.all([cpuOf(o.server.pid), cpuOf(o.workerPid), readMachineCpu()]);
  const selfBefore = process.cpuUsage();
  const probes = startCpuSpeedProbes();
  const record = await o.drive();
  const cpuSpeedProbesMs = probes.stop();
  const signedDuringRun = o.server.requests.signedOnTheFly;
  const self = process.cpuUsage(selfBefore);
  const [serverAfter, workerAfter, machineAfter] = await Promise.all([cpuOf(o.server.pid), cpuOf(o.workerPid), readMachineCpu()]);
  const redis = (await redisSnapshot(o.redis)).since(redisBefore);
  // When the server runs in this process (a smoke test), its CPU is the bench's: not counted twice.
  const selfS = o.server.pid === process.pid ? 0 : (self.user + self.system) / 1e6;
  return {
    record,
    serverCpuS: serverAfter - serverBefore,
    workerCpuS: workerAfter - workerBefore,
    redisCalls: redis.calls,
    redisCpuS: redis.cpuS,
    benchCpuS: selfS + record.driverCpuS,
    machineBusyS: machineBefore && machineAfter ? machineAfter.busyS - machineBefore.busyS : 0,
    signedDuringRun,
    cpuSpeedProbesMs,
  };
}
