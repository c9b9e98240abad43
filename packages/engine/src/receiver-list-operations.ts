import type { AppendResult, ReceiverDetailPage, ReceiverDetailQuery, ReceiverRecord } from '@postmill/store';

/** One address to add to a receiver list, with its template data (a JSON object string). */
export interface ReceiverEntryInput {
  readonly email: string;
  readonly templateData?: string;
}

/** Receiver lists. */
export interface ReceiverListOperations {
  /** `already-exists` for a duplicate name. */
  create(input: { name: string; desc?: string }): Promise<ReceiverRecord>;
  /**
   * Appends entries synchronously: `missing-parameter` (no entries), `limit-exceeded`
   * (`batch-size`, `receiver-list-size`), `receiver-list-not-found`, `receiver-list-busy`,
   * `receiver-entries-refused` when every entry is refused.
   */
  append(receiverId: number, entries: readonly ReceiverEntryInput[]): Promise<AppendResult>;
  /** A page of lists in creation order, optionally by status and part of the name. */
  list(query: { offset: number; limit: number; status?: number; keyword?: string }): Promise<{ total: number; items: ReceiverRecord[] }>;
  /** A page of a list's entries; `receiver-list-not-found`. */
  details(receiverId: number, query: ReceiverDetailQuery): Promise<ReceiverDetailPage>;
  /** `receiver-list-not-found`. */
  delete(receiverId: number): Promise<void>;
}
