import { describe, expect, it } from 'vitest';
import { composeCampaignMessage } from '../campaign/campaign-message.ts';
import { composeMessage, needsPersonalCopies } from '../compose-message.ts';
import type { MessageSpec } from '../message-spec.ts';
import { mintTrackingGrant, type TrackingGrant } from './tracking-grant.ts';
import { verifyTrackingToken } from './tracking-token.ts';

const SECRET = 'compose-tracking-secret';
const grant = mintTrackingGrant({ secret: SECRET, baseUrl: 'https://t.example', scope: 's1', track: { opens: true, clicks: true } }) as TrackingGrant;

function spec(overrides: Partial<MessageSpec> = {}): MessageSpec {
  return {
    messageId: 'pm-date-20240102030405-AbCdEfGhIjKlMnOp',
    acceptedAt: 1_704_164_645_000,
    from: { address: 'news@mail.example.com' },
    to: ['alice@example.org', 'bob@example.org'],
    cc: [],
    bcc: [],
    subject: 'Hello',
    html: '<html><body><p><a href="https://shop.example/">Shop</a></p></body></html>',
    text: 'Shop: https://shop.example/',
    attachments: [],
    headers: {},
    unsubscribe: '0',
    triggerType: 0,
    tracking: grant,
    tag: 'spring',
    ...overrides,
  };
}

/** The claims of every tracking URL of `kind` in an HTML body. */
function claims(html: string, kind: 'open' | 'click') {
  const path = kind === 'open' ? '/t/o/' : '/t/c/';
  return [...html.matchAll(new RegExp(`https://t\\.example${path}([A-Za-z0-9_.-]+)`, 'gu'))].map((m) => verifyTrackingToken(m[1] as string, SECRET, kind));
}

describe('composing tracked mail', () => {
  it('asks for personal copies of tracked HTML mail, and not of tracked text-only mail', () => {
    expect(needsPersonalCopies(spec())).toBe(true);
    const { html: _html, ...textOnly } = spec();
    expect(needsPersonalCopies(textOnly)).toBe(false);
    const { tracking: _tracking, ...untracked } = spec();
    expect(needsPersonalCopies(untracked)).toBe(false);
  });

  it('gives each recipient their own signed open and click tokens, counted under the sender domain and tag, leaving the text part alone', () => {
    const alice = composeMessage(spec(), { recipient: 'alice@example.org', unsubscribeUrl: 'https://t.example/unsubscribe/x' });
    const bob = composeMessage(spec(), { recipient: 'bob@example.org', unsubscribeUrl: 'https://t.example/unsubscribe/y' });
    expect(claims(alice.html ?? '', 'click')).toEqual([
      {
        kind: 'click',
        scope: 's1',
        messageId: spec().messageId,
        recipient: 'alice@example.org',
        fromDomain: 'mail.example.com',
        tag: 'spring',
        url: 'https://shop.example/',
      },
    ]);
    expect(claims(bob.html ?? '', 'open')).toEqual([
      { kind: 'open', scope: 's1', messageId: spec().messageId, recipient: 'bob@example.org', fromDomain: 'mail.example.com', tag: 'spring' },
    ]);
    expect(alice.text).toBe('Shop: https://shop.example/');
    // Unsubscribe '0': no footer and no List-Unsubscribe although the copy is personal.
    expect(alice.headers['List-Unsubscribe']).toBeUndefined();
    expect(alice.html).not.toContain('unsubscribe');
  });

  it('adds the unsubscribe footer after tracking, so its link is never tracked', () => {
    const m = composeMessage(spec({ unsubscribe: '2' }), { recipient: 'alice@example.org', unsubscribeUrl: 'https://t.example/unsubscribe/x' });
    expect(m.html).toContain('href="https://t.example/unsubscribe/x"');
    expect(claims(m.html ?? '', 'click').map((c) => c?.url)).toEqual(['https://shop.example/']);
  });

  it('tracks a campaign recipient under the task’s campaign MessageId and tag, without an unsubscribe link', () => {
    const content = {
      taskId: 7,
      from: { address: 'news@mail.example.com' },
      subject: 'Hi {{name}}',
      html: '<body><a href="https://shop.example/?u={{name}}">go</a></body>',
      templateData: {},
      attachments: [],
      unsubscribe: '0',
      adLocation: 0,
      tag: 'spring',
      tracking: grant,
    };
    const m = composeCampaignMessage(content, { run: 2, index: 5, email: 'carol@example.org', data: { name: 'Carol' }, nowMs: 0 });
    expect(claims(m.html ?? '', 'click')).toEqual([
      {
        kind: 'click',
        scope: 's1',
        messageId: 'pm-task-7-2-5',
        recipient: 'carol@example.org',
        fromDomain: 'mail.example.com',
        tag: 'spring',
        url: 'https://shop.example/?u=Carol',
      },
    ]);
    expect(claims(m.html ?? '', 'open')).toHaveLength(1);
    expect(m.headers['List-Unsubscribe']).toBeUndefined();
  });
});
