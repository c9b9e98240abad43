export {
  QUEUE,
  JOB,
  BACKOFF_STRATEGY,
  type DeliverMessagePayload,
  type SendChunkPayload,
  type StartRunPayload,
  type DispatchRunPayload,
  type DeliveryPayload,
  type CampaignPayload,
  type JobRetention,
  DEFAULT_JOB_RETENTION,
  deliverMessageJobOptions,
  campaignJobOptions,
  jobIds,
} from './job-catalog.ts';
export { type SharedRateLimiterOptions, type Reservation, SharedRateLimiter } from './shared-rate-limiter.ts';
export { waitForSlot } from './wait-for-slot.ts';
export { MessageProducer } from './message-producer.ts';
export { type DeliveryDeps, processDeliverMessage } from './delivery-processor.ts';
export { type DeliveryWorkerOptions, startDeliveryWorker } from './delivery-worker.ts';
export { createDeliveryQueue, createCampaignQueue } from './delivery-queue.ts';
export type { CampaignDeps } from './campaign/campaign-deps.ts';
export { TaskCache } from './campaign/task-cache.ts';
export { type ControlRefusal, CampaignControl } from './campaign/campaign-control.ts';
export { processSendChunk } from './campaign/send-chunk-processor.ts';
export { processDispatchRun } from './campaign/dispatch-processor.ts';
export { processStartRun } from './campaign/start-run-processor.ts';
export { startCampaignWorker } from './campaign/campaign-worker.ts';
