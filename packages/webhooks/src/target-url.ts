import { isIP } from 'node:net';
import type { TargetPolicy, TargetRefusal } from './target-policy.ts';

/** Why a webhook URL may not be stored: not an absolute URL, not http(s), or a target the policy refuses. */
export type UrlRefusal = 'malformed' | 'scheme' | TargetRefusal;

/** Longest webhook URL stored (DirectMail's NotifyUrl limit; Tencent documents none). */
export const MAX_WEBHOOK_URL_LENGTH = 1024;

/**
 * The static checks of a webhook URL, made when it is written: an absolute `http:` or `https:` URL
 * of at most MAX_WEBHOOK_URL_LENGTH characters whose host is not refused by `policy` (an address
 * literal, in any spelling the URL parser accepts, judged as the address it is; a host name only
 * against the known metadata names). Returns undefined when it may be stored. Guarantees no DNS
 * lookup: a name that resolves to a refused address passes here and is refused at each connection
 * by the poster (safeLookup), so this check is a courtesy to the caller, not the boundary.
 */
export function urlRefusalOf(policy: TargetPolicy, url: string): UrlRefusal | undefined {
  if (url.length > MAX_WEBHOOK_URL_LENGTH || /\s/u.test(url)) return 'malformed';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'malformed';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'scheme';
  const host = parsed.hostname.replace(/^\[|\]$/gu, '');
  if (host === '') return 'malformed';
  return isIP(host) ? policy.refusalOf(host) : policy.refusalOfHostName(host);
}
