import { createHash } from 'node:crypto';
import { addressKey } from '@postmill/core';

/** One hour in ms: the width of the event log's time buckets. */
export const EVENT_BUCKET_MS = 3_600_000;

/** The time bucket (hours since the epoch) of an instant. */
export function eventBucketOf(atMs: number): number {
  return Math.floor(atMs / EVENT_BUCKET_MS);
}

/**
 * The event log's Redis keys. Guarantees for Redis Cluster: every key carries a hash tag; the two
 * keys of one hour bucket share `{ev:<hour>}`; each index (message, recipient, task) is one key in
 * its own slot, so writes and pages of different messages spread across the cluster. Recipients
 * are hashed into the name (an address may hold braces).
 */
export interface EventLogKeys {
  /** HASH event id → event JSON, every event whose `at` falls in the hour. */
  bucketBodies(hour: number): string;
  /** ZSET event id → at (ms), the same events, for reading the hour in time order. */
  bucketTimes(hour: number): string;
  /** ZSET event id → at, the events of one message. */
  byMessage(messageId: string): string;
  /** ZSET event id → at, the events of one recipient (addressKey), across messages. */
  byRecipient(recipient: string): string;
  /** ZSET event id → at, the events of one batch task (campaign), across runs. */
  byTask(taskId: number): string;
}

/** The event log keys under a deployment's key prefix. */
export function eventLogKeys(prefix: string): EventLogKeys {
  return {
    bucketBodies: (hour) => `${prefix}:{ev:${hour}}:body`,
    bucketTimes: (hour) => `${prefix}:{ev:${hour}}:time`,
    byMessage: (id) => `${prefix}:{evm:${id}}`,
    byRecipient: (r) => `${prefix}:{evr:${createHash('sha1').update(addressKey(r)).digest('hex').slice(0, 20)}}`,
    byTask: (id) => `${prefix}:{evt:${id}}`,
  };
}
