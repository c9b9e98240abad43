export {
  QUEUE,
  JOB,
  BACKOFF_STRATEGY,
  type DeliverMessagePayload,
  type SendChunkPayload,
  type StartRunPayload,
  type DriveRunPayload,
  type DeliveryPayload,
  type CampaignPayload,
  type JobRetention,
  DEFAULT_JOB_RETENTION,
  deliverMessageJobOptions,
  campaignJobOptions,
  jobIds,
} from './job-catalog.ts';
export { type SharedRateLimiterOptions, type Reservation, SharedRateLimiter } from './shared-rate-limiter.ts';
export type { RateLimiter } from './rate-limiter.ts';
export { type UnlimitedRateLimiterOptions, UnlimitedRateLimiter } from './unlimited-rate-limiter.ts';
export { type SlotWait, waitForSlotAndCheck } from './wait-for-slot.ts';
export { type SendSlot, type SendStepPorts, type SendStepResult, type SlotSource, sendStep, singleSlots } from './send-step.ts';
export { MessageProducer } from './message-producer.ts';
export { type IntakePump, type IntakePumpOptions, startIntakePump } from './intake-pump.ts';
export { type DeliveryDeps, processDeliverMessage } from './delivery-processor.ts';
export { type ChunkProcessor, type DeliveryWorkerOptions, startDeliveryWorker } from './delivery-worker.ts';
export { createDeliveryQueue, createCampaignQueue } from './delivery-queue.ts';
export { type CampaignDeps, claimLeaseFor } from './campaign/campaign-deps.ts';
export { TaskSpecCache } from './campaign/task-spec-cache.ts';
export { type ControlRefusal, CampaignControl } from './campaign/campaign-control.ts';
export { campaignChunkProcessor, processSendChunk } from './campaign/send-chunk-processor.ts';
export { processDriveRun } from './campaign/drive-run-processor.ts';
export { addDriver, processStartRun } from './campaign/start-run-processor.ts';
export { startCampaignWorker } from './campaign/campaign-worker.ts';
export { type HandBackReason, JobHandedBackError, handBack } from './hand-back.ts';
export { type DrainableProcessor, type ForcedHandBack, WorkerDrain } from './worker-drain.ts';
export { type DrainOptions, type DrainReport, type DrainTarget, drainWorkers } from './drain-workers.ts';
export { jobLogger, logJobFailures } from './job-logger.ts';
export { type DeliveryObserver, type MailOutcome, type ProviderRequestOutcome, noopDeliveryObserver } from './delivery-observer.ts';
