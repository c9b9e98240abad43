import { describe, expect, it } from 'vitest';
import { signTencentRequest, tc3Authorization, tc3Signature } from './sign.ts';
import { verifyTc3 } from './verify.ts';

// Tencent's CVM signing example (reference §4.3, test vector 5).
const vector = {
  secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
  secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
  timestamp: 1551113065,
  service: 'cvm',
  body: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
};

describe('tc3Signature', () => {
  it('matches the published signature when content-type, host and x-tc-action are signed', () => {
    const { signature } = tc3Signature({
      ...vector,
      signedHeaders: {
        'content-type': 'application/json; charset=utf-8',
        host: 'cvm.tencentcloudapi.com',
        'x-tc-action': 'describeinstances',
      },
    });
    expect(signature).toBe('644be983de9a8a3f00db8eadaba61467c3b429e2215758ba897b738ca469fd26');
  });

  it('matches the recomputed signature when only content-type and host are signed, as the SDKs do', () => {
    const { signature } = tc3Signature({
      ...vector,
      signedHeaders: { 'content-type': 'application/json; charset=utf-8', host: 'cvm.tencentcloudapi.com' },
    });
    expect(signature).toBe('72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168');
  });

  it('gives the published signature again when the signing key comes from the cache', () => {
    const input = {
      ...vector,
      signedHeaders: { 'content-type': 'application/json; charset=utf-8', host: 'cvm.tencentcloudapi.com', 'x-tc-action': 'describeinstances' },
    };
    for (let i = 0; i < 3; i++) expect(tc3Signature(input).signature).toBe('644be983de9a8a3f00db8eadaba61467c3b429e2215758ba897b738ca469fd26');
  });
});

