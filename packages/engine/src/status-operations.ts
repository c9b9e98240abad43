import type { RecipientState } from '@postmill/core';

/** Which delivery states to read: messages accepted on `date` (YYYY-MM-DD, deployment zone). */
export interface StatusQueryInput {
  readonly date: string;
  readonly offset: number;
  readonly limit: number;
  readonly messageId?: string;
  readonly recipient?: string;
}

/** One recipient of one message, as its ledger has it now. */
export interface RecipientStatus {
  readonly messageId: string;
  readonly from: string;
  readonly recipient: string;
  readonly acceptedAt: number;
  readonly state: RecipientState;
  readonly unsubscribed: boolean;
}

/** Delivery status of single messages and campaign mail. */
export interface StatusOperations {
  /** `invalid-date` (`format`, `retention`), `limit-exceeded` (`page-size`). */
  query(input: StatusQueryInput): Promise<RecipientStatus[]>;
}
