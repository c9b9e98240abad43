import { describe, expect, it } from 'vitest';
import { EMPTY_BODY_SHA256, sha256Hex, signV3, v3CanonicalQuery, v3CanonicalRequest, verifyV3 } from './v3.ts';

const nonce = '7fb0eb60d1c4a1f6b7d2e8f90a1b2c3d4e5f60718293a4b5c6d7e8f901a2b3c4';
const date = '2026-12-07T02:51:43Z';
const at = Date.UTC(2026, 11, 7, 2, 51, 43);
const creds = { accessKeyId: 'AKIDexample', secret: 'secretexample' };
const lookupSecret = (id: string): string | undefined => (id === creds.accessKeyId ? creds.secret : undefined);

describe('v3CanonicalRequest', () => {
  it('builds the canonical request of the wire reference (CreateDomain, query parameter, empty body)', () => {
    const headers = new Map([
      ['host', '127.0.0.1:46199'],
      ['x-acs-action', 'CreateDomain'],
      ['x-acs-content-sha256', EMPTY_BODY_SHA256],
      ['x-acs-credentials-provider', 'static_ak'],
      ['x-acs-date', date],
      ['x-acs-signature-nonce', nonce],
      ['x-acs-version', '2015-11-23'],
    ]);
    const canonical = v3CanonicalRequest({
      method: 'POST',
      query: { DomainName: 'dm1.accept.example' },
      signedHeaders: headers,
      hashedPayload: sha256Hex(''),
    });
    expect(canonical).toBe(
      [
        'POST',
        '/',
        'DomainName=dm1.accept.example',
        'host:127.0.0.1:46199',
        'x-acs-action:CreateDomain',
        `x-acs-content-sha256:${EMPTY_BODY_SHA256}`,
        'x-acs-credentials-provider:static_ak',
        `x-acs-date:${date}`,
        `x-acs-signature-nonce:${nonce}`,
        'x-acs-version:2015-11-23',
        '',
        'host;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version',
        EMPTY_BODY_SHA256,
      ].join('\n'),
    );
  });

  it('sorts the query by name and encodes values RFC 3986 style, an empty query as an empty line', () => {
    expect(v3CanonicalQuery({ b: "x y(*)!'~", a: '', C: '邮' })).toBe('C=%E9%82%AE&a=&b=x%20y%28%2A%29%21%27~');
    expect(v3CanonicalQuery({})).toBe('');
  });
});

describe('signV3 and verifyV3', () => {
  const body = 'AccountName=a%40b.example&Subject=hi%20there';
  const headers = signV3({ host: '127.0.0.1:8080', action: 'SingleSendMail', version: '2015-11-23', date, nonce, query: { X: '1' }, body }, creds);
  const request = { method: 'POST', query: { X: '1' }, headers, body: Buffer.from(body) };

  it('signs host, content-type and every x-acs-* header, with no space after the commas', () => {
    expect(headers.authorization).toMatch(
      /^ACS3-HMAC-SHA256 Credential=AKIDexample,SignedHeaders=content-type;host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=[0-9a-f]{64}$/u,
    );
    expect(headers['x-acs-content-sha256']).toBe(sha256Hex(body));
  });

  it('verifies what it signed and reports who signed it, the nonce and the time', () => {
    expect(verifyV3(request, { lookupSecret, nowMs: at })).toEqual({ ok: true, algorithm: 'v3', accessKeyId: 'AKIDexample', nonce, timestampMs: at });
  });

  it('refuses a changed body, query, signed header or secret with SignatureDoesNotMatch', () => {
    const opts = { lookupSecret, nowMs: at };
    expect(verifyV3({ ...request, body: Buffer.from(`${body}x`) }, opts)).toMatchObject({ code: 'SignatureDoesNotMatch' });
    expect(verifyV3({ ...request, query: { X: '2' } }, opts)).toMatchObject({ code: 'SignatureDoesNotMatch' });
    expect(verifyV3({ ...request, headers: { ...headers, 'x-acs-action': 'BatchSendMail' } }, opts)).toMatchObject({ code: 'SignatureDoesNotMatch' });
    expect(verifyV3({ ...request, headers: { ...headers, host: '127.0.0.1:8081' } }, opts)).toMatchObject({ code: 'SignatureDoesNotMatch' });
    expect(verifyV3(request, { ...opts, lookupSecret: () => 'wrong' })).toMatchObject({ code: 'SignatureDoesNotMatch' });
  });

  it('refuses an unknown key, a stale date and a malformed Authorization with their vendor codes', () => {
    expect(verifyV3(request, { lookupSecret: () => undefined, nowMs: at })).toMatchObject({ code: 'InvalidAccessKeyId.NotFound' });
    expect(verifyV3(request, { lookupSecret, nowMs: at + 16 * 60_000 })).toMatchObject({ code: 'InvalidTimeStamp.Expired' });
    const bad = { ...headers, authorization: headers.authorization?.replace('Signature=', 'Sig=') };
    expect(verifyV3({ ...request, headers: bad }, { lookupSecret, nowMs: at })).toMatchObject({ code: 'IncompleteSignature' });
  });

  it('refuses a signature that does not cover the headers the server acts on', () => {
    const auth = (headers.authorization ?? '').replace('x-acs-action;', '');
    expect(verifyV3({ ...request, headers: { ...headers, authorization: auth } }, { lookupSecret, nowMs: at })).toMatchObject({
      code: 'IncompleteSignature',
      message: expect.stringContaining('x-acs-action'),
    });
  });

  it('names a missing nonce or date header', () => {
    const { 'x-acs-signature-nonce': _n, ...noNonce } = headers;
    const { 'x-acs-date': _d, ...noDate } = headers;
    expect(verifyV3({ ...request, headers: noNonce }, { lookupSecret, nowMs: at })).toMatchObject({ code: 'MissingSignatureNonce' });
    expect(verifyV3({ ...request, headers: noDate }, { lookupSecret, nowMs: at })).toMatchObject({ code: 'MissingTimestamp' });
  });
});
