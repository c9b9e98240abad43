import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RetryPolicyOptions } from '@postmill/core';
import type { DeliveryIntakeStore, RedisClient } from '@postmill/store';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { limitErrorLog } from './error-log-limiter.ts';
import { type DeliveryPayload, deliverMessageJobOptions, JOB } from './job-catalog.ts';

/** Options of the intake pump; every field documents its default. */
export interface IntakePumpOptions {
  readonly intake: DeliveryIntakeStore;
  /** The connection the pump's commands use (its blocking wait gets a duplicate of its own). */
  readonly redis: RedisClient;
  readonly queue: Queue<DeliveryPayload>;
  readonly policy: RetryPolicyOptions;
  readonly logger: Logger;
  /** Most ids queued per round. Default 500. */
  readonly batchSize?: number;
  /** How long the lease lasts without renewal: the longest a dead pump holds up the intake. Default 3,000 ms. */
  readonly leaseMs?: number;
  /** How long one blocking wait for new ids lasts before the lease is renewed. Default 1 s. */
  readonly idleWaitSeconds?: number;
  /** How often a pump without the lease tries to take it. Default 1,000 ms. */
  readonly standbyPollMs?: number;
  /** Pause after a Redis error before the next round. Default 500 ms. */
  readonly retryDelayMs?: number;
}

/** A running pump; `stop()` is idempotent and resolves once the loop has ended and the lease is released. */
export interface IntakePump {
  stop(): Promise<void>;
  /** True while this process holds the lease (tests, logs). */
  readonly isActive: () => boolean;
}

/**
 * Creates the delivery job of every message id the API appended to the intake (DeliveryIntakeStore).
 * Runs in every worker process; the one holding the lease pumps, the others stand by and take over
 * within `leaseMs + standbyPollMs` when it dies. Guarantees: every id in the intake gets its job
 * (job id = message id, so an id queued twice, after a pump died between queueing and dropping
 * it, makes one job); a new id is picked up at once (a blocking wait, no polling); Redis errors are
 * logged and retried, never thrown.
 */
export function startIntakePump(o: IntakePumpOptions): IntakePump {
  const batchSize = o.batchSize ?? 500;
  const leaseMs = o.leaseMs ?? 3000;
  const idleWaitSeconds = o.idleWaitSeconds ?? 1;
  const standbyPollMs = o.standbyPollMs ?? 1000;
  const retryDelayMs = o.retryDelayMs ?? 500;
  const log = o.logger.child({ component: 'intake-pump' });
  const token = randomUUID();
  const stopping = new AbortController();
  // (Redis and Cluster both have a no-argument duplicate(); TypeScript cannot call a union of their overloads.)
  const blocking = (o.redis.duplicate as () => RedisClient).call(o.redis);
  blocking.on('error', () => undefined); // reconnection is automatic; failures surface through commands
  let active = false;
  // While Redis is down every round fails; one line per 10 s says so (with how many were not logged).
  const roundFailed = limitErrorLog((err, suppressed) => log.warn({ err, suppressed }, 'intake pump round failed; retrying'));

  const pause = (ms: number) => sleep(ms, undefined, { signal: stopping.signal }).catch(() => undefined);

  async function round(): Promise<void> {
    if (!active) {
      active = await o.intake.tryAcquire(token, leaseMs);
      if (!active) return pause(standbyPollMs);
      log.info('this process now pumps the delivery intake');
    }
    const ids = await o.intake.claim(token, batchSize, leaseMs);
    if (ids === undefined) return lost();
    if (ids.length === 0) {
      await o.intake.waitForWork(blocking, idleWaitSeconds);
      return;
    }
    await Promise.all(ids.map((id) => o.queue.add(JOB.deliverMessage, { messageId: id }, deliverMessageJobOptions(id, o.policy))));
    if (!(await o.intake.ack(token, ids.length, leaseMs))) lost();
  }

  function lost(): void {
    active = false;
    log.warn('the intake lease was lost (this process stalled past it); another pump carries on');
  }

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      try {
        await round();
      } catch (err) {
        if (stopping.signal.aborted) break;
        roundFailed(err);
        await pause(retryDelayMs);
      }
    }
  })();

  let stopped: Promise<void> | undefined;
  return {
    isActive: () => active,
    stop: () =>
      (stopped ??= (async () => {
        stopping.abort();
        blocking.disconnect(); // ends a blocking wait at once; an id it moved stays claimed for the next holder
        await loop;
        if (active) await o.intake.release(token).catch(() => undefined); // expires on its own otherwise
        active = false;
      })()),
  };
}
