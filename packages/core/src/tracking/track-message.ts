import { rewriteHtml } from './rewrite-html.ts';
import type { TrackingGrant } from './tracking-grant.ts';
import { createTrackingToken } from './tracking-token.ts';

/** Who one personal copy goes to, and what it is counted under. */
export interface TrackedCopy {
  readonly messageId: string;
  readonly recipient: string;
  readonly fromDomain: string;
  readonly tag?: string;
}

/** The path under the public URL where the pixel is served: `<baseUrl>/t/o/<token>`. */
export const OPEN_PATH = '/t/o/';
/** The path under the public URL where tracked links redirect: `<baseUrl>/t/c/<token>`. */
export const CLICK_PATH = '/t/c/';

/**
 * The HTML of one recipient's copy with the grant's tracking: with `clicks`, every absolute
 * http(s) `<a href>` goes through `<baseUrl>/t/c/<token>` whose token carries that very URL,
 * except links to the API itself (the unsubscribe link, links already tracked); with `opens`, a
 * pixel `<baseUrl>/t/o/<token>` before `</body>`. Everything else is left byte for byte.
 */
export function trackHtml(html: string, grant: TrackingGrant, copy: TrackedCopy): string {
  const base = {
    scope: grant.scope,
    messageId: copy.messageId,
    recipient: copy.recipient,
    fromDomain: copy.fromDomain,
    ...(copy.tag === undefined ? {} : { tag: copy.tag }),
  };
  // Links to the API itself (unsubscribe, links already tracked) are compared normalised, as links are.
  const ownPrefix = new URL(`${grant.baseUrl}/`).href;
  return rewriteHtml(html, {
    ...(grant.clicks
      ? {
          trackLink: (url: string) =>
            url.startsWith(ownPrefix) ? undefined : `${grant.baseUrl}${CLICK_PATH}${createTrackingToken({ ...base, kind: 'click', url }, grant.key)}`,
        }
      : {}),
    ...(grant.opens ? { pixelUrl: `${grant.baseUrl}${OPEN_PATH}${createTrackingToken({ ...base, kind: 'open' }, grant.key)}` } : {}),
  });
}
