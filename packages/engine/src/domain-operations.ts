import type { EmailIdentityRecord, IdentityTag } from '@postmill/store';

/** A sender domain to create. */
export interface CreateDomainInput {
  readonly name: string;
  /** DKIM key option (0 = 1024-bit, 1 = 2048-bit, 2 = both). Recorded, not yet acted on. Default 0. */
  readonly dkimOption?: number;
  readonly tags?: readonly IdentityTag[];
}

/** Sender domains. */
export interface DomainOperations {
  /** `invalid-input` for a malformed name, `already-exists` for a duplicate. */
  create(input: CreateDomainInput): Promise<EmailIdentityRecord>;
  /** `domain-not-found` when it does not exist. */
  get(name: string): Promise<EmailIdentityRecord>;
  /**
   * A page in creation order (`offset` default 0, `limit` default the page maximum; above it
   * `limit-exceeded`); with `tags`, only domains carrying every given pair (in `total` too).
   */
  list(query: { offset?: number; limit?: number; tags?: readonly IdentityTag[] }): Promise<{ total: number; items: EmailIdentityRecord[] }>;
  /** Records a new DKIM option (or only reads, when absent); `domain-not-found`. */
  update(name: string, change: { dkimOption?: number }): Promise<EmailIdentityRecord>;
  /** `domain-not-found`; `domain-has-senders` while sender addresses on it exist. */
  delete(name: string): Promise<void>;
}
