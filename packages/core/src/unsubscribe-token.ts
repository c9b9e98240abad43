import { createHmac, timingSafeEqual } from 'node:crypto';

/** Who unsubscribes from whom; carried inside a signed token in the link. */
export interface UnsubscribeClaim {
  readonly sender: string;
  readonly recipient: string;
  readonly messageId: string;
}

function sign(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest().subarray(0, 18).toString('base64url');
}

/** A URL-safe token that only a holder of `secret` can mint. */
export function createUnsubscribeToken(claim: UnsubscribeClaim, secret: string): string {
  const payload = Buffer.from(`${claim.sender}\n${claim.recipient}\n${claim.messageId}`, 'utf8').toString('base64url');
  return `${payload}.${sign(payload, secret)}`;
}

/** The claim in a token, or undefined when the token is malformed or its signature is wrong (constant-time check). */
export function verifyUnsubscribeToken(token: string, secret: string): UnsubscribeClaim | undefined {
  const [payload, mac, extra] = token.split('.');
  if (!payload || !mac || extra !== undefined) return undefined;
  const expected = Buffer.from(sign(payload, secret));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  const parts = Buffer.from(payload, 'base64url').toString('utf8').split('\n');
  if (parts.length !== 3) return undefined;
  const [sender, recipient, messageId] = parts as [string, string, string];
  return { sender, recipient, messageId };
}
