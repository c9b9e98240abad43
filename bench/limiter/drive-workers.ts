import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { FakeTencentSes } from '@postmill/testkit';
import { spawnWorkers } from './worker-processes.ts';

/** The preload that records send starts in each worker (see record-send-starts.mjs). */
const RECORD_SEND_STARTS = fileURLToPath(new URL('./record-send-starts.mjs', import.meta.url));

/** Why a run stopped waiting. */
export type RunEnd = 'complete' | 'timeout' | 'workers-exited';

/** What the fake saw during one run, plus how the run ended. */
export interface RunRecord {
  readonly end: RunEnd;
  /** `arrivedAtMs` of every request the fake received (performance.now() of this process). */
  readonly arrivalsMs: readonly number[];
  /**
   * When each worker called fetch for a provider request, on the same clock as `arrivalsMs`
   * (converted through both processes' performance.timeOrigin). Empty for a worker that died
   * without exiting normally (its record is written at exit).
   */
  readonly startsMs: readonly number[];
  /** Arrival minus start of each request, matched by recipient (each recipient is sent once). */
  readonly startToArrivalMs: readonly number[];
  /** Distinct Destination addresses: fewer than the requests means some recipient was sent twice. */
  readonly distinctRecipients: number;
  /** Requests the fake did not answer with a MessageId. */
  readonly notAccepted: number;
  /** Workers that ignored SIGTERM and were killed. */
  readonly killedWorkers: number;
  /** The machine's 1-minute load average when the workers started and when they were stopped. */
  readonly loadAverage: { readonly atStart: number; readonly atEnd: number };
  /**
   * Largest event-loop delay of this process (where the fake records arrivals) during the run, ms:
   * an arrival can be recorded this much after the request reached the socket.
   */
  readonly fakeLoopDelayMaxMs: number;
}

const POLL_MS = 100;
const PROGRESS_EVERY_MS = 10_000;

/**
 * Starts the worker processes, waits until the fake received `expected` requests (or `timeoutMs`
 * passed, or every worker died), then SIGTERMs the workers and waits for them to exit.
 * Guarantees: the arrivals are read after the workers are gone, so a request still in flight
 * at SIGTERM is counted too. Progress goes to stderr.
 */
export async function driveWorkers(o: {
  label: string;
  fake: FakeTencentSes;
  script: string;
  cwd: string;
  workers: number;
  env: Readonly<Record<string, string>>;
  expected: number;
  timeoutMs: number;
}): Promise<RunRecord> {
  const started = performance.now();
  const loadAtStart = loadavg()[0] ?? 0;
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const startsDir = mkdtempSync(join(tmpdir(), 'bench-limiter-starts-'));
  const procs = spawnWorkers({
    script: o.script,
    count: o.workers,
    cwd: o.cwd,
    env: { ...o.env, BENCH_SEND_STARTS_ORIGIN: new URL(o.fake.endpoint).origin, BENCH_SEND_STARTS_DIR: startsDir },
    nodeArgs: ['--import', RECORD_SEND_STARTS],
  });
  let end: RunEnd = 'complete';
  let lastProgress = started;
  while (o.fake.requests.length < o.expected) {
    const now = performance.now();
    if (now - started > o.timeoutMs) {
      end = 'timeout';
      break;
    }
    if (procs.exitedCount() === o.workers) {
      end = 'workers-exited';
      break;
    }
    if (now - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = now;
      process.stderr.write(`${o.label}: ${o.fake.requests.length}/${o.expected} requests after ${((now - started) / 1000).toFixed(0)} s\n`);
    }
    await sleep(POLL_MS);
  }
  const { killed } = await procs.stop();
  loopDelay.disable();
  const starts = readSendStarts(startsDir);
  rmSync(startsDir, { recursive: true, force: true });
  const requests = o.fake.requests;
  const startOf = new Map(starts.map((s) => [s.recipient, s.atMs]));
  const startToArrivalMs: number[] = [];
  for (const r of requests) {
    const at = startOf.get(r.body?.Destination?.[0] ?? '');
    if (at !== undefined) startToArrivalMs.push(r.arrivedAtMs - at);
  }
  return {
    end,
    arrivalsMs: requests.map((r) => r.arrivedAtMs),
    startsMs: starts.map((s) => s.atMs),
    startToArrivalMs,
    distinctRecipients: new Set(requests.flatMap((r) => r.body?.Destination ?? [])).size,
    notAccepted: requests.filter((r) => r.outcome?.kind !== 'accepted').length,
    killedWorkers: killed,
    loadAverage: { atStart: loadAtStart, atEnd: loadavg()[0] ?? 0 },
    fakeLoopDelayMaxMs: loopDelay.max / 1e6,
  };
}

/** The send starts every worker wrote at exit, on this process's performance clock. */
function readSendStarts(dir: string): { atMs: number; recipient: string }[] {
  const out: { atMs: number; recipient: string }[] = [];
  for (const file of readdirSync(dir)) {
    const record = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { starts: [number, string | null][] };
    for (const [epochMs, recipient] of record.starts) out.push({ atMs: epochMs - performance.timeOrigin, recipient: recipient ?? '' });
  }
  return out;
}
