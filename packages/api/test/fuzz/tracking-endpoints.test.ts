import { request } from 'node:http';
import { mintTrackingGrant, trackHtml } from '@postmill/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness, TRACKING_SECRET } from '../api-harness.ts';
import { fuzzParameters, fuzzRuns, fuzzTimeoutMs } from './fuzz-support.ts';

/** The links of the one mail whose tokens are mutated: the only places a redirect may go. */
const LINKS = ['https://shop.example/a?x=1', 'http://news.example/p#top', 'https://long.example/?q=' + 'z'.repeat(900)];

function rawGet(baseUrl: string, path: string, method: string, userAgent: string | undefined): Promise<{ status: number; location: string | undefined }> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers: userAgent === undefined ? {} : { 'user-agent': userAgent } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('fuzzing the tracking endpoints', () => {
  let api: ApiHarness;
  let tokens: { kind: 'o' | 'c'; token: string }[];

  beforeAll(async () => {
    api = await startApiHarness();
    const grant = mintTrackingGrant({ secret: TRACKING_SECRET, baseUrl: 'http://localhost:8080', scope: 'fuzz-scope', track: { opens: true, clicks: true } });
    if (!grant) throw new Error('a grant was expected');
    const html = trackHtml(LINKS.map((l) => `<a href="${l}">x</a>`).join(''), grant, {
      messageId: 'pm-fuzz',
      recipient: 'bob@example.org',
      fromDomain: 'mail.example.com',
    });
    tokens = [...html.matchAll(/http:\/\/localhost:8080\/t\/([oc])\/([A-Za-z0-9_.-]+)/gu)].map((m) => ({ kind: m[1] as 'o' | 'c', token: m[2] as string }));
    expect(tokens.filter((t) => t.kind === 'c')).toHaveLength(LINKS.length);
  });

  afterAll(async () => {
    await api?.close();
  });

  const TOKEN_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.%/?=&';
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), char: fc.constantFrom(...TOKEN_CHARS) }),
    fc.record({ kind: fc.constant('append' as const), text: fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), maxLength: 20 }) }),
    fc.record({ kind: fc.constant('swap-payload' as const), other: fc.nat() }),
    fc.record({ kind: fc.constant('random' as const), text: fc.string({ maxLength: 200 }).map(encodeURIComponent) }),
  );

  const runs = fuzzRuns(600);
  it(`answers ${runs} forged, cut and mutated tracking URLs without a server fault, and redirects only to links of the mail`, {
    timeout: fuzzTimeoutMs(runs),
  }, async () => {
    let redirects = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.constantFrom('o', 'c'),
        mutation,
        fc.constantFrom('GET', 'HEAD', 'POST'),
        fc.option(fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABC/ .;()0123456789'), maxLength: 80 }), { nil: undefined }),
        async (pick, path, m, method, userAgent) => {
          const base = tokens[pick % tokens.length] as { kind: 'o' | 'c'; token: string };
          let token = base.token;
          if (m.kind === 'truncate') token = token.slice(0, m.at % (token.length + 1));
          else if (m.kind === 'flip') {
            const at = m.at % token.length;
            token = `${token.slice(0, at)}${m.char}${token.slice(at + 1)}`;
          } else if (m.kind === 'append') token += m.text;
          else if (m.kind === 'swap-payload') {
            const other = (tokens[m.other % tokens.length] as { token: string }).token;
            token = `${other.split('.')[0]}.${token.split('.')[1]}`;
          } else token = m.text;
          const answer = await rawGet(api.baseUrl, `/t/${path}/${token}`, method, userAgent);
          expect(answer.status, `${method} /t/${path}/${token}`).toBeLessThan(500);
          if (answer.status >= 300 && answer.status < 400) {
            redirects++;
            expect(LINKS.map((l) => new URL(l).href)).toContain(answer.location);
          }
        },
      ),
      fuzzParameters(runs),
    );
    // Unchanged tokens (an append of nothing, a flip to the same char) still redirect: the property was not vacuous.
    console.info(`[fuzz] tracking endpoints: ${runs} cases, ${redirects} redirects, all to links of the mail`);
  });
});
