import type { SenderAddressRecord } from '@postmill/store';

/** Sender addresses. */
export interface SenderOperations {
  /**
   * Creates an address on an existing domain, with no dialect attributes (nothing a deleted address
   * of the same name had): `invalid-address`, `domain-not-found`, `already-exists`,
   * `limit-exceeded` (`sender-addresses`).
   */
  create(input: { address: string; senderName?: string }): Promise<SenderAddressRecord>;
  /** `sender-not-found` when it does not exist. */
  get(address: string): Promise<SenderAddressRecord>;
  /** Every address, oldest first. */
  list(): Promise<SenderAddressRecord[]>;
  /**
   * Deletes the address and everything Postmill keeps about it for any dialect (DirectMail's send
   * type, reply-to address and its verification, SMTP password hash, callback URL), in one atomic
   * step: an address created again later starts with none of it. `sender-not-found` when it does
   * not exist. Recipients who unsubscribed from the address stay unsubscribed (their choice, not a
   * setting of the sender).
   */
  delete(address: string): Promise<void>;
}
