import type { MailEvent } from '@postmill/core';
import type { EventLogStore } from './event-log-store.ts';

/** Where stored events are pushed: the webhook publisher (`createWebhookDelivery(...).publisher`) fits. */
export interface MailEventSink {
  /** Pushes a batch (the webhook publisher reads its endpoints once per batch and sender). */
  publishAll(events: readonly MailEvent[]): Promise<unknown>;
}

/**
 * Writes events to the log, then hands each to the sink. Guarantees: an event reaches the sink only
 * after Redis stored it; a repeated `record` of the same ids stores nothing new and re-publishes
 * the same ids (webhook jobs are keyed by event id and endpoint, so receivers see one delivery id).
 * Failures propagate: the caller's job is retried, never silently short of an event.
 */
export class EventLog {
  constructor(
    private readonly store: EventLogStore,
    private readonly sink?: MailEventSink,
  ) {}

  async record(events: readonly MailEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.store.append(events);
    const sink = this.sink;
    if (sink) await sink.publishAll(events);
  }
}
