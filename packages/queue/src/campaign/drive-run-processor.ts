import { isFinalRunCode, TaskStatus } from '@postmill/core';
import type { RunControl } from '@postmill/store';
import { DelayedError, type Job } from 'bullmq';
import { campaignJobOptions, type DriveRunPayload, JOB, jobIds, type SendChunkPayload } from '../job-catalog.ts';
import { jobLogger } from '../job-logger.ts';
import type { CampaignDeps } from './campaign-deps.ts';

/** Chunks dispatched per driver step. */
const CHUNKS_PER_WINDOW = 500;
/** How long the driver waits when the delivery queue is above its high-water mark. */
const BACKPRESSURE_DELAY_MS = 200;
/** How often a driver looks again at a paused run (resume latency), and at a dispatched run until it finishes. */
const RECHECK_MS = 500;
/** How long a fully dispatched, unfinished run may make no progress before its driver looks for chunk jobs that failed or went missing. */
const HEAL_AFTER_MS = 5000;
/** Most chunk jobs one heal pass looks at. */
const HEAL_MAX_CHUNKS = 200;
/** Indexes swept per cancel script (each one atomic, so Redis is never blocked long). */
const SWEEP_SLICE = 4096;

/** Parks the driver until `at` (no attempt spent) and ends this step. */
async function park(job: Job, token: string | undefined, at: number): Promise<never> {
  await job.moveToDelayed(at, token);
  throw new DelayedError();
}

/**
 * Drives one run to its end; the only job that dispatches the run's chunks. Each step reads the
 * task's status and the run's dispatch state (one consistent read) and acts on it. Guarantees:
 * - sending: the chunk jobs of the next window (deterministic ids `t<id>-r<n>-g<gen>-c<start>`) are
 *   added FIRST, then the durable cursor moves by a compare-and-set on (generation, cursor): a failed
 *   add, a crash or a concurrent control action never loses a window (the step is simply repeated;
 *   re-adding an existing id is a no-op);
 * - a control action bumps the generation and resets the cursor in the same step as the status, so
 *   the driver needs no job add to follow it: on its next step it dispatches the new generation from
 *   the start (chunks whose recipients are all final are skipped);
 * - paused: looks again every RECHECK_MS; cancelled: sweeps every pending recipient to `cancelled`
 *   and waits for sends in flight to be recorded (or their claims to lapse, then sweeps them);
 * - the delivery queue never holds more than about `dispatchHighWater` waiting jobs;
 * - once the run is fully dispatched it looks every RECHECK_MS until the run finishes, and when the
 *   run made no progress for HEAL_AFTER_MS it heals chunk jobs of the current generation that
 *   failed for good or went missing;
 * - it completes only when the run is finished (or gone).
 */
/** What the driver remembers between its steps (job data): when the run last made progress, and how far. */
type DriverData = DriveRunPayload & { progressAt?: number; progressFinal?: number };

export async function processDriveRun(job: Job<DriverData>, token: string | undefined, deps: CampaignDeps): Promise<string> {
  const { taskId, run } = job.data;
  const ctl = await deps.tasks.runControl(taskId, run);
  if (!ctl) return 'gone';
  if (ctl.finishedAt !== undefined) return 'finished';
  const now = deps.clock.now();
  if (ctl.status === TaskStatus.Cancelled) {
    let busyUntil = 0;
    for (let from = 0; from < ctl.total; from += SWEEP_SLICE) {
      const swept = await deps.tasks.sweepCancelled(taskId, run, from, Math.min(ctl.total, from + SWEEP_SLICE));
      if (!swept) break;
      if (swept.completedRun) jobLogger(deps.logger, job, deps.transport.kind).info({ runId: run }, 'campaign run finished (cancelled)');
      if (swept.busyUntil > 0 && (busyUntil === 0 || swept.busyUntil < busyUntil)) busyUntil = swept.busyUntil;
    }
    const after = await deps.tasks.runControl(taskId, run);
    if (!after || after.finishedAt !== undefined) return 'cancelled';
    // Sends in flight record their answers; a claim that lapses is swept on the next look.
    return park(job, token, Math.min(busyUntil || Number.POSITIVE_INFINITY, now + RECHECK_MS));
  }
  if (ctl.status !== TaskStatus.Sending) return park(job, token, now + RECHECK_MS);
  if (ctl.cursor >= ctl.total) {
    await heal(job, deps, ctl);
    return park(job, token, now + RECHECK_MS);
  }
  if ((await deps.deliveryQueue.getWaitingCount()) > deps.dispatchHighWater) return park(job, token, now + BACKPRESSURE_DELAY_MS);
  await dispatchWindow(deps, taskId, run, ctl);
  return park(job, token, now + 1);
}

