import { type MailTransport, ProviderError, type TransportRequest, type TransportResult, toProviderError } from '@postmill/core';
import { buildMimeForSend } from './mime.ts';
import type { OutboxStore } from './outbox-store.ts';

/** Options of the outbox transport. */
export interface OutboxTransportOptions {
  /** Where copies go; the transport does not own (or close) its Redis connection. */
  readonly store: OutboxStore;
}

/**
 * A transport that delivers nowhere: it keeps one MIME copy per request in the outbox, for local
 * development and demos. Guarantees: one stored copy per `send` (its recipients are the request's
 * envelope recipients), every recipient accepted with `250 stored in outbox as <id>`; a Redis
 * failure throws a `Network.*` ProviderError and stores nothing. `close()` waits for sends in
 * flight and is idempotent; sends after it throw `Network.TransportClosed`.
 */
export function createOutboxTransport(options: OutboxTransportOptions): MailTransport {
  const inFlight = new Set<Promise<unknown>>();
  let closing: Promise<void> | undefined;

  async function deliver(request: TransportRequest): Promise<TransportResult> {
    if (request.recipients.length === 0) return { outcomes: [] };
    const mime = await buildMimeForSend(request.message);
    const id = await options.store.add(
      {
        postmillMessageId: request.postmillMessageId,
        from: request.message.from.address,
        recipients: request.recipients,
        subject: request.message.subject,
      },
      mime,
    );
    const response = `250 stored in outbox as ${id}`;
    return { outcomes: request.recipients.map((recipient) => ({ recipient, accepted: true, response })) };
  }

  return {
    kind: 'outbox',
    send(request) {
      if (closing) return Promise.reject(new ProviderError('Network.TransportClosed', 'the outbox transport is closed', { kind: 'transient' }));
      const result = deliver(request).catch((err: unknown) => {
        throw toProviderError(err, { kind: 'transient' });
      });
      inFlight.add(result);
      const forget = () => inFlight.delete(result);
      result.then(forget, forget);
      return result;
    },
    close() {
      closing ??= Promise.allSettled([...inFlight]).then(() => undefined);
      return closing;
    },
  };
}
