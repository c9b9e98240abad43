import { setTimeout as sleep } from 'node:timers/promises';
import type { FakeTencentSes } from '@postmill/testkit';
import { spawnWorkers } from './worker-processes.ts';

/** Why a run stopped waiting. */
export type RunEnd = 'complete' | 'timeout' | 'workers-exited';

/** What the fake saw during one run, plus how the run ended. */
export interface RunRecord {
  readonly end: RunEnd;
  /** `arrivedAtMs` of every request the fake received (performance.now() of this process). */
  readonly arrivalsMs: readonly number[];
  /** Distinct Destination addresses: fewer than the requests means some recipient was sent twice. */
  readonly distinctRecipients: number;
  /** Requests the fake did not answer with a MessageId. */
  readonly notAccepted: number;
  /** Workers that ignored SIGTERM and were killed. */
  readonly killedWorkers: number;
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
  const procs = spawnWorkers({ script: o.script, count: o.workers, cwd: o.cwd, env: o.env });
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
  const requests = o.fake.requests;
  return {
    end,
    arrivalsMs: requests.map((r) => r.arrivedAtMs),
    distinctRecipients: new Set(requests.flatMap((r) => r.body?.Destination ?? [])).size,
    notAccepted: requests.filter((r) => r.outcome?.kind !== 'accepted').length,
    killedWorkers: killed,
  };
}
