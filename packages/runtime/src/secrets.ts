import { createHmac } from 'node:crypto';
import type { PostmillConfig } from '@postmill/config';

/** Secret lookup for the single configured credential pair. */
export function credentialLookup(config: PostmillConfig): (secretId: string) => string | undefined {
  const { secretId, secretKey } = config.credentials;
  return (id) => (secretId !== undefined && secretKey !== undefined && id === secretId ? secretKey : undefined);
}

/**
 * The key that signs unsubscribe tokens, derived from the API secret so API and worker processes
 * agree without another setting, and so the raw secret never signs public links.
 */
export function unsubscribeSecret(config: PostmillConfig): string {
  const key = config.credentials.secretKey;
  if (!key) throw new Error('POSTMILL_SECRET_KEY is required (it also signs unsubscribe links)');
  return createHmac('sha256', key).update('postmill/unsubscribe/v1').digest('base64url');
}

/**
 * The key behind open/click tracking tokens, derived from the API secret like the unsubscribe key
 * (another label, so neither key can stand in for the other). Each message's or task's grant key
 * is derived from it and the grant's random scope.
 */
export function trackingSecret(config: PostmillConfig): string {
  const key = config.credentials.secretKey;
  if (!key) throw new Error('POSTMILL_SECRET_KEY is required (it also signs tracking links)');
  return createHmac('sha256', key).update('postmill/tracking/v1').digest('base64url');
}
