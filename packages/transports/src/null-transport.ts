import type { MailTransport } from '@postmill/core';

/**
 * A transport that accepts every recipient and keeps nothing. For benchmarks and dry runs: the
 * worker still plans, paces and records every recipient in the ledger exactly as with a real one.
 */
export function createNullTransport(): MailTransport {
  return {
    kind: 'null',
    async send(request) {
      return { outcomes: request.recipients.map((recipient) => ({ recipient, accepted: true as const, response: '250 discarded (null transport)' })) };
    },
    async close() {},
  };
}
