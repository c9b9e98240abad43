import { stringify } from 'node:querystring';
import { describe, expect, it } from 'vitest';
import { decodeWireParams, pct } from './percent-encode.ts';
import { signV1, v1StringToSign, verifyV1 } from './v1.ts';

// aliyun-sendcloud-api.md §A.3, second vector (BatchSendMail, POST, secret `testsecret`).
const batchParams = {
  AccessKeyId: 'testid',
  AccountName: 'test@example.com',
  Action: 'BatchSendMail',
  AddressType: '1',
  Format: 'JSON',
  ReceiversName: 'test2',
  RegionId: 'cn-hangzhou',
  SignatureMethod: 'HMAC-SHA1',
  SignatureNonce: 'e1b44502-6d13-4433-9493-69eeb068e955',
  SignatureVersion: '1.0',
  TemplateName: 'test1',
  Timestamp: '2015-11-23T12:00:00Z',
  Version: '2015-11-23',
};
const batchSignature = 'nOdO6BFzopEMC3QGceQUFZE+00w=';
const signedAt = Date.UTC(2015, 10, 23, 12, 0, 0);
const lookupSecret = (id: string): string | undefined => (id === 'testid' ? 'testsecret' : undefined);

describe('pct', () => {
  it('encodes everything but A-Z a-z 0-9 - _ . ~ as upper-case UTF-8 escapes, space as %20', () => {
    expect(pct("a b(c)*!'~-_.")).toBe('a%20b%28c%29%2A%21%27~-_.');
    expect(pct('邮件@x+y/z')).toBe('%E9%82%AE%E4%BB%B6%40x%2By%2Fz');
  });
});

describe('decodeWireParams', () => {
  it("reads + as a space, raw ( ) * ! ' as themselves, and keeps duplicates in order", () => {
    expect(decodeWireParams('a=x+y&b=(%7BNickName%7D)!*&a=%E9%82%AE&c&&d=')).toEqual([
      ['a', 'x y'],
      ['b', '({NickName})!*'],
      ['a', '邮'],
      ['c', ''],
      ['d', ''],
    ]);
  });

  it('keeps a malformed escape as sent instead of throwing', () => {
    expect(decodeWireParams('a=100%&b=%zz&c=%E9%82')).toEqual([
      ['a', '100%'],
      ['b', '%zz'],
      ['c', '\uFFFD'],
    ]);
  });
});

describe('signV1', () => {
  it('reproduces the openapi-util test vector (method "", {test: ok}, secret accessKeySecret)', () => {
    expect(v1StringToSign({ test: 'ok' }, '')).toBe('&%2F&test%3Dok');
    expect(signV1({ test: 'ok' }, { method: '', secret: 'accessKeySecret' })).toBe('jHx/oHoHNrbVfhncHEvPdHXZwHU=');
  });

  it('reproduces the BatchSendMail vector, double-encoding the timestamp colons in the StringToSign', () => {
    expect(v1StringToSign(batchParams, 'POST')).toBe(
      'POST&%2F&AccessKeyId%3Dtestid%26AccountName%3Dtest%2540example.com%26Action%3DBatchSendMail%26AddressType%3D1%26Format%3DJSON%26ReceiversName%3Dtest2%26RegionId%3Dcn-hangzhou%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3De1b44502-6d13-4433-9493-69eeb068e955%26SignatureVersion%3D1.0%26TemplateName%3Dtest1%26Timestamp%3D2015-11-23T12%253A00%253A00Z%26Version%3D2015-11-23',
    );
    expect(signV1(batchParams, { method: 'POST', secret: 'testsecret' })).toBe(batchSignature);
  });

  it('ignores a Signature parameter already present and the order parameters come in', () => {
    const reversed = new Map(Object.entries(batchParams).reverse());
    reversed.set('Signature', 'whatever');
    expect(signV1(reversed, { method: 'POST', secret: 'testsecret' })).toBe(batchSignature);
  });
});

