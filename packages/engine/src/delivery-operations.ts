import type { RecipientState } from '@postmill/core';

/** Where a delivery comes from: a single message (SendEmail-like) or a campaign run (MessageId `pm-task-<task>-<run>-<index>`). */
export type DeliverySource = 'message' | 'campaign';

/**
 * One recipient of one message with its delivery state, in Postmill's vocabulary. `state` is the
 * ledger's: `queued`, `sent`, `deferred`, `failed` (with `transient` telling a failure that used up
 * its retries from a permanent one); its `code` is one of Postmill's own refusals
 * (DeliveryRefusal: `Postmill.Unsubscribed`, …) or the provider's code as the transport recorded
 * it (`SMTP.550`, …). Each dialect writes both in its own terms.
 */
export interface DeliveryRow {
  readonly source: DeliverySource;
  readonly messageId: string;
  /** The sender address. */
  readonly from: string;
  readonly recipient: string;
  readonly subject: string;
  /** When the message was accepted, epoch ms; for campaign mail, when its run started. */
  readonly acceptedAt: number;
  readonly state: RecipientState;
  /** Whether the recipient unsubscribed from `from`: read only when the query asks (`withUnsubscribed`), else undefined. */
  readonly unsubscribed: boolean | undefined;
}

/** A page of one day's deliveries. Filters narrow it; each one given must match. */
export interface DeliveryDayQuery {
  /** YYYY-MM-DD in the deployment's zone, within the status retention (today and the `statusRetentionDays` before). */
  readonly date: string;
  readonly offset: number;
  /** At most `limits.maxPageLimit`. */
  readonly limit: number;
  /** Only this message's rows (a campaign MessageId addresses one recipient of one run). */
  readonly messageId?: string;
  /** Only rows to this address (any case). */
  readonly recipient?: string;
  /** Only campaign rows of this task. */
  readonly taskId?: number;
  /** Only rows of mail sent with this tag (a single message's tag, a campaign task's). */
  readonly tag?: string;
  /** Only rows of this source. Default both: single messages first, then campaign mail. */
  readonly source?: DeliverySource;
  /** Also read whether each recipient unsubscribed from its sender (one command per sender of the page). Default false. */
  readonly withUnsubscribed?: boolean;
}

/** What to count of one day (the filters of DeliveryDayQuery that keep a count exact). */
export interface DeliveryDayCount {
  /** As in DeliveryDayQuery. */
  readonly date: string;
  readonly recipient?: string;
  readonly tag?: string;
}

/** One message's deliveries, whatever its day. */
export interface DeliveryMessageQuery {
  readonly messageId: string;
  /** Only this address's row (any case). */
  readonly recipient?: string;
  /** As in DeliveryDayQuery. Default false. */
  readonly withUnsubscribed?: boolean;
}

/** A page of one campaign run's deliveries, in list order. */
export interface DeliveryRunQuery {
  readonly taskId: number;
  /** The run (occurrence) number. */
  readonly run: number;
  readonly offset: number;
  /** At most `limits.maxPageLimit`. */
  readonly limit: number;
  /** As in DeliveryDayQuery. Default false. */
  readonly withUnsubscribed?: boolean;
}

/**
 * Per-recipient delivery status of every mail Postmill accepted, single messages and campaign runs.
 * Guarantees: what is shown is the ledger at the moment of the call; a page costs the messages it
 * shows plus a constant number of Redis commands, whatever the day's volume and the offset
 * (MessageStore's and RunDayIndex's day indexes; a recipient or task filter on campaign mail also
 * reads the day's run index, a hundred runs per command). Refusals: `invalid-date` (`format`,
 * `retention`), `limit-exceeded` (`page-size`), `task-not-found`.
 */
export interface DeliveryOperations {
  /**
   * A page of the day's rows: single messages in acceptance order then recipient order, then
   * campaign mail in run-start order then list order (Offset runs across both).
   */
  byDate(query: DeliveryDayQuery): Promise<DeliveryRow[]>;
  /**
   * How many rows byDate lists for the day with these filters, exactly. Costs: without filters two
   * counters (single and campaign mail); a tag adds the tag's own day index for single mail (a
   * counter) and a walk of the day's runs for campaign mail (a hundred runs per command, one task
   * read per task); a recipient looks it up once per run of the day; a recipient and a tag together
   * read that recipient's rows of the day (as few as the mail they got). Refusals as byDate.
   */
  countByDate(query: DeliveryDayCount): Promise<number>;
  /** The rows of one message (none when unknown or expired): one command for a single message. */
  byMessage(query: DeliveryMessageQuery): Promise<DeliveryRow[]>;
  /** A page of one run with the run's size: `task-not-found`; a run not started yet has no rows (`total` 0). */
  byRun(query: DeliveryRunQuery): Promise<{ total: number; rows: DeliveryRow[] }>;
}
