import type { MessageSpec } from '@postmill/core';
import type { DeliveryIntakeStore, MessageStore } from '@postmill/store';

/**
 * Accepts messages for delivery. Guarantees: `enqueue` resolves only after the message is in the
 * ledger AND its id is in the delivery intake (Redis acknowledged both, in that order, so the
 * intake never names a message the ledger does not hold yet); the intake pump of a worker then
 * creates its delivery job (startIntakePump). If either write fails, the ledger entry is removed
 * and the error propagates, so a caller never gets a MessageId for mail that is not durably queued.
 * The BullMQ job is not created here: that is most of the API's cost per SendEmail, and the pump
 * creates jobs in batches off the request path.
 */
export class MessageProducer {
  constructor(private readonly o: { messages: MessageStore; intake: DeliveryIntakeStore }) {}

  async enqueue(spec: MessageSpec): Promise<void> {
    await this.o.messages.accept(spec);
    try {
      await this.o.intake.push(spec.messageId);
    } catch (err) {
      await this.o.messages.discard(spec).catch(() => undefined); // best effort; the original error is what the caller needs
      throw err;
    }
  }
}
