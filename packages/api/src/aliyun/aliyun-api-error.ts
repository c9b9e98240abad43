import type { AcsAuthFailureCode } from '@postmill/acs';

/**
 * The refusals the DirectMail dialect decides itself (protocol and parameters, and DirectMail's
 * own name lookups), each with its context. error-table.ts gives each its Alibaba code, HTTP
 * status and message; refusals from the engine arrive as EngineError kinds instead.
 */
export interface DialectErrorContexts {
  'auth-refused': { readonly code: AcsAuthFailureCode; readonly message: string };
  'nonce-used': { readonly nonce: string };
  throttled: { readonly limitPerSecond: number };
  'missing-action': Record<string, never>;
  'unknown-action': { readonly action: string };
  /** An action the cloud has that Postmill does not serve (dedicated IPs, validation, …). */
  'cloud-only-action': { readonly action: string; readonly feature: string };
  'unsupported-http-method': { readonly method: string };
  'invalid-format': { readonly format: string };
  'invalid-version': { readonly version: string };
  'missing-parameter': { readonly name: string };
  'invalid-parameter': { readonly name: string; readonly detail: string };
  /** DirectMail's own `Invalid<Name>.Malformed` refusals (TemplateName, TagName, KeyWord…). */
  'malformed-parameter': { readonly name: string; readonly detail: string };
  'body-too-large': { readonly maxBytes: number };
  /** The request line and headers together are over the limit (Node's parser refused them). */
  'head-too-large': { readonly maxBytes: number };
  'unreadable-request': { readonly detail: string };
  /** DirectMail addresses things by name or by its own ids; these did not resolve. */
  'mail-address-not-found': { readonly address: string };
  'mail-address-id-not-found': { readonly mailAddressId: number };
  'domain-id-not-found': { readonly domainId: number };
  /** A ReceiverId that cannot name a list (Postmill's ids are decimal numbers). */
  'receiver-id-not-found': { readonly receiverId: string };
  'receiver-name-not-usable': { readonly name: string; readonly reason: 'not-found' | 'empty' };
  'template-name-not-found': { readonly name: string };
  'tag-not-found': { readonly tag: string };
  'tag-id-not-found': { readonly tagId: number };
  'ticket-not-found': Record<string, never>;
  'reply-address-missing': { readonly mailAddressId: number };
  'invalid-password': { readonly detail: string };
  /** BatchSendMail from an address made for trigger (transactional) mail. */
  'mail-address-send-type': { readonly address: string; readonly sendType: string };
  'template-name-duplicate': { readonly name: string };
  'tag-name-duplicate': { readonly name: string };
  /** UpdateMailAddressMsgCallBackUrl / Get…: the MailFrom is not a sender address. */
  'mail-from-unknown': { readonly mailFrom: string };
  'notify-url-malformed': { readonly url: string };
}

export type DialectErrorKind = keyof DialectErrorContexts;

/** A refusal decided in the DirectMail dialect; rendered through error-table.ts only. */
export class AliyunApiError<K extends DialectErrorKind = DialectErrorKind> extends Error {
  override readonly name = 'AliyunApiError';
  constructor(
    readonly kind: K,
    readonly context: DialectErrorContexts[K],
    options: { cause?: unknown } = {},
  ) {
    super(kind, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** Shorthand for the common `Missing<Name>` refusal. */
export function missing(name: string): AliyunApiError<'missing-parameter'> {
  return new AliyunApiError('missing-parameter', { name });
}

/** Shorthand for the common `Invalid<Name>` refusal. */
export function invalid(name: string, detail: string): AliyunApiError<'invalid-parameter'> {
  return new AliyunApiError('invalid-parameter', { name, detail });
}
