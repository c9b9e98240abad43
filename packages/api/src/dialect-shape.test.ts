import { describe, expect, it } from 'vitest';
import { chooseDialect, chooseDialectWithoutBody, dialectOfRawHead } from './dialect-shape.ts';

const form = { 'content-type': 'application/x-www-form-urlencoded' };

describe('chooseDialect', () => {
  it('takes an ACS3-HMAC-SHA256 Authorization for Alibaba V3, whatever else the request carries', () => {
    expect(chooseDialect({ headers: { authorization: 'ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host,Signature=00' }, rawQuery: '', body: undefined })).toBe(
      'aliyun',
    );
  });

  it('takes a Signature parameter in the query or the form body for Alibaba V1', () => {
    expect(chooseDialect({ headers: {}, rawQuery: 'Action=X&Signature=abc', body: undefined })).toBe('aliyun');
    expect(chooseDialect({ headers: form, rawQuery: '', body: Buffer.from('Action=X&Signature=abc%3D') })).toBe('aliyun');
  });

  it('keeps every request with a Tencent marker (TC3 Authorization or an X-TC-* header) Tencent, even with a Signature parameter', () => {
    expect(chooseDialect({ headers: { 'x-tc-action': 'SendEmail' }, rawQuery: 'Signature=x', body: undefined })).toBe('tencent');
    expect(chooseDialect({ headers: { ...form, authorization: 'TC3-HMAC-SHA256 Credential=x' }, rawQuery: '', body: Buffer.from('Signature=x') })).toBe(
      'tencent',
    );
  });

  it('leaves anything else to Tencent, as before Alibaba was served: no signature, a form without one, a JSON body', () => {
    expect(chooseDialect({ headers: {}, rawQuery: '', body: undefined })).toBe('tencent');
    expect(chooseDialect({ headers: form, rawQuery: '', body: Buffer.from('Action=X&NotSignature=1') })).toBe('tencent');
    expect(chooseDialect({ headers: { 'content-type': 'application/json' }, rawQuery: '', body: Buffer.from('{"Signature":"x"}') })).toBe('tencent');
    expect(chooseDialect({ headers: {}, rawQuery: 'SignatureNonce=1', body: undefined })).toBe('tencent');
  });
});

describe('chooseDialectWithoutBody', () => {
  it('takes a form POST without a Tencent marker for Alibaba V1 when its body could not be read', () => {
    expect(chooseDialectWithoutBody({ headers: form, rawQuery: '' })).toBe('aliyun');
    expect(chooseDialectWithoutBody({ headers: { ...form, 'x-tc-timestamp': '1' }, rawQuery: '' })).toBe('tencent');
    expect(chooseDialectWithoutBody({ headers: { 'content-type': 'application/json' }, rawQuery: '' })).toBe('tencent');
  });
});

describe('dialectOfRawHead', () => {
  it('takes raw head bytes for Alibaba only on an ACS3 Authorization or a Signature parameter in the request line', () => {
    expect(dialectOfRawHead(Buffer.from('GET /?Action=X&Signature=abc HTTP/1.1\r\nHost: x\r\n'))).toBe('aliyun');
    expect(dialectOfRawHead(Buffer.from('POST / HTTP/1.1\r\nauthorization: ACS3-HMAC-SHA256 Credential=a\r\n\r\n'))).toBe('aliyun');
    expect(dialectOfRawHead(Buffer.from('POST /?Signature=abc HTTP/1.1\r\nX-TC-Action: SendEmail\r\n'))).toBe('tencent');
    expect(dialectOfRawHead(Buffer.from('POST / HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n'))).toBe('tencent');
    expect(dialectOfRawHead(Buffer.from('aaaa partial header bytes'))).toBe('tencent');
    expect(dialectOfRawHead(undefined)).toBe('tencent');
  });
});
