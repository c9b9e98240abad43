import type { MailEvent } from '@postmill/core';

/** Which events a page lists: exactly one of messageId, recipient, taskId; or none, with fromMs and toMs (a time range). */
export interface EventListInput {
  readonly messageId?: string;
  readonly recipient?: string;
  readonly taskId?: number;
  /** Earliest event time, epoch ms (inclusive). Required without an index filter. */
  readonly fromMs?: number;
  /** Latest event time, epoch ms (inclusive). Required without an index filter. */
  readonly toMs?: number;
  /** Events per page, 1..1000. Default 100. */
  readonly limit?: number;
  /** The `next` of the previous page. */
  readonly cursor?: string;
}

/** The recipient-level event log (request, delivered, deferred, bounced, dropped, opened, clicked, unsubscribed). */
export interface EventOperations {
  /**
   * One page of events in time order and the cursor of the next (absent on the last page).
   * `invalid-input` for two index filters at once, a time range missing a bound or reversed, a
   * limit outside 1..1000, or a malformed cursor. Each page costs what its events cost to read.
   */
  list(input: EventListInput): Promise<{ events: readonly MailEvent[]; next?: string }>;
}
