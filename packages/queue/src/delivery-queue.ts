import type { RedisClient } from '@postmill/store';
import { Queue } from 'bullmq';
import { type DeliverMessagePayload, QUEUE } from './job-catalog.ts';

/** The delivery queue handle (producers and the worker's rate-limit calls), hash-tagged by `bullPrefix`. */
export function createDeliveryQueue(connection: RedisClient, bullPrefix: string): Queue<DeliverMessagePayload> {
  return new Queue<DeliverMessagePayload>(QUEUE.delivery, { connection, prefix: bullPrefix });
}
