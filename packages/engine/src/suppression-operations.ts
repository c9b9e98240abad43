import type { BlacklistAddResult, BlacklistEntry, BlacklistQuery } from '@postmill/store';

/** Addresses Postmill never sends to (the custom blacklist) and who unsubscribed from whom. */
export interface SuppressionOperations {
  /**
   * Blocks addresses from now through `expireDate` (YYYY-MM-DD, inclusive) or forever:
   * `missing-parameter` (none given), `limit-exceeded` (`batch-size`), `invalid-date`.
   */
  add(emails: readonly string[], options?: { expireDate?: string }): Promise<BlacklistAddResult>;
  /** A page in id order; `limit-exceeded` (`page-size`). */
  list(query: BlacklistQuery): Promise<{ total: number; items: BlacklistEntry[] }>;
  /** `suppression-entry-not-found`, `invalid-address`, `invalid-date`, `already-exists`. */
  update(id: number, change: { email: string; expireDate?: string }): Promise<BlacklistEntry>;
  /** Unblocks addresses; unknown ones are ignored. `missing-parameter`, `limit-exceeded` (`batch-size`). */
  remove(emails: readonly string[]): Promise<void>;
  /** Whether `recipient` unsubscribed from `sender`. */
  isUnsubscribed(sender: string, recipient: string): Promise<boolean>;
}
