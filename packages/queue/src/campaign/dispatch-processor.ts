import { TaskStatus, isFinalRunCode } from '@postmill/core';
import { DelayedError, type Job } from 'bullmq';
import { type DispatchRunPayload, JOB, type SendChunkPayload, campaignJobOptions, jobIds } from '../job-catalog.ts';
import { jobLogger } from '../job-logger.ts';
import type { CampaignDeps } from './campaign-deps.ts';
import { cancelPending, onRunCompleted } from './run-completion.ts';

/** Chunks claimed per dispatch step. */
const CLAIM_PER_STEP = 500;
/** How long the dispatcher waits when the delivery queue is above its high-water mark. */
const BACKPRESSURE_DELAY_MS = 200;

/**
 * Creates a run's chunk jobs behind its durable cursor, a window at a time, and re-schedules
 * itself until the cursor reaches the end. Guarantees:
 * - the cursor only moves forward and chunk job ids are deterministic, so a crash between adding
 *   jobs and moving the cursor re-adds the same ids (no-ops) and the ledger skips final recipients;
 * - chunks whose recipients are all final are not enqueued again (re-dispatch after a resume or a
 *   retry costs one ledger read per chunk);
 * - the delivery queue never holds more than about `dispatchHighWater` waiting jobs from campaigns,
 *   so memory stays flat for lists of millions and pause/cancel act on few queued jobs;
 * - a cancelled run is swept: every pending recipient becomes `cancelled`, so the run ends exact.
 */
export async function processDispatchRun(job: Job<DispatchRunPayload>, token: string | undefined, deps: CampaignDeps): Promise<string> {
  const { taskId, run, generation } = job.data;
  const log = jobLogger(deps.logger, job, deps.transport.kind);
  const status = await deps.tasks.status(taskId);
  const runView = await deps.tasks.getRun(taskId, run);
  if (status === undefined || !runView) return 'gone';
  if (status === TaskStatus.Cancelled) {
    let completed = false;
    for (let start = 0; start < runView.total; start += 4096) {
      if ((await cancelPending(deps, taskId, run, start, Math.min(runView.total, start + 4096))).completedRun) completed = true;
    }
    if (completed) await onRunCompleted(deps, taskId, log);
    return 'cancelled';
  }
  if (status === TaskStatus.Paused) return 'paused';
  if (runView.generation !== generation) return 'superseded';

  const waiting = await deps.deliveryQueue.getWaitingCount();
  if (waiting > deps.dispatchHighWater) {
    await job.moveToDelayed(deps.clock.now() + BACKPRESSURE_DELAY_MS, token);
    throw new DelayedError();
  }
  const starts = await deps.tasks.claimChunks(taskId, run, deps.chunkSize, CLAIM_PER_STEP);
  const jobs: { name: typeof JOB.sendChunk; data: SendChunkPayload; opts: ReturnType<typeof campaignJobOptions> }[] = [];
  // Claimed chunks are consecutive: one read of the window's codes (CLAIM_PER_STEP × chunkSize / 2 bytes).
  const first = starts[0] ?? 0;
  const windowEnd = Math.min(runView.total, (starts[starts.length - 1] ?? first) + deps.chunkSize);
  const windowCodes = starts.length > 0 ? await deps.tasks.readCodes(taskId, run, first, windowEnd) : [];
  for (const start of starts) {
    const end = Math.min(runView.total, start + deps.chunkSize);
    const codes = windowCodes.slice(start - first, end - first);
    if (codes.every(isFinalRunCode)) continue;
    jobs.push({
      name: JOB.sendChunk,
      data: { taskId, run, start, end },
      opts: campaignJobOptions(jobIds.sendChunk(taskId, run, generation, start), deps.policy),
    });
  }
  if (jobs.length > 0) await deps.deliveryQueue.addBulk(jobs);
  const after = await deps.tasks.getRun(taskId, run);
  if (after && after.cursor < after.total) {
    await job.moveToDelayed(deps.clock.now() + 1, token);
    throw new DelayedError();
  }
  return `dispatched up to ${after?.cursor ?? 0}`;
}
