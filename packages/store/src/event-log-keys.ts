import { createHash } from 'node:crypto';
import { addressKey } from '@postmill/core';

/** One hour in ms: the width of the event log's time buckets. */
export const EVENT_BUCKET_MS = 3_600_000;

/** The time bucket (hours since the epoch) of an instant. */
export function eventBucketOf(atMs: number): number {
  return Math.floor(atMs / EVENT_BUCKET_MS);
}

/** One day in ms: the life span of an index shard key. */
export const EVENT_INDEX_DAY_MS = 86_400_000;

/** Shards of each day's message and recipient index (a layout constant: spreads a day over 16 slots). */
export const EVENT_INDEX_SHARDS = 16;

/** The name a message or recipient is indexed under (recipients by addressKey, so any case finds them). */
export function indexNameOf(index: 'm' | 'r', value: string): string {
  return index === 'r' ? addressKey(value) : value;
}

/** The shard of a name: stable, spread by SHA-1. */
export function indexShardOf(name: string): number {
  return createHash('sha1').update(name).digest().readUInt16BE(0) % EVENT_INDEX_SHARDS;
}

/**
 * The event log's Redis keys. Guarantees for Redis Cluster: every key carries a hash tag; the two
 * keys of one hour bucket share `{ev:<hour>}`; each index shard and each task index is one key
 * in its own slot; names (which may hold braces) are never part of a key.
 */
export interface EventLogKeys {
  /** HASH event id → event JSON, every event whose `at` falls in the hour. */
  bucketBodies(hour: number): string;
  /** ZSET event id → at (ms), the same events, for reading the hour in time order. */
  bucketTimes(hour: number): string;
  /**
   * One shard of a day's message or recipient index: a ZSET of score 0 whose members are
   * `<name>\0<at, 13 digits>\0<event id>` (name: the MessageId, or the recipient's addressKey),
   * read by ZRANGEBYLEX. Sharded keys that live a day, not one key per message or recipient:
   * a campaign adds members to a few existing keys instead of creating two keys per recipient.
   */
  nameIndex(index: 'm' | 'r', day: number, shard: number): string;
  /** ZSET event id → at, the events of one batch task (campaign), across runs. */
  byTask(taskId: number): string;
}

/** The event log keys under a deployment's key prefix. */
export function eventLogKeys(prefix: string): EventLogKeys {
  return {
    bucketBodies: (hour) => `${prefix}:{ev:${hour}}:body`,
    bucketTimes: (hour) => `${prefix}:{ev:${hour}}:time`,
    nameIndex: (index, day, shard) => `${prefix}:{evx:${index}:${day}:${shard}}`,
    byTask: (id) => `${prefix}:{evt:${id}}`,
  };
}
