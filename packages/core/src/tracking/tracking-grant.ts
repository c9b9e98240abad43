import { createHmac } from 'node:crypto';

/** What a send asks to track: opens (a pixel) and clicks (links through a redirect). */
export interface TrackingSwitch {
  readonly opens: boolean;
  readonly clicks: boolean;
}

/**
 * What a stored message or task carries so that the worker can mint tracking tokens without the
 * deployment's secret. Guarantees: `key` signs tokens of this `scope` only (it is
 * HMAC(secret, scope)), so whoever reads a stored spec can forge tracking of that one message or
 * task and of nothing else; the tracking endpoint re-derives it from the secret and the scope in
 * the token, so verifying stores and reads nothing.
 */
export interface TrackingGrant extends TrackingSwitch {
  /** The API's public URL, without a trailing slash: tokens are served under `<baseUrl>/t/`. */
  readonly baseUrl: string;
  /** A random id of the message or task (unguessable, URL-safe). */
  readonly scope: string;
  /** HMAC(secret, scope), base64url: signs this scope's tokens. */
  readonly key: string;
}

/** The key that signs one scope's tokens (see TrackingGrant). */
export function grantKey(secret: string, scope: string): string {
  return createHmac('sha256', secret).update(`postmill/tracking/grant/v1\n${scope}`).digest('base64url');
}

/**
 * A grant for one message or task, or undefined when nothing is tracked (both switches off).
 * `scope` must be unguessable (e.g. 16 random bytes, base64url) and free of `.`.
 */
export function mintTrackingGrant(o: {
  readonly secret: string;
  readonly baseUrl: string;
  readonly scope: string;
  readonly track: TrackingSwitch;
}): TrackingGrant | undefined {
  if (!o.track.opens && !o.track.clicks) return undefined;
  return { opens: o.track.opens, clicks: o.track.clicks, baseUrl: o.baseUrl.replace(/\/+$/u, ''), scope: o.scope, key: grantKey(o.secret, o.scope) };
}
