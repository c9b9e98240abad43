export { QUEUE, JOB, BACKOFF_STRATEGY, type DeliverMessagePayload, type JobRetention, DEFAULT_JOB_RETENTION, deliverMessageJobOptions } from './job-catalog.ts';
export { type SharedRateLimiterOptions, SharedRateLimiter } from './shared-rate-limiter.ts';
export { MessageProducer } from './message-producer.ts';
export { type DeliveryDeps, processDeliverMessage } from './delivery-processor.ts';
export { type DeliveryWorkerOptions, startDeliveryWorker } from './delivery-worker.ts';
export { createDeliveryQueue } from './delivery-queue.ts';