describe('verifyTc3', () => {
  const body = Buffer.from('{"EmailIdentity":"mail.example.com"}');
  const sign = (host: string, signedHost: string, ts = 1_700_000_000) => ({
    method: 'POST',
    body,
    headers: {
      host,
      'content-type': 'application/json',
      'x-tc-timestamp': String(ts),
      authorization: tc3Authorization({
        secretId: 'AKIDtest',
        secretKey: 'secret',
        timestamp: ts,
        service: '127',
        signedHeaders: { 'content-type': 'application/json', host: signedHost },
        body,
      }),
    },
  });
  const opts = { lookupSecret: (id: string) => (id === 'AKIDtest' ? 'secret' : undefined), nowSeconds: 1_700_000_010 };

  it('accepts a request signed over the host without its port while the Host header has one (Node SDK quirk)', () => {
    expect(verifyTc3(sign('127.0.0.1:8080', '127.0.0.1'), opts)).toMatchObject({ ok: true, secretId: 'AKIDtest', service: '127', timestamp: 1_700_000_000 });
  });

  it('accepts a request signed over the host with its port (Go and Python SDKs)', () => {
    expect(verifyTc3(sign('127.0.0.1:8080', '127.0.0.1:8080'), opts).ok).toBe(true);
  });

  it('refuses a tampered body with AuthFailure.SignatureFailure', () => {
    const req = { ...sign('127.0.0.1:8080', '127.0.0.1'), body: Buffer.from('{"EmailIdentity":"evil.example.com"}') };
    expect(verifyTc3(req, opts)).toMatchObject({ ok: false, code: 'AuthFailure.SignatureFailure' });
  });

  it('refuses an unknown SecretId with AuthFailure.SecretIdNotFound', () => {
    expect(verifyTc3(sign('h', 'h'), { ...opts, lookupSecret: () => undefined })).toMatchObject({ ok: false, code: 'AuthFailure.SecretIdNotFound' });
  });

  it('refuses a timestamp more than five minutes off with AuthFailure.SignatureExpire', () => {
    expect(verifyTc3(sign('h', 'h', 1_700_000_000 - 301), { ...opts, nowSeconds: 1_700_000_000 })).toMatchObject({
      ok: false,
      code: 'AuthFailure.SignatureExpire',
    });
  });

  it('verifies with the rotated secret of a SecretId on the same date and refuses requests signed with the old one', () => {
    const signWith = (secretKey: string) => ({
      method: 'POST',
      body,
      headers: {
        host: 'h',
        'content-type': 'application/json',
        'x-tc-timestamp': '1700000000',
        authorization: tc3Authorization({
          secretId: 'AKIDrotated',
          secretKey,
          timestamp: 1_700_000_000,
          service: 'ses',
          signedHeaders: { 'content-type': 'application/json', host: 'h' },
          body,
        }),
      },
    });
    const withSecret = (secretKey: string) => ({ ...opts, lookupSecret: (id: string) => (id === 'AKIDrotated' ? secretKey : undefined) });
    expect(verifyTc3(signWith('old-secret'), withSecret('old-secret')).ok).toBe(true);
    expect(verifyTc3(signWith('old-secret'), withSecret('new-secret'))).toMatchObject({ ok: false, code: 'AuthFailure.SignatureFailure' });
    expect(verifyTc3(signWith('new-secret'), withSecret('new-secret')).ok).toBe(true);
    expect(verifyTc3(signWith('old-secret'), withSecret('new-secret'))).toMatchObject({ ok: false, code: 'AuthFailure.SignatureFailure' });
    expect(verifyTc3(signWith('new-secret'), withSecret('old-secret'))).toMatchObject({ ok: false, code: 'AuthFailure.SignatureFailure' });
  });

  it('keeps verifying correctly while many distinct dates cycle through the signing-key cache', () => {
    for (let i = 0; i < 200; i++) {
      const ts = 1_700_000_000 + i * 86_400;
      const req = sign('127.0.0.1:8080', '127.0.0.1', ts);
      expect(verifyTc3(req, { ...opts, nowSeconds: ts }).ok).toBe(true);
      const tampered = { ...req, body: Buffer.from('{}') };
      expect(verifyTc3(tampered, { ...opts, nowSeconds: ts }).ok).toBe(false);
    }
    expect(verifyTc3(sign('127.0.0.1:8080', '127.0.0.1'), opts).ok).toBe(true);
  });

  it('refuses a malformed Authorization header with AuthFailure.InvalidAuthorization', () => {
    const req = sign('h', 'h');
    expect(verifyTc3({ ...req, headers: { ...req.headers, authorization: 'Basic abc' } }, opts)).toMatchObject({
      ok: false,
      code: 'AuthFailure.InvalidAuthorization',
    });
  });
});

describe('signTencentRequest', () => {
  const creds = { secretId: 'AKIDtest', secretKey: 'secret' };
  const h = { host: '127.0.0.1:8080', action: 'ListEmailIdentities', version: '2020-10-02', timestamp: 1_700_000_000, service: 'ses' };
  const opts = { lookupSecret: (id: string) => (id === 'AKIDtest' ? 'secret' : undefined), nowSeconds: 1_700_000_000 };
  const lower = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

  it('signs X-TC-TraceId when given, so identical requests in one second sign differently and each verifies', () => {
    const a = signTencentRequest(creds, { ...h, traceId: 'trace-a' }, '{}');
    const b = signTencentRequest(creds, { ...h, traceId: 'trace-b' }, '{}');
    expect(a.Authorization).toContain('SignedHeaders=content-type;host;x-tc-traceid,');
    expect(a['X-TC-TraceId']).toBe('trace-a');
    expect(a.Authorization).not.toBe(b.Authorization);
    for (const headers of [a, b]) expect(verifyTc3({ method: 'POST', headers: lower(headers), body: Buffer.from('{}') }, opts).ok).toBe(true);
    const swapped = { ...lower(a), 'x-tc-traceid': 'trace-b' };
    expect(verifyTc3({ method: 'POST', headers: swapped, body: Buffer.from('{}') }, opts)).toMatchObject({ ok: false, code: 'AuthFailure.SignatureFailure' });
  });

  it('signs only content-type and host without a trace id, as the SDKs do', () => {
    expect(signTencentRequest(creds, h, '{}').Authorization).toContain('SignedHeaders=content-type;host,');
  });
});
