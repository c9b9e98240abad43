import { PostmillError } from '@postmill/core';
import type { Keys } from './keys.ts';
import type { RedisClient } from './redis-client.ts';

/**
 * What DirectMail records about a send that the engine does not act on (yet): its tag, whether
 * click tracking was asked for (kept for when tracking exists; nothing is tracked today), and the
 * AddressType it was sent with.
 */
export interface SendAnnotation {
  readonly tagName?: string;
  readonly clickTrace?: boolean;
  readonly addressType?: number;
}

function decode(raw: string | null): SendAnnotation {
  if (raw === null) return {};
  try {
    return JSON.parse(raw) as SendAnnotation;
  } catch (cause) {
    throw new PostmillError('Store.CorruptRecord', 'a stored send annotation is not JSON', { cause });
  }
}

/**
 * DirectMail's annotations of single messages (by message id) and batch tasks (by task id).
 * Guarantees: each expires after `ttlMs` (callers pass the status retention), and each key carries
 * the hash tag of its message or task, so it lives in the same Cluster slot as what it annotates.
 */
export class SendAnnotationStore {
  constructor(private readonly o: { redis: RedisClient; keys: Keys }) {}

  async setForMessage(messageId: string, annotation: SendAnnotation, options: { ttlMs: number }): Promise<void> {
    await this.o.redis.set(this.o.keys.messageAnnotation(messageId), JSON.stringify(annotation), 'PX', Math.max(1, Math.ceil(options.ttlMs)));
  }

  async setForTask(taskId: number, annotation: SendAnnotation, options: { ttlMs: number }): Promise<void> {
    await this.o.redis.set(this.o.keys.taskAnnotation(taskId), JSON.stringify(annotation), 'PX', Math.max(1, Math.ceil(options.ttlMs)));
  }

  async forMessage(messageId: string): Promise<SendAnnotation> {
    return decode(await this.o.redis.get(this.o.keys.messageAnnotation(messageId)));
  }

  /** Annotations of many tasks, in order (each key is its own slot: one GET each, pipelined by the client). */
  async forTasks(taskIds: readonly number[]): Promise<SendAnnotation[]> {
    return Promise.all(taskIds.map(async (id) => decode(await this.o.redis.get(this.o.keys.taskAnnotation(id)))));
  }
}
