import type { MessageSpec, RetryPolicyOptions } from '@postmill/core';
import type { MessageStore } from '@postmill/store';
import type { Queue } from 'bullmq';
import { type DeliveryPayload, JOB, deliverMessageJobOptions } from './job-catalog.ts';

/**
 * Accepts messages for delivery. Guarantees: `enqueue` resolves only after the message is in the
 * ledger AND its job is in the queue (Redis acknowledged both); if queueing fails the ledger
 * entry is removed and the error propagates, so a caller never gets a MessageId for mail that
 * is not durably queued.
 */
export class MessageProducer {
  constructor(private readonly o: { queue: Queue<DeliveryPayload>; messages: MessageStore; policy: RetryPolicyOptions }) {}

  async enqueue(spec: MessageSpec): Promise<void> {
    await this.o.messages.accept(spec);
    try {
      await this.o.queue.add(JOB.deliverMessage, { messageId: spec.messageId }, deliverMessageJobOptions(spec.messageId, this.o.policy));
    } catch (err) {
      await this.o.messages.discard(spec).catch(() => undefined); // best effort; the original error is what the caller needs
      throw err;
    }
  }
}
