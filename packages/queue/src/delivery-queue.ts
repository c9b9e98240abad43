import type { RedisClient } from '@postmill/store';
import { Queue } from 'bullmq';
import { type CampaignPayload, type DeliveryPayload, QUEUE } from './job-catalog.ts';

/** The delivery queue handle (producers and the worker's rate-limit calls), hash-tagged by `bullPrefix`. */
export function createDeliveryQueue(connection: RedisClient, bullPrefix: string): Queue<DeliveryPayload> {
  return new Queue<DeliveryPayload>(QUEUE.delivery, { connection, prefix: bullPrefix });
}

/** The campaign-control queue handle, hash-tagged by the same `bullPrefix`. */
export function createCampaignQueue(connection: RedisClient, bullPrefix: string): Queue<CampaignPayload> {
  return new Queue<CampaignPayload>(QUEUE.campaign, { connection, prefix: bullPrefix });
}
