import { createHash } from 'node:crypto';
import type { MailEventKind } from '@postmill/core';

/** What makes one event distinct: the same four values always give the same id. */
export interface EventIdentity {
  readonly messageId: string;
  readonly recipient: string;
  readonly kind: MailEventKind;
  /**
   * What tells two events of one kind apart for one recipient of one message: the ledger state's
   * own `at` for state transitions (a retried or crash-replayed record carries the same state, so
   * the same id), the hit's time and link for opens and clicks.
   */
  readonly discriminator: string | number;
}

/**
 * The stable id of an event: `<kind>-<22 base64url characters of SHA-256>` over the identity.
 * Guarantees: deterministic; within MailEvent's id alphabet and length; distinct identities
 * collide with SHA-256's (negligible) odds. The event log stores one event per id, and webhook
 * receivers deduplicate on it.
 */
export function mailEventId(identity: EventIdentity): string {
  const digest = createHash('sha256')
    .update(`${identity.messageId}\n${identity.recipient.toLowerCase()}\n${identity.kind}\n${identity.discriminator}`)
    .digest('base64url')
    .slice(0, 22);
  return `${identity.kind}-${digest}`;
}
