import type { Keys } from './keys.ts';

/**
 * The send-context version: a counter that every write of sender addresses, identities,
 * templates and unsubscribes increments in the same script (or MULTI) as the write
 * (SenderAddressStore, IdentityStore, TemplateStore, SuppressionStore.unsubscribe). Guarantees: a
 * sender, identity or template read at version v, and whether a sender has any unsubscribes, are
 * still what Redis holds for as long as the counter reads v (SendContextReader relies on it).
 * Deployment tag, as the hashes it stamps.
 */
export function sendContextVersionKey(keys: Keys): string {
  return `${keys.addresses}:send-context-version`;
}
