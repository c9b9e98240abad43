import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rewriteHtml } from './rewrite-html.ts';
import { CLICK_PATH, OPEN_PATH, trackHtml } from './track-message.ts';
import { mintTrackingGrant } from './tracking-grant.ts';
import { createTrackingToken, verifyTrackingToken } from './tracking-token.ts';

const SECRET = 'tracking-test-secret';
const grant = mintTrackingGrant({ secret: SECRET, baseUrl: 'https://api.example/', scope: 'scope-1', track: { opens: true, clicks: true } });
if (!grant) throw new Error('grant expected');
const copy = { messageId: 'm-1', recipient: 'bob@rcpt.example', fromDomain: 'sender.example', tag: 'news' };

/** Every tracked link of an HTML body, decoded back to the URL its token redirects to. */
function redirectTargets(html: string): string[] {
  const targets: string[] = [];
  rewriteHtml(html, {
    trackLink: (url) => {
      if (url.startsWith(`https://api.example${CLICK_PATH}`)) {
        const claim = verifyTrackingToken(url.slice(`https://api.example${CLICK_PATH}`.length), SECRET, 'click');
        targets.push(claim?.url ?? 'UNVERIFIABLE');
      }
      return undefined;
    },
  });
  return targets;
}

/** Every http(s) link of an HTML body, as trackHtml would see it. */
function linksIn(html: string): string[] {
  const links: string[] = [];
  rewriteHtml(html, { trackLink: (url) => void links.push(url) });
  return links;
}

describe('tracking tokens', () => {
  it('round-trips a click claim and refuses it as an open', () => {
    const token = createTrackingToken({ kind: 'click', scope: 'scope-1', ...copy, url: 'https://x.example/' }, grant.key);
    expect(verifyTrackingToken(token, SECRET, 'click')).toEqual({ kind: 'click', scope: 'scope-1', ...copy, url: 'https://x.example/' });
    expect(verifyTrackingToken(token, SECRET, 'open')).toBeUndefined();
  });

  it('refuses a token signed with another scope key, a truncated token and one with another secret', () => {
    const token = createTrackingToken({ kind: 'open', scope: 'scope-1', ...copy }, grant.key);
    expect(verifyTrackingToken(token, SECRET, 'open')).toMatchObject({ recipient: 'bob@rcpt.example' });
    expect(verifyTrackingToken(token.slice(0, -1), SECRET, 'open')).toBeUndefined();
    expect(verifyTrackingToken(token, 'other-secret', 'open')).toBeUndefined();
    const other = mintTrackingGrant({ secret: SECRET, baseUrl: 'https://api.example', scope: 'scope-2', track: { opens: true, clicks: false } });
    const forged = createTrackingToken({ kind: 'open', scope: 'scope-1', ...copy }, other?.key ?? '');
    expect(verifyTrackingToken(forged, SECRET, 'open')).toBeUndefined();
  });

  it('never verifies arbitrary strings', () => {
    fc.assert(fc.property(fc.string(), (s) => verifyTrackingToken(s, SECRET, 'click') === undefined && verifyTrackingToken(s, SECRET, 'open') === undefined));
  });
});

describe('trackHtml', () => {
  it('tracks links and adds the pixel, but leaves mailto:, anchors and the API’s own links (unsubscribe) alone', () => {
    const html =
      '<body><a href="https://shop.example/">s</a><a href="mailto:a@b.example">m</a><a href="#t">t</a><a href="https://api.example/unsubscribe/x">u</a></body>';
    const out = trackHtml(html, grant, copy);
    expect(redirectTargets(out)).toEqual(['https://shop.example/']);
    expect(out).toContain('href="mailto:a@b.example"');
    expect(out).toContain('href="#t"');
    expect(out).toContain('href="https://api.example/unsubscribe/x"');
    expect(out).toContain(`<img src="https://api.example${OPEN_PATH}`);
    // Tracking twice tracks nothing twice.
    expect(redirectTargets(trackHtml(out, grant, copy))).toEqual(['https://shop.example/']);
  });

  it('never produces a redirect to a URL that was not a link of the mail, whatever the HTML and URLs', () => {
    const url = fc.webUrl({ withQueryParameters: true, withFragments: true });
    const piece = fc.oneof(
      url.map((u) => `<a href="${u.replace(/"/gu, '&quot;')}">x</a>`),
      url.map((u) => `<a href=${u}>y</a>`),
      url.map((u) => `<A HREF='${u.replace(/'/gu, '&#39;')}' title="t">z</A>`),
      fc.constantFrom('<!--', '-->', '<script>', '</script>', '<a href="', '"', "'", '&amp;', '<body>', '</body>', '<p>', '<a href=mailto:x@y.z>', ' '),
      fc.string(),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const html = pieces.join('');
        const before = new Set(linksIn(html));
        const targets = redirectTargets(trackHtml(html, grant, copy));
        return targets.every((t) => before.has(t));
      }),
      { numRuns: 300 },
    );
  });
});
