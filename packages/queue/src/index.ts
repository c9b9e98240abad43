export { CampaignControl, type ControlRefusal } from './campaign/campaign-control.ts';
export { type CampaignDeps, claimLeaseFor } from './campaign/campaign-deps.ts';
export { startCampaignWorker } from './campaign/campaign-worker.ts';
export { processDriveRun } from './campaign/drive-run-processor.ts';
export { campaignChunkProcessor, processSendChunk } from './campaign/send-chunk-processor.ts';
export { addDriver, processStartRun } from './campaign/start-run-processor.ts';
export { TaskSpecCache } from './campaign/task-spec-cache.ts';
export { type DeliveryObserver, type MailOutcome, noopDeliveryObserver, type ProviderRequestOutcome } from './delivery-observer.ts';
export { type DeliveryDeps, processDeliverMessage } from './delivery-processor.ts';
export { createCampaignQueue, createDeliveryQueue } from './delivery-queue.ts';
export { type ChunkProcessor, type DeliveryWorkerOptions, startDeliveryWorker } from './delivery-worker.ts';
export { type DrainOptions, type DrainReport, type DrainTarget, drainWorkers } from './drain-workers.ts';
export { type HandBackReason, handBack, JobHandedBackError } from './hand-back.ts';
export { type IntakePump, type IntakePumpOptions, startIntakePump } from './intake-pump.ts';
export {
  BACKOFF_STRATEGY,
  type CampaignPayload,
  campaignJobOptions,
  DEFAULT_JOB_RETENTION,
  type DeliverMessagePayload,
  type DeliverWebhookPayload,
  type DeliveryPayload,
  type DriveRunPayload,
  deliverMessageJobOptions,
  deliverWebhookJobOptions,
  JOB,
  type JobRetention,
  jobIds,
  MAX_STALLED_COUNT,
  QUEUE,
  type SendChunkPayload,
  type StartRunPayload,
  WEBHOOK_BACKOFF_STRATEGY,
} from './job-catalog.ts';
export { jobLogger, logJobFailures } from './job-logger.ts';
export { MessageProducer } from './message-producer.ts';
export type { RateLimiter } from './rate-limiter.ts';
export { type SendSlot, type SendStepPorts, type SendStepResult, type SlotSource, sendStep, singleSlots } from './send-step.ts';
export { type Reservation, SharedRateLimiter, type SharedRateLimiterOptions } from './shared-rate-limiter.ts';
export { UnlimitedRateLimiter, type UnlimitedRateLimiterOptions } from './unlimited-rate-limiter.ts';
export { type SlotWait, waitForSlotAndCheck } from './wait-for-slot.ts';
export { type DrainableProcessor, type ForcedHandBack, WorkerDrain } from './worker-drain.ts';
