import { transientBackoffMs } from '@postmill/core';
import type { RedisClient } from '@postmill/store';
import { type Job, Worker } from 'bullmq';
import { limitErrorLog } from '../error-log-limiter.ts';
import { BACKOFF_STRATEGY, type CampaignPayload, type DriveRunPayload, JOB, MAX_STALLED_COUNT, QUEUE, type StartRunPayload } from '../job-catalog.ts';
import { logJobFailures } from '../job-logger.ts';
import { WorkerDrain } from '../worker-drain.ts';
import type { CampaignDeps } from './campaign-deps.ts';
import { processDriveRun } from './drive-run-processor.ts';
import { processStartRun } from './start-run-processor.ts';

/**
 * Starts the campaign-control worker (start-run and drive-run jobs). Cheap jobs, so a small
 * concurrency suffices. They are short and checkpointed, so a draining worker (`o.drain`, optional)
 * lets them finish; only the grace period's end hands them back by force.
 */
export function startCampaignWorker(o: {
  connection: RedisClient;
  bullPrefix: string;
  concurrency: number;
  lockDurationMs?: number;
  deps: CampaignDeps;
  drain?: WorkerDrain;
}): Worker<CampaignPayload> {
  const worker = new Worker<CampaignPayload>(
    QUEUE.campaign,
    (o.drain ?? new WorkerDrain()).wrap(async (job: Job<CampaignPayload>, token: string | undefined) => {
      if (job.name === JOB.startRun) return processStartRun(job as Job<StartRunPayload>, token, o.deps);
      if (job.name === JOB.driveRun) return processDriveRun(job as Job<DriveRunPayload>, token, o.deps);
      throw new Error(`unknown campaign job ${job.name}`);
    }),
    {
      connection: o.connection,
      prefix: o.bullPrefix,
      concurrency: o.concurrency,
      ...(o.lockDurationMs ? { lockDuration: o.lockDurationMs, stalledInterval: o.lockDurationMs } : {}),
      maxStalledCount: MAX_STALLED_COUNT,
      settings: {
        backoffStrategy: (attemptsMade: number, type?: string) =>
          type === BACKOFF_STRATEGY ? transientBackoffMs(attemptsMade, o.deps.policy) : o.deps.policy.backoffBaseMs,
      },
    },
  );
  worker.on(
    'error',
    limitErrorLog((err, suppressed) => o.deps.logger.error({ err, suppressed }, 'campaign worker error')),
  );
  logJobFailures(worker, o.deps.logger, o.deps.transport.kind);
  return worker;
}
