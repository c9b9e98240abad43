import type { SenderAddressRecord } from '@postmill/store';

/** Sender addresses. */
export interface SenderOperations {
  /**
   * Creates an address on an existing domain: `invalid-address`, `domain-not-found`,
   * `already-exists`, `limit-exceeded` (`sender-addresses`).
   */
  create(input: { address: string; senderName?: string }): Promise<SenderAddressRecord>;
  /** `sender-not-found` when it does not exist. */
  get(address: string): Promise<SenderAddressRecord>;
  /** Every address, oldest first. */
  list(): Promise<SenderAddressRecord[]>;
  /** `sender-not-found` when it does not exist. */
  delete(address: string): Promise<void>;
}
