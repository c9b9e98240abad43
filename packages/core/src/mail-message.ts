import type { Mailbox } from './email-address.ts';

/** One attachment as the API received it (base64, already validated). */
export interface MailAttachment {
  readonly filename: string;
  readonly contentBase64: string;
  /** MIME type; builders infer it from the file name when absent. */
  readonly contentType?: string;
  /**
   * Set for an inline part (an image the html shows as `cid:<contentId>`, SendCloud's
   * `embeddedImage`): builders write it with `Content-ID: <contentId>` and
   * `Content-Disposition: inline`, beside the html in a multipart/related. Absent for an ordinary
   * attachment. Free of CR/LF and angle brackets (the builders refuse them).
   */
  readonly contentId?: string;
}

/**
 * A fully rendered message, identical for every recipient of one provider request.
 * Guarantees: every string that ends up in a header is free of CR/LF (validated at the API,
 * re-checked by the MIME builder); `bcc` never appears in any header.
 */
export interface MailMessage {
  /** Envelope sender and, unless `headerFrom` is set, the From header. */
  readonly from: Mailbox;
  /** Tencent `HeaderFrom`: the From header when it differs from the envelope sender. */
  readonly headerFrom?: string;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly bcc: readonly string[];
  readonly replyTo?: string;
  readonly subject: string;
  readonly html?: string;
  readonly text?: string;
  readonly attachments: readonly MailAttachment[];
  /** RFC 5322 Message-ID including angle brackets, deterministic per message (and per recipient when personalised). */
  readonly messageId: string;
  /** Extra headers (Tencent `SmtpHeaders`, List-Unsubscribe, ...), names as given. */
  readonly headers: Readonly<Record<string, string>>;
  /** Date header, epoch ms. */
  readonly dateMs: number;
}

/** One provider request: a message and the envelope recipients it goes to (a subset of to ∪ cc ∪ bcc). */
export interface TransportRequest {
  readonly message: MailMessage;
  readonly recipients: readonly string[];
  /** Postmill's own message id (the API MessageId), for logs and for transports that keep mail (outbox). */
  readonly postmillMessageId: string;
}

/** What the provider said about one recipient of a request. */
export type RecipientOutcome =
  | { readonly recipient: string; readonly accepted: true; readonly response: string }
  | { readonly recipient: string; readonly accepted: false; readonly error: import('./provider-error.ts').ProviderError };

/** The result of a request the provider answered: one outcome per requested recipient. */
export interface TransportResult {
  readonly outcomes: readonly RecipientOutcome[];
}

/** The transports Postmill ships. */
export const TRANSPORT_KINDS = ['outbox', 'smtp', 'tencent-ses', 'aliyun-dm', 'sendcloud', 'null'] as const;
export type TransportKind = (typeof TRANSPORT_KINDS)[number];

/**
 * The port every transport adapter implements.
 * Guarantees expected of adapters: `send` either resolves with one outcome per requested recipient,
 * or throws a ProviderError that applies to the whole request (network failure, throttling, a
 * provider error code). It never throws anything else. `close()` is idempotent.
 */
export interface MailTransport {
  readonly kind: TransportKind;
  send(request: TransportRequest): Promise<TransportResult>;
  /**
   * Optional: several personal messages in ONE provider request (the caller spends one limiter slot
   * on it). Guarantees expected of adapters: each of `requests` has exactly one recipient and its
   * own rendered message, at most `personalisedBatchSize` of them; given one group of
   * `personalisedGroups` (or any part of one) the call makes exactly one provider request; it
   * resolves with one outcome per request, naming that request's recipient, each recipient
   * receiving only its own message (its own subject and bodies); or it throws a ProviderError that
   * applies to every request of the call, none of which was then accepted. Like `send`, it never
   * throws anything else. Absent: callers send one request per message with `send`.
   */
  sendPersonalised?(requests: readonly TransportRequest[]): Promise<TransportResult>;
  /**
   * With `sendPersonalised`: splits personal messages (at most `personalisedBatchSize`) into the
   * groups that can share one provider request, in order, every request in exactly one group. Pure
   * (no I/O); a message the provider cannot send together with others is a group of its own.
   */
  personalisedGroups?(requests: readonly TransportRequest[]): readonly (readonly TransportRequest[])[];
  /** With `sendPersonalised`: most requests one call takes (≥ 1). */
  readonly personalisedBatchSize?: number;
  /**
   * Optional. Loads and exercises this process's sending path (lazily loaded HTTP client code,
   * signing) WITHOUT contacting the provider, so that a fresh worker's first request starts on its
   * rate-limiter slot instead of tens of milliseconds after it. Workers await it before their first job.
   */
  warmUp?(): Promise<void>;
  close(): Promise<void>;
}
