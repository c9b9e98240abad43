import type { Clock } from '@postmill/core';
import { type DeliverWebhookPayload, MAX_STALLED_COUNT, QUEUE, WEBHOOK_BACKOFF_STRATEGY } from '@postmill/queue';
import type { RedisClient } from '@postmill/store';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { DeadLetterStore } from './dead-letter-store.ts';
import { type FormatOptions, formatEvent, WebhookKeyMissingError } from './format-event.ts';
import { endpointHost, type WebhookObserver } from './webhook-metrics.ts';
import type { WebhookPoster } from './webhook-poster.ts';
import { replaysOf, SENDCLOUD_RETRY_DELAYS_MS } from './webhook-queue.ts';

/** The few logger methods the worker uses (a pino logger fits). */
export interface WebhookLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Options of the webhook worker; every field documents its default. */
export interface WebhookWorkerOptions {
  readonly connection: RedisClient;
  readonly bullPrefix: string;
  readonly poster: WebhookPoster;
  readonly deadLetters: DeadLetterStore;
  readonly format: FormatOptions;
  /** Stamps dead letters. */
  readonly clock: Clock;
  /** Must match the publisher's. Default SENDCLOUD_RETRY_DELAYS_MS. */
  readonly retryDelaysMs?: readonly number[];
  /** Deliveries in flight per process (WEBHOOK_CONCURRENCY). Default 16. */
  readonly concurrency?: number;
  /** How long a worker holds a job; a dead worker's job runs again after it lapses (JOB_LOCK_MS). Default BullMQ's 30 000. */
  readonly lockDurationMs?: number;
  readonly observer?: WebhookObserver;
  readonly logger?: WebhookLogger;
}

/** A try that failed and will be retried (the job's plain throw: BullMQ backs off on the schedule). */
export class WebhookAttemptError extends Error {
  override readonly name = 'WebhookAttemptError';
  readonly code = 'Webhook.AttemptFailed';
}

/** The delay before retry `retry` (1-based) on `delaysMs`; past its end, its last delay. Pure. */
export function retryDelayMs(retry: number, delaysMs: readonly number[]): number {
  return delaysMs[Math.min(Math.max(retry, 1), delaysMs.length) - 1] ?? 0;
}

/**
 * Starts a webhook worker. Guarantees: each job POSTs its event once per try, with the event id in
 * `X-Postmill-Event-Id` (and the vendor's own id field where it has one), so every retry and
 * replay carries the same id; a 2xx completes the job; any other answer, a timeout or a connection
 * error retries after the schedule's next delay; when the schedule is spent, or the target is
 * refused by the policy, or it is for SendCloud and no webhook key is set, the delivery is written to the dead-letter list BEFORE the job fails (a
 * crash in between runs the job again, and the letter is written again under the same id); a job
 * whose worker died is run again (stalled), never dropped.
 */
export function startWebhookWorker(o: WebhookWorkerOptions): Worker<DeliverWebhookPayload> {
  const delays = o.retryDelaysMs ?? SENDCLOUD_RETRY_DELAYS_MS;
  const process = async (job: Job<DeliverWebhookPayload>): Promise<string> => {
    const { deliveryId, event, endpoint } = job.data;
    const host = endpointHost(endpoint.url);
    const attempt = job.attemptsMade + 1;
    /** Writes the letter first, then fails the job for good: a crash in between only writes it again. */
    const deadLetter = async (reason: string, outcome: 'failed' | 'refused', durationSeconds?: number): Promise<never> => {
      await o.deadLetters.add({ deliveryId, event, endpoint, attempts: attempt, lastError: reason, failedAt: o.clock.now(), replays: replaysOf(job.id) });
      o.observer?.attempt({ vendor: endpoint.vendor, host, outcome, ...(durationSeconds === undefined ? {} : { durationSeconds }) });
      o.logger?.warn(
        { jobId: job.id, deliveryId, eventId: event.id, vendor: endpoint.vendor, host, attempts: attempt, reason },
        'webhook delivery dead-lettered',
      );
      throw new UnrecoverableError(`webhook to ${host} dead-lettered after ${attempt} tries: ${reason}`);
    };
    let request: ReturnType<typeof formatEvent>;
    try {
      request = formatEvent(event, endpoint, o.format);
    } catch (err) {
      // No retry can succeed until the setting changes (SENDCLOUD_WEBHOOK_KEY): keep it for a replay.
      if (err instanceof WebhookKeyMissingError) return deadLetter(err.message, 'refused');
      throw err;
    }
    if (!request) return 'no-event';
    const started = performance.now();
    const outcome = await o.poster.post(endpoint.url, request, { eventId: event.id, attempt, ...(event.machine ? { machine: true } : {}) });
    const durationSeconds = (performance.now() - started) / 1000;
    if (outcome.kind === 'delivered') {
      o.observer?.attempt({ vendor: endpoint.vendor, host, outcome: 'delivered', durationSeconds });
      return 'delivered';
    }
    if (outcome.kind === 'refused') return deadLetter(outcome.reason, 'refused', durationSeconds);
    if (attempt >= (job.opts.attempts ?? 1)) return deadLetter(outcome.reason, 'failed', durationSeconds);
    o.observer?.attempt({ vendor: endpoint.vendor, host, outcome: 'retried', durationSeconds });
    throw new WebhookAttemptError(`webhook to ${host} failed: ${outcome.reason}`);
  };
  const worker = new Worker<DeliverWebhookPayload>(QUEUE.webhook, process, {
    connection: o.connection,
    prefix: o.bullPrefix,
    concurrency: o.concurrency ?? 16,
    maxStalledCount: MAX_STALLED_COUNT,
    ...(o.lockDurationMs ? { lockDuration: o.lockDurationMs, stalledInterval: o.lockDurationMs } : {}),
    settings: {
      backoffStrategy: (attemptsMade: number, type?: string) => (type === WEBHOOK_BACKOFF_STRATEGY ? retryDelayMs(attemptsMade, delays) : 0),
    },
  });
  worker.on('error', (err) => o.logger?.error({ err }, 'webhook worker error'));
  return worker;
}