describe('verifyV1', () => {
  const signed = { ...batchParams, Signature: batchSignature };

  it('accepts the BatchSendMail vector and reports who signed it, the nonce and the time', () => {
    expect(verifyV1({ method: 'POST', params: signed }, { lookupSecret, nowMs: signedAt + 60_000 })).toEqual({
      ok: true,
      algorithm: 'v1',
      accessKeyId: 'testid',
      nonce: 'e1b44502-6d13-4433-9493-69eeb068e955',
      timestampMs: signedAt,
    });
  });

  it("accepts values that went over the wire through querystring.stringify, raw ( ) * ! ' included", () => {
    const params = { ...batchParams, TemplateName: "<p>({NickName})!*'~ x+y</p>" };
    const wire = stringify({ ...params, Signature: signV1(params, { method: 'POST', secret: 'testsecret' }) });
    expect(wire).toContain('(%7BNickName%7D)');
    const decoded = Object.fromEntries(decodeWireParams(wire));
    expect(verifyV1({ method: 'POST', params: decoded }, { lookupSecret, nowMs: signedAt }).ok).toBe(true);
  });

  it('refuses a tampered parameter, another method or another secret with SignatureDoesNotMatch', () => {
    const opts = { lookupSecret, nowMs: signedAt };
    const tampered = verifyV1({ method: 'POST', params: { ...signed, ReceiversName: 'other' } }, opts);
    expect(tampered).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(tampered.ok === false && tampered.message).toContain('server string to sign is:POST&%2F&');
    expect(verifyV1({ method: 'GET', params: signed }, opts)).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(verifyV1({ method: 'POST', params: signed }, { ...opts, lookupSecret: () => 'other' })).toMatchObject({
      ok: false,
      code: 'SignatureDoesNotMatch',
    });
  });

  it('refuses an unknown AccessKeyId with InvalidAccessKeyId.NotFound before looking at the signature', () => {
    expect(verifyV1({ method: 'POST', params: signed }, { lookupSecret: () => undefined, nowMs: signedAt })).toMatchObject({
      ok: false,
      code: 'InvalidAccessKeyId.NotFound',
    });
  });

  it('refuses a Timestamp more than 15 minutes away, either side, and accepts one exactly 15 minutes away', () => {
    const at = (nowMs: number) => verifyV1({ method: 'POST', params: signed }, { lookupSecret, nowMs });
    expect(at(signedAt + 900_000).ok).toBe(true);
    expect(at(signedAt + 901_000)).toMatchObject({ ok: false, code: 'InvalidTimeStamp.Expired' });
    expect(at(signedAt - 901_000)).toMatchObject({ ok: false, code: 'InvalidTimeStamp.Expired' });
  });

  it('names the missing or malformed common parameter', () => {
    const without = (name: string) => {
      const p: Record<string, string> = { ...signed };
      delete p[name];
      return verifyV1({ method: 'POST', params: p }, { lookupSecret, nowMs: signedAt });
    };
    expect(without('Signature')).toMatchObject({ code: 'MissingSignature' });
    expect(without('AccessKeyId')).toMatchObject({ code: 'MissingAccessKeyId' });
    expect(without('SignatureNonce')).toMatchObject({ code: 'MissingSignatureNonce' });
    expect(without('Timestamp')).toMatchObject({ code: 'MissingTimestamp' });
    expect(without('SignatureMethod')).toMatchObject({ code: 'MissingSignatureMethod' });
    const with_ = (patch: Record<string, string>) => verifyV1({ method: 'POST', params: { ...signed, ...patch } }, { lookupSecret, nowMs: signedAt });
    expect(with_({ SignatureMethod: 'HMAC-SHA256' })).toMatchObject({ code: 'InvalidSignatureMethod' });
    expect(with_({ SignatureVersion: '2.0' })).toMatchObject({ code: 'InvalidSignatureVersion' });
    expect(with_({ Timestamp: '2015-11-23 12:00:00' })).toMatchObject({ code: 'InvalidTimeStamp.Format' });
    expect(with_({ Timestamp: '2015-02-30T12:00:00Z' })).toMatchObject({ code: 'InvalidTimeStamp.Format' });
  });
});
