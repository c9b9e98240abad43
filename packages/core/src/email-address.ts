import { ValidationError } from './errors.ts';

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

/** Guarantees a canonical form: the domain part lower-cased, the local part kept as given. */
export function normalizeEmail(value: string): string {
  const at = value.lastIndexOf('@');
  return at < 0 ? value : value.slice(0, at) + value.slice(at).toLowerCase();
}

/** The lower-cased domain of an address. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/**
 * Parses Tencent's sender syntax: `addr@domain` or `Alias <addr@domain>` (exactly one space before
 * `<`, no `:` in the alias). Throws ValidationError with the given code when malformed.
 */
export function parseMailbox(value: string, invalidCode: string): Mailbox {
  const trimmed = value.trim();
  const m = /^(.*\S) <([^<>]+)>$/u.exec(trimmed);
  const address = m ? (m[2] ?? '') : trimmed;
  const name = m ? m[1] : undefined;
  if (!isValidEmail(address)) {
    throw new ValidationError(invalidCode, `"${value}" is not a valid email address`, { context: { value } });
  }
  if (name !== undefined && (/[:\r\n<>"]/u.test(name) || name.length > 128)) {
    throw new ValidationError(invalidCode, `the alias in "${value}" may not contain ':', '<', '>', quotes or line breaks`, {
      context: { value },
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
