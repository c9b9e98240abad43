import { randomBytes } from 'node:crypto';
import { mintTrackingGrant, type TrackingGrant, type TrackingSwitch } from './tracking-grant.ts';

/** What a deployment mints tracking grants with. */
export interface TrackingIssuer {
  /** The API's public URL (PUBLIC_URL), without a trailing slash. */
  readonly baseUrl: string;
  /** The deployment's tracking secret (derived from POSTMILL_SECRET_KEY). */
  readonly secret: string;
  /** Sender domains tracked when a send has no switch of its own (TRACKING_DOMAINS, lower-case). Default none. */
  readonly domains: readonly string[];
}

/**
 * `{ tracking }` for a new message or task, or `{}` when nothing is tracked. Guarantees: an
 * explicit switch (Alibaba ClickTrace, a SendCloud API user's open/click) is obeyed as given; a
 * send without one (Tencent) is tracked, opens and clicks, exactly when its sender domain is one
 * of `issuer.domains`; without an issuer nothing is ever tracked. Each grant gets a fresh random
 * scope (128 bits).
 */
export function trackingOf(
  issuer: TrackingIssuer | undefined,
  track: TrackingSwitch | undefined,
  senderAddress: string,
): { readonly tracking?: TrackingGrant } {
  if (!issuer) return {};
  const domain = senderAddress.slice(senderAddress.lastIndexOf('@') + 1).toLowerCase();
  const wanted = track ?? (issuer.domains.includes(domain) ? { opens: true, clicks: true } : { opens: false, clicks: false });
  const tracking = mintTrackingGrant({ secret: issuer.secret, baseUrl: issuer.baseUrl, scope: randomBytes(16).toString('base64url'), track: wanted });
  return tracking ? { tracking } : {};
}
