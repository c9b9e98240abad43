import { createHmac, timingSafeEqual } from 'node:crypto';
import { grantKey } from './tracking-grant.ts';

/** What one tracking token says: who opened or clicked what in which message. */
export interface TrackingClaim {
  readonly kind: 'open' | 'click';
  /** The grant's scope (message or task) whose key signed the token. */
  readonly scope: string;
  /** Postmill's message id (the API MessageId; a campaign mail's `pm-task-…`). */
  readonly messageId: string;
  readonly recipient: string;
  /** The sender domain statistics are counted under. */
  readonly fromDomain: string;
  /** The send's tag, when it had one. */
  readonly tag?: string;
  /** For a click: the absolute http(s) URL that was in the mail, normalised by WHATWG URL. */
  readonly url?: string;
}

/** Tokens longer than this are refused unread (a tracked link is at most MAX_TRACKED_URL_LENGTH long). */
export const MAX_TOKEN_LENGTH = 8192;

const VERSION = 1;
const KINDS = { open: 'o', click: 'c' } as const;

function mac(payload: string, key: string): string {
  return createHmac('sha256', key).update(payload).digest().subarray(0, 18).toString('base64url');
}

/** A URL-safe token `<payload>.<mac>` that only a holder of the scope's grant key can mint. */
export function createTrackingToken(claim: TrackingClaim, key: string): string {
  const fields = [VERSION, KINDS[claim.kind], claim.scope, claim.messageId, claim.recipient, claim.fromDomain, claim.tag ?? null, claim.url ?? null];
  const payload = Buffer.from(JSON.stringify(fields), 'utf8').toString('base64url');
  return `${payload}.${mac(payload, key)}`;
}

function isHttpUrl(url: string): boolean {
  return url.startsWith('http://') || url.startsWith('https://');
}

/**
 * The claim in a token of `kind`, or undefined when the token is malformed, too long, of another
 * kind, or its signature is not the scope's (constant-time check). Guarantees: a click claim's
 * `url` is exactly a URL the signer put in, and it is http(s); never throws.
 */
export function verifyTrackingToken(token: string, secret: string, kind: TrackingClaim['kind']): TrackingClaim | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return undefined;
  const payload = token.slice(0, dot);
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(fields) || fields.length !== 8 || fields[0] !== VERSION || fields[1] !== KINDS[kind]) return undefined;
  const [, , scope, messageId, recipient, fromDomain, tag, url] = fields as unknown[];
  if (typeof scope !== 'string' || typeof messageId !== 'string' || typeof recipient !== 'string' || typeof fromDomain !== 'string') return undefined;
  if (tag !== null && typeof tag !== 'string') return undefined;
  if (kind === 'click' ? typeof url !== 'string' || !isHttpUrl(url) : url !== null) return undefined;
  const expected = Buffer.from(mac(payload, grantKey(secret, scope)));
  const given = Buffer.from(token.slice(dot + 1));
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  return { kind, scope, messageId, recipient, fromDomain, ...(tag === null ? {} : { tag }), ...(typeof url === 'string' ? { url } : {}) };
}
