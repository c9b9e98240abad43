import { type MailEvent, PostmillError } from '@postmill/core';
import { DEFAULT_JOB_RETENTION, type DeliverWebhookPayload, deliverWebhookJobOptions, JOB, type JobRetention, QUEUE } from '@postmill/queue';
import type { RedisClient } from '@postmill/store';
import { Queue } from 'bullmq';
import type { DeadLetterStore } from './dead-letter-store.ts';
import { deliveryIdOf, type EndpointSources, resolveEndpoints } from './endpoint-resolver.ts';
import { vendorCarries } from './format-event.ts';

/** SendCloud's retry schedule (1, 2, 4, 8, 16 minutes): the default of WEBHOOK_RETRY_DELAYS_SECONDS. */
export const SENDCLOUD_RETRY_DELAYS_MS: readonly number[] = [1, 2, 4, 8, 16].map((m) => m * 60_000);

/** The webhook queue handle, hash-tagged by `bullPrefix` like the other queues. */
export function createWebhookQueue(connection: RedisClient, bullPrefix: string): Queue<DeliverWebhookPayload> {
  return new Queue<DeliverWebhookPayload>(QUEUE.webhook, { connection, prefix: bullPrefix });
}

/** Options of the publisher; every field documents its default. */
export interface WebhookPublisherOptions {
  readonly queue: Queue<DeliverWebhookPayload>;
  readonly sources: EndpointSources;
  readonly deadLetters: DeadLetterStore;
  /** Delay before each retry. Default SENDCLOUD_RETRY_DELAYS_MS. */
  readonly retryDelaysMs?: readonly number[];
  readonly retention?: JobRetention;
}

/**
 * Turns engine events into deliveries and replays dead letters. Guarantees: `publish` queues one
 * job per endpoint that has an event of that kind, with a job id derived from (event id, vendor,
 * URL), so publishing the same event twice queues nothing new while the first jobs are retained
 * (at-least-once from the caller's side: publish again when unsure); `replay` queues a dead letter
 * again under a new job id, with its event id unchanged, and takes it off the list only once queued.
 */
export class WebhookPublisher {
  private readonly delays: readonly number[];
  constructor(private readonly o: WebhookPublisherOptions) {
    this.delays = o.retryDelaysMs ?? SENDCLOUD_RETRY_DELAYS_MS;
  }

  /**
   * Queues `event` to every endpoint configured for it; returns how many deliveries were queued.
   * Throws PostmillError `Webhook.InvalidEvent` for an id outside MailEvent's alphabet (it travels in an HTTP header).
   */
  async publish(event: MailEvent): Promise<number> {
    if (!EVENT_ID.test(event.id))
      throw new PostmillError('Webhook.InvalidEvent', 'a MailEvent id is 1 to 128 letters, digits, - or _', { context: { id: event.id.slice(0, 200) } });
    const endpoints = (await resolveEndpoints(event, this.o.sources)).filter((e) => vendorCarries(event, e));
    if (endpoints.length === 0) return 0;
    await this.o.queue.addBulk(
      endpoints.map((endpoint) => {
        const deliveryId = deliveryIdOf(event.id, endpoint);
        return {
          name: JOB.deliverWebhook,
          data: { deliveryId, event, endpoint },
          opts: deliverWebhookJobOptions(deliveryId, this.delays, this.o.retention ?? DEFAULT_JOB_RETENTION),
        };
      }),
    );
    return endpoints.length;
  }

  /**
   * `publish` for many events at once: the endpoint sources are read once per distinct sender (and
   * SendCloud's configurations once), and every delivery is queued in one addBulk. Same ids, same
   * guarantees as publishing each event; returns how many deliveries were queued.
   */
  async publishAll(events: readonly MailEvent[]): Promise<number> {
    const bad = events.find((e) => !EVENT_ID.test(e.id));
    if (bad) throw new PostmillError('Webhook.InvalidEvent', 'a MailEvent id is 1 to 128 letters, digits, - or _', { context: { id: bad.id.slice(0, 200) } });
    if (events.length === 0) return 0;
    const senders = [...new Set(events.map((e) => e.sender))];
    const [sendCloud, ...urls] = await Promise.all([
      this.o.sources.sendCloudWebhooks(),
      ...senders.map((sender) => Promise.all([this.o.sources.tencentUrlFor(sender), this.o.sources.aliyunUrlFor(sender)])),
    ]);
    const cached: EndpointSources = {
      tencentUrlFor: async (sender) => urls[senders.indexOf(sender)]?.[0],
      aliyunUrlFor: async (sender) => urls[senders.indexOf(sender)]?.[1],
      sendCloudWebhooks: async () => sendCloud ?? [],
    };
    const jobs = [];
    for (const event of events) {
      for (const endpoint of (await resolveEndpoints(event, cached)).filter((e) => vendorCarries(event, e))) {
        const deliveryId = deliveryIdOf(event.id, endpoint);
        jobs.push({
          name: JOB.deliverWebhook,
          data: { deliveryId, event, endpoint },
          opts: deliverWebhookJobOptions(deliveryId, this.delays, this.o.retention ?? DEFAULT_JOB_RETENTION),
        });
      }
    }
    if (jobs.length > 0) await this.o.queue.addBulk(jobs);
    return jobs.length;
  }

  /**
   * Queues a dead letter again, with the full retry schedule. Returns false when there is no such
   * letter (already replayed, expired). If queueing fails the letter is put back and the error thrown.
   */
  async replay(deliveryId: string): Promise<boolean> {
    const letter = await this.o.deadLetters.take(deliveryId);
    if (!letter) return false;
    const replay = letter.replays + 1;
    try {
      await this.o.queue.add(
        JOB.deliverWebhook,
        { deliveryId, event: letter.event, endpoint: letter.endpoint },
        deliverWebhookJobOptions(replayJobId(deliveryId, replay), this.delays, this.o.retention ?? DEFAULT_JOB_RETENTION),
      );
    } catch (err) {
      await this.o.deadLetters.add(letter);
      throw err;
    }
    return true;
  }

  /**
   * Replays dead letters, newest first, until the list is empty or `max` were replayed (default
   * 1 000); returns how many. Reads one page at a time, never the whole list.
   */
  async replayAll(options: { max?: number } = {}): Promise<number> {
    const max = options.max ?? 1000;
    let replayed = 0;
    while (replayed < max) {
      const { letters } = await this.o.deadLetters.list({ offset: 0, limit: Math.min(REPLAY_PAGE, max - replayed) });
      if (letters.length === 0) break;
      for (const letter of letters) if (await this.replay(letter.deliveryId)) replayed++;
    }
    return replayed;
  }
}

/** MailEvent's id alphabet. */
const EVENT_ID = /^[A-Za-z0-9_-]{1,128}$/u;

/** Page size of replayAll's reads of the dead-letter list. */
const REPLAY_PAGE = 100;

/** The job id of the n-th replay of a delivery: distinct from every earlier job of it (BullMQ would ignore a reused id). */
export function replayJobId(deliveryId: string, replay: number): string {
  return `${deliveryId}-r${replay}`;
}

/** How many replays a job id says its job is (0 for the first run). */
export function replaysOf(jobId: string | undefined): number {
  const m = /-r(\d+)$/u.exec(jobId ?? '');
  return m ? Number(m[1]) : 0;
}