/** The chunk job of `start` in the current generation. */
function chunkJob(deps: CampaignDeps, taskId: number, run: number, ctl: RunControl, start: number) {
  const data: SendChunkPayload = { taskId, run, generation: ctl.generation, start, end: Math.min(ctl.total, start + ctl.chunkSize) };
  return { name: JOB.sendChunk, data, opts: campaignJobOptions(jobIds.sendChunk(taskId, run, ctl.generation, start), deps.policy) };
}

/** Adds the chunk jobs of the window after the cursor, then moves the cursor past it (compare-and-set). */
async function dispatchWindow(deps: CampaignDeps, taskId: number, run: number, ctl: RunControl): Promise<void> {
  const first = ctl.cursor;
  const windowEnd = Math.min(ctl.total, first + CHUNKS_PER_WINDOW * ctl.chunkSize);
  const codes = await deps.tasks.readCodes(taskId, run, first, windowEnd);
  const jobs: ReturnType<typeof chunkJob>[] = [];
  // Chunk ranges follow the run's own chunk size (fixed at its start), so every chunk job of a
  // range, whatever its generation, competes for the same range claim.
  for (let start = first; start < windowEnd; start += ctl.chunkSize) {
    const end = Math.min(windowEnd, start + ctl.chunkSize);
    if (codes.slice(start - first, end - first).every(isFinalRunCode)) continue;
    jobs.push(chunkJob(deps, taskId, run, ctl, start));
  }
  if (jobs.length > 0) await deps.deliveryQueue.addBulk(jobs);
  // False when a control action bumped the generation meanwhile: the next step dispatches that one.
  await deps.tasks.advanceCursor(taskId, run, ctl.generation, first, windowEnd);
}

/**
 * When a fully dispatched run made no progress (no index became final) for HEAL_AFTER_MS: each
 * chunk of the current generation that still has a pending recipient should have a live job
 * (waiting, delayed or active). One that failed for good (e.g. Redis was unreachable through all
 * its attempts) or completed is retried, one that is missing is added again: the run never waits
 * forever. A run that progresses costs one job-data write per look, nothing more.
 */
async function heal(job: Job<DriverData>, deps: CampaignDeps, ctl: RunControl): Promise<void> {
  const { taskId, run } = job.data;
  const now = deps.clock.now();
  if (job.data.progressFinal !== ctl.final || job.data.progressAt === undefined) {
    await job.updateData({ ...job.data, progressAt: now, progressFinal: ctl.final });
    return;
  }
  if (now - job.data.progressAt < HEAL_AFTER_MS) return;
  await job.updateData({ ...job.data, progressAt: now });
  const codes = await deps.tasks.readCodes(taskId, run, 0, ctl.total);
  let looked = 0;
  for (let start = 0; start < ctl.total && looked < HEAL_MAX_CHUNKS; start += ctl.chunkSize) {
    if (codes.slice(start, start + ctl.chunkSize).every(isFinalRunCode)) continue;
    looked++;
    const spec = chunkJob(deps, taskId, run, ctl, start);
    const existing = await deps.deliveryQueue.getJob(spec.opts.jobId ?? '');
    const state = existing ? await existing.getState() : 'unknown';
    if (state === 'unknown') await deps.deliveryQueue.add(spec.name, spec.data, spec.opts);
    else if ((state === 'failed' || state === 'completed') && existing) await existing.retry(state);
    if (state === 'unknown' || state === 'failed' || state === 'completed') {
      jobLogger(deps.logger, job, deps.transport.kind).warn(
        { runId: run, chunkStart: start, state },
        'chunk job of an unfinished run was not live: queued again',
      );
    }
  }
}
