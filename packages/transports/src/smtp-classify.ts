import type { ProviderFailureKind } from '@postmill/core';

// Replies that mean "slow down" rather than "try this message later": the whole transport pauses.
const THROTTLING_REPLIES = new Set([421, 451, 454]);

/**
 * What an SMTP reply code means for delivery. Guarantees: 421, 451 and 454 throttle the transport
 * (the server is busy or limits the sender); every other 4xx reply is transient; every 5xx reply
 * is permanent (the recipient or the message is refused).
 */
export function classifySmtpReply(smtpCode: number): ProviderFailureKind {
  if (THROTTLING_REPLIES.has(smtpCode)) return 'throttled';
  return smtpCode >= 500 ? 'permanent' : 'transient';
}
