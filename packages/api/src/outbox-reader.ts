/** What the outbox pages show of one stored message (the MIME body is fetched separately). */
export interface OutboxEntryView {
  readonly id: string;
  readonly postmillMessageId: string;
  /** Envelope sender address. */
  readonly from: string;
  /** Envelope recipients of the request this copy was made for. */
  readonly recipients: readonly string[];
  readonly subject: string;
  /** When the copy was stored, epoch ms. */
  readonly storedAt: number;
  readonly sizeBytes: number;
}

/**
 * The port the outbox pages read through (the outbox transport's store implements it): the API
 * depends on this, not on a transport's storage. Guarantees of an implementation: newest first,
 * `total` counts every match, `get` answers the exact bytes the transport stored.
 */
export interface OutboxReader {
  list(offset: number, limit: number): Promise<{ total: number; items: OutboxEntryView[] }>;
  /** Entries whose recipients or subject contain `query` (case-insensitive). */
  search(query: string, offset: number, limit: number): Promise<{ total: number; items: OutboxEntryView[] }>;
  get(id: string): Promise<{ entry: OutboxEntryView; mime: Buffer } | undefined>;
}
