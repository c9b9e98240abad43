import { describe, expect, it } from 'vitest';
import { createUnsubscribeToken, verifyUnsubscribeToken } from './unsubscribe-token.ts';

const SECRET = 'unit-test-secret';
const claim = { sender: 'news@mail.example.com', recipient: 'Alice@example.org', messageId: 'pm-date-20240102030405-AbCdEfGhIjKlMnOp' };

describe('unsubscribe tokens', () => {
  it('round-trips the claim through a URL-safe token', () => {
    const token = createUnsubscribeToken(claim, SECRET);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/u);
    expect(verifyUnsubscribeToken(token, SECRET)).toEqual(claim);
  });

  it('round-trips non-ASCII parts of the claim', () => {
    const unicode = { ...claim, recipient: 'josé@exämple.org' };
    expect(verifyUnsubscribeToken(createUnsubscribeToken(unicode, SECRET), SECRET)).toEqual(unicode);
  });

  it('refuses a token whose payload was changed to another recipient', () => {
    const token = createUnsubscribeToken(claim, SECRET);
    const [, mac] = token.split('.');
    const forgedPayload = Buffer.from(`${claim.sender}\nvictim@example.org\n${claim.messageId}`, 'utf8').toString('base64url');
    expect(verifyUnsubscribeToken(`${forgedPayload}.${mac}`, SECRET)).toBeUndefined();
  });

  it('refuses a token with a single flipped signature character', () => {
    const token = createUnsubscribeToken(claim, SECRET);
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    expect(verifyUnsubscribeToken(`${token.slice(0, -1)}${last}`, SECRET)).toBeUndefined();
  });

  it('refuses a token minted with another secret', () => {
    expect(verifyUnsubscribeToken(createUnsubscribeToken(claim, 'other-secret'), SECRET)).toBeUndefined();
  });

  it('refuses malformed tokens: empty, without signature, truncated signature or an extra part', () => {
    const token = createUnsubscribeToken(claim, SECRET);
    for (const bad of ['', '.', token.split('.')[0] ?? '', `${token}.x`, token.slice(0, -2), `.${token.split('.')[1]}`]) {
      expect(verifyUnsubscribeToken(bad, SECRET), bad).toBeUndefined();
    }
  });

  it('refuses a correctly signed token whose payload does not hold exactly three claim parts', () => {
    const fiveParts = createUnsubscribeToken({ sender: 'a', recipient: 'b\nc\nd', messageId: 'e' }, SECRET);
    expect(verifyUnsubscribeToken(fiveParts, SECRET)).toBeUndefined();
  });
});
