import { describe, expect, it } from 'vitest';
import { readIdempotencyKey, requestFingerprint } from './idempotency-key.ts';

describe('requestFingerprint', () => {
  it('is the same for the same parameters in any key order, and differs when a value or an array order differs', () => {
    const a = requestFingerprint({ Subject: 'Hi', Destination: ['a@x.com', 'b@x.com'], Template: { TemplateID: 1, TemplateData: '{}' } });
    expect(requestFingerprint({ Template: { TemplateData: '{}', TemplateID: 1 }, Destination: ['a@x.com', 'b@x.com'], Subject: 'Hi' })).toBe(a);
    expect(requestFingerprint({ Subject: 'Hi!', Destination: ['a@x.com', 'b@x.com'], Template: { TemplateID: 1, TemplateData: '{}' } })).not.toBe(a);
    expect(requestFingerprint({ Subject: 'Hi', Destination: ['b@x.com', 'a@x.com'], Template: { TemplateID: 1, TemplateData: '{}' } })).not.toBe(a);
  });
});

describe('readIdempotencyKey', () => {
  const signed = ['content-type', 'host', 'x-postmill-idempotency-key'];

  it('returns nothing without the header and the key when it is signed on SendEmail', () => {
    expect(readIdempotencyKey({}, ['content-type', 'host'], 'SendEmail')).toBeUndefined();
    expect(readIdempotencyKey({ 'x-postmill-idempotency-key': 'order-42' }, signed, 'SendEmail')).toBe('order-42');
  });

  it('refuses an unsigned key, a key on another action, a repeated header and a malformed key, each with its code', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return (err as { code?: string }).code;
      }
      return undefined;
    };
    expect(code(() => readIdempotencyKey({ 'x-postmill-idempotency-key': 'k' }, ['content-type', 'host'], 'SendEmail'))).toBe(
      'AuthFailure.InvalidAuthorization',
    );
    expect(code(() => readIdempotencyKey({ 'x-postmill-idempotency-key': 'k' }, signed, 'BatchSendEmail'))).toBe('InvalidParameter');
    expect(code(() => readIdempotencyKey({ 'x-postmill-idempotency-key': ['a', 'b'] }, signed, 'SendEmail'))).toBe('InvalidParameterValue');
    for (const bad of ['', 'with space', 'é', 'k'.repeat(256)]) {
      expect(code(() => readIdempotencyKey({ 'x-postmill-idempotency-key': bad }, signed, 'SendEmail'))).toBe('InvalidParameterValue');
    }
  });
});
