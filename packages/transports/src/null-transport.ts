import type { MailTransport, TransportRequest } from '@postmill/core';

/** Options of `createNullTransport`. */
export interface NullTransportOptions {
  /** Personal messages one `sendPersonalised` call takes (the config passes SEND_CHUNK_SIZE). Default 50. */
  readonly personalisedBatchSize?: number;
}

const DEFAULT_BATCH_SIZE = 50;

const accepted = (requests: readonly TransportRequest[]) => ({
  outcomes: requests.flatMap((r) => r.recipients.map((recipient) => ({ recipient, accepted: true as const, response: '250 discarded (null transport)' }))),
});

/**
 * A transport that accepts every recipient and keeps nothing. For benchmarks and dry runs: the
 * worker still plans, paces and records every recipient in the ledger exactly as with a real one.
 * It takes personal messages in batches of `personalisedBatchSize` (all in one group), as a
 * provider that sends them in one request would, so a campaign's per-request cost is per batch.
 */
export function createNullTransport(options: NullTransportOptions = {}): MailTransport {
  const batchSize = Math.max(1, options.personalisedBatchSize ?? DEFAULT_BATCH_SIZE);
  return {
    kind: 'null',
    async send(request) {
      return accepted([request]);
    },
    async sendPersonalised(requests) {
      return accepted(requests);
    },
    personalisedGroups: (requests) => (requests.length === 0 ? [] : [requests]),
    personalisedBatchSize: batchSize,
    async close() {},
  };
}
