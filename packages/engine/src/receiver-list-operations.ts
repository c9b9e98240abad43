import type { AppendResult, ReceiverDetailPage, ReceiverRecord, ReplacementOutcome } from '@postmill/store';

/** One address to add to a receiver list, with its template data (a JSON object string). */
export interface ReceiverEntryInput {
  readonly email: string;
  readonly templateData?: string;
}

/** The member to remove from a list. */
export interface ReceiverEntryRemoval {
  /** Compared case-insensitively, as uploads compare addresses. */
  readonly email: string;
}

/** One member to replace: the entry of `email` (case-insensitive) becomes `entry`, at the same position. */
export interface ReceiverEntryReplacement {
  readonly email: string;
  readonly entry: ReceiverEntryInput;
}

/** Which entries of a list to read. */
export interface ReceiverDetailsInput {
  readonly offset: number;
  readonly limit: number;
  /** Case-insensitive "contains" match; a complete valid address is matched exactly instead. */
  readonly email?: string;
  /** 1 valid entries only, 2 refused entries only; both (valid first) when absent. */
  readonly status?: 1 | 2;
  /** Uploaded at or after: `YYYY-MM-DD` (from that day's start) or `YYYY-MM-DD hh:mm:ss`, deployment zone. */
  readonly createdFrom?: string;
  /** Uploaded at or before: `YYYY-MM-DD` (through that day's end) or `YYYY-MM-DD hh:mm:ss`, deployment zone. */
  readonly createdUntil?: string;
  /** Valid entries at or after this position only (a cursor: the last row's `index` + 1), so removals between pages shift nothing. Default 0. */
  readonly fromIndex?: number;
}

/** Receiver lists. */
export interface ReceiverListOperations {
  /** `invalid-input` for a bad name or description, `already-exists` for a duplicate name. */
  /** `alias`: an alias shown back with the list (DirectMail's ReceiversAlias); lists are never addressed by it. */
  create(input: { name: string; desc?: string; alias?: string }): Promise<ReceiverRecord>;
  /**
   * Appends entries synchronously: `missing-parameter` (no entries), `limit-exceeded`
   * (`batch-size`, `receiver-list-size`), `receiver-list-not-found`, `receiver-list-busy`,
   * `receiver-entries-refused` when every entry is refused.
   */
  append(receiverId: number, entries: readonly ReceiverEntryInput[]): Promise<AppendResult>;
  /** A page of lists in creation order, optionally by status and part of the name; `limit-exceeded` (`page-size`). */
  list(query: { offset: number; limit: number; status?: number; keyword?: string }): Promise<{ total: number; items: ReceiverRecord[] }>;
  /** A page of a list's entries: `limit-exceeded` (`page-size`), `invalid-date` (`format`), `receiver-list-not-found`. */
  details(receiverId: number, query: ReceiverDetailsInput): Promise<ReceiverDetailPage>;
  /** Renames a list or changes its description or alias: `invalid-input` as create, `already-exists`, `receiver-list-not-found`. */
  update(receiverId: number, change: { name?: string; desc?: string; alias?: string }): Promise<ReceiverRecord>;
  /** `receiver-list-not-found`. */
  delete(receiverId: number): Promise<void>;
  /**
   * Removes one member (DirectMail's DeleteReceiverDetail): the address's entry leaves the list's
   * counts and listings at once; its position stays, so a campaign running over the list records
   * it as removed instead of sending it (see the campaign's guarantee in send-chunk-processor.ts).
   * The address may be added again later, as a new entry. Refusals: `missing-parameter` (`email`
   * empty), `receiver-list-not-found`, `receiver-list-busy` (an upload to the list runs),
   * `invalid-address` (`email`) for an address that is not in the list and could not be (malformed),
   * `receiver-entry-not-found` for a well-formed one that is not in it.
   */
  removeEntry(receiverId: number, input: ReceiverEntryRemoval): Promise<void>;
  /**
   * Replaces members in place, in one atomic step: every new entry is validated first (the list's
   * variable names included) and one refusal (`receiver-entries-refused`) changes nothing; a
   * replaced member keeps its position. A change whose member is not in the list, or whose new
   * address is another member's, leaves the list as it was (its outcome says which). One outcome per
   * change, in order. Refusals also: `missing-parameter` (no changes), `limit-exceeded`
   * (`batch-size`), `receiver-list-not-found`, `receiver-list-busy`.
   */
  replaceEntries(receiverId: number, changes: readonly ReceiverEntryReplacement[]): Promise<ReplacementOutcome[]>;
}
