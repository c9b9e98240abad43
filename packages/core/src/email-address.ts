import { EngineError } from './engine-error.ts';

/** A parsed sender or recipient: `address` is lower-cased in its domain part only. */
export interface Mailbox {
  readonly address: string;
  readonly name?: string;
}

// Deliberately conservative (RFC 5321 dot-atom local part, LDH domain labels, a TLD of 2+ letters):
// anything accepted here is deliverable syntax for every transport, and no CR, LF, comma, angle
// bracket or quote can ever pass, so an address can never inject a header or a second recipient.
const LOCAL = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*";
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const EMAIL_RE = new RegExp(`^${LOCAL}@(?:${LABEL}\\.)+[A-Za-z]{2,63}$`);
const DOMAIN_RE = new RegExp(`^(?:${LABEL}\\.)+[A-Za-z]{2,63}$`);

/** True when `value` is a plain address Postmill will deliver to (max 254 chars, local part max 64). */
export function isValidEmail(value: string): boolean {
  if (value.length > 254) return false;
  const at = value.lastIndexOf('@');
  if (at < 1 || at > 64) return false;
  return EMAIL_RE.test(value);
}

/** True when `value` is a syntactically valid domain name (no trailing dot). */
export function isValidDomain(value: string): boolean {
  return value.length <= 253 && DOMAIN_RE.test(value);
}

/**
 * Guarantees a display form: the domain part lower-cased, the local part kept as given (its case
 * is the sender's to choose). Not a comparison key: compare with addressKey.
 */
export function normalizeEmail(value: string): string {
  const at = value.lastIndexOf('@');
  return at < 0 ? value : value.slice(0, at) + value.slice(at).toLowerCase();
}

/**
 * The comparison key of an address: the ONE rule by which Postmill decides that two spellings are
 * the same mailbox (recipient de-duplication, blacklist, unsubscribes, receiver lists, the status
 * index). Guarantees: `addressKey(a) === addressKey(b)` exactly when a and b differ only in letter
 * case, in the domain (DNS is case-insensitive) and in the local part. RFC 5321 lets a receiving
 * server treat local parts case-sensitively, but Gmail, Outlook, Tencent's mailboxes and every
 * mainstream provider do not, and `Bob@x` and `bob@x` getting two copies (or one escaping the
 * blacklist) is the surprise callers actually meet. The exception is a quoted local part
 * (`"John Doe"@x`), a literal string kept exactly as given; Postmill refuses such addresses at
 * every entry point (isValidEmail), so this only keeps the key honest for callers that did not
 * validate. No IDNA mapping: accepted domains are ASCII (a-label `xn--` form included), and a
 * Unicode domain is never converted to its punycode form. The key is for comparison only:
 * addresses are stored, sent and shown in their first-seen spelling.
 */
export function addressKey(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return address.toLowerCase();
  const local = address.slice(0, at);
  const quoted = local.length >= 2 && local.startsWith('"') && local.endsWith('"');
  return (quoted ? local : local.toLowerCase()) + address.slice(at).toLowerCase();
}

/** Guarantees each mailbox once (by addressKey), in first-seen order and first-seen spelling. */
export function uniqueAddresses(addresses: Iterable<string>): string[] {
  const seen = new Map<string, string>();
  for (const a of addresses) {
    const key = addressKey(a);
    if (!seen.has(key)) seen.set(key, a);
  }
  return [...seen.values()];
}

/** The lower-cased domain of an address. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/**
 * Parses a mailbox: `addr@domain` or `Alias <addr@domain>` (exactly one space before `<`, no `:`
 * in the alias). Throws EngineError `invalid-address` naming `field` (the engine's input field the
 * value came from) when malformed.
 */
export function parseMailbox(value: string, field: string): Mailbox {
  const trimmed = value.trim();
  const m = /^(.*\S) <([^<>]+)>$/u.exec(trimmed);
  const address = m ? (m[2] ?? '') : trimmed;
  const name = m ? m[1] : undefined;
  if (!isValidEmail(address)) {
    throw new EngineError('invalid-address', `"${value}" is not a valid email address`, { context: { field, value } });
  }
  if (name !== undefined && (/[:\r\n<>"]/u.test(name) || name.length > 128)) {
    throw new EngineError('invalid-address', `the alias in "${value}" may not contain ':', '<', '>', quotes or line breaks`, {
      context: { field, value },
    });
  }
  return name === undefined ? { address: normalizeEmail(address) } : { address: normalizeEmail(address), name };
}

/**
 * Renders a mailbox back to `Alias <addr>` form. Guarantees a single address when re-parsed: an
 * alias with RFC 5322 specials (comma, semicolon, dot, parentheses...) is quoted, so
 * `Smith, John` cannot read as two mailboxes (aliases never contain quotes, see parseMailbox).
 */
export function formatMailbox(mailbox: Mailbox): string {
  if (!mailbox.name) return mailbox.address;
  const name = /[,;().[\]@\\]/u.test(mailbox.name) ? `"${mailbox.name}"` : mailbox.name;
  return `${name} <${mailbox.address}>`;
}
