import { describe, expect, it } from 'vitest';
import { bucketBitsFor, decodeEntry, emailFingerprint, encodeEntry, fingerprintBucket, validateReceiverEntry } from './receiver-entry.ts';

const rules = { maxTemplateDataBytes: 800 };

function reason(email: string, templateData?: string, expectedKeys?: readonly string[]): string | undefined {
  const v = validateReceiverEntry({ email, templateData }, expectedKeys === undefined ? rules : { ...rules, expectedKeys });
  return v.ok ? undefined : v.reason;
}

describe('validateReceiverEntry', () => {
  it('accepts an address, trims it and lower-cases only its domain', () => {
    expect(validateReceiverEntry({ email: '  John.Doe@Example.COM ' }, rules)).toEqual({ ok: true, email: 'John.Doe@example.com', keys: [] });
  });

  it('refuses an empty or blank address with EmptyEmail before anything else', () => {
    expect(reason('')).toBe('EmptyEmail');
    expect(reason('   ', 'not json')).toBe('EmptyEmail');
  });

  it('refuses an address over 254 characters with TooLong and a malformed one with InvalidEmail', () => {
    expect(reason(`${'a'.repeat(60)}@${'b'.repeat(190)}.com`)).toBe('TooLong');
    for (const bad of ['plain', 'a@b', 'a@@b.com', 'a b@c.com', 'a@b.com\nBcc: x@y.com', `${'l'.repeat(65)}@x.com`]) expect(reason(bad)).toBe('InvalidEmail');
  });

  it('gives canonical TemplateData: compact JSON in the given key order with every value a string', () => {
    const v = validateReceiverEntry({ email: 'a@x.com', templateData: '{ "name" : "Ann", "age": 12, "vip": true }' }, rules);
    expect(v).toEqual({ ok: true, email: 'a@x.com', templateData: '{"name":"Ann","age":"12","vip":"true"}', keys: ['name', 'age', 'vip'] });
  });

  it('treats an empty object as no TemplateData', () => {
    expect(validateReceiverEntry({ email: 'a@x.com', templateData: '{}' }, rules)).toEqual({ ok: true, email: 'a@x.com', keys: [] });
  });

  it('refuses data that is not a JSON object of scalars with TemplateDataError', () => {
    for (const bad of ['', 'nope', '[1,2]', '"text"', 'null', '{"a":null}', '{"a":{"b":1}}', '{"a":[1]}'])
      expect(reason('a@x.com', bad)).toBe('TemplateDataError');
  });

  it('refuses data over the byte limit (UTF-8 bytes of the string as given) with TemplateDataLenLimit', () => {
    const small = { maxTemplateDataBytes: 20 };
    expect(validateReceiverEntry({ email: 'a@x.com', templateData: `{"n":"${'x'.repeat(12)}"}` }, small).ok).toBe(true);
    // 6 three-byte characters make 18 bytes although only 6 characters.
    expect(validateReceiverEntry({ email: 'a@x.com', templateData: `{"n":"${'通'.repeat(6)}"}` }, small)).toMatchObject({
      ok: false,
      reason: 'TemplateDataLenLimit',
    });
  });

  it('refuses markup in a value with InValidTemplateData but lets a lone "<" through', () => {
    for (const bad of ['{"a":"<b>hi</b>"}', '{"a":"x</p>"}', '{"a":"<!-- c -->"}', '{"a":"<script>"}'])
      expect(reason('a@x.com', bad)).toBe('InValidTemplateData');
    expect(reason('a@x.com', '{"a":"1 < 2 and 3 <= 4"}')).toBeUndefined();
  });

  it('requires the keys the list already has, in any order, and no data in a plain list', () => {
    expect(reason('a@x.com', '{"b":"1","a":"2"}', ['a', 'b'])).toBeUndefined();
    expect(reason('a@x.com', '{"a":"1"}', ['a', 'b'])).toBe('TemplateDataInconsistent');
    expect(reason('a@x.com', '{"a":"1","b":"2","c":"3"}', ['a', 'b'])).toBe('TemplateDataInconsistent');
    expect(reason('a@x.com', undefined, ['a'])).toBe('TemplateDataInconsistent');
    expect(reason('a@x.com', '{"a":"1"}', [])).toBe('TemplateDataInconsistent');
    expect(reason('a@x.com', undefined, [])).toBeUndefined();
  });

  it('names the size and the limit with its setting in a TemplateDataLenLimit message', () => {
    const v = validateReceiverEntry({ email: 'a@x.com', templateData: `{"n":"${'x'.repeat(1016)}"}` }, rules);
    expect(v).toEqual({
      ok: false,
      reason: 'TemplateDataLenLimit',
      message: 'TemplateData is 1,024 bytes; the limit is 800 (RECEIVER_TEMPLATE_DATA_MAX_BYTES)',
    });
  });

  it('names the missing and unexpected variables and the ones the list expects in a TemplateDataInconsistent message', () => {
    const message = (data: string | undefined, keys: string[]) => {
      const v = validateReceiverEntry({ email: 'a@x.com', templateData: data }, { ...rules, expectedKeys: keys });
      return v.ok ? undefined : v.message;
    };
    expect(message('{"code":"1"}', ['name', 'city', 'code'])).toBe('missing variables: name, city (the list expects name, city, code)');
    expect(message('{"a":"1","z":"2"}', ['a', 'b'])).toBe('missing variables: b; unexpected variables: z (the list expects a, b)');
    expect(message(undefined, ['a'])).toBe('missing variables: a (the list expects a)');
    expect(message('{"a":"1"}', [])).toBe('the list holds plain addresses (no TemplateData); this entry has the variables a');
  });
});

describe('list entry codec', () => {
  it('round-trips a plain address and an address with data', () => {
    expect(decodeEntry(encodeEntry('a@x.com'))).toEqual({ email: 'a@x.com' });
    const raw = encodeEntry('a@x.com', '{"n":"a\u001fb"}');
    expect(raw).toBe('a@x.com\u001f{"n":"a\u001fb"}');
    expect(decodeEntry(raw)).toEqual({ email: 'a@x.com', templateData: '{"n":"a\u001fb"}' });
  });
});

describe('fingerprints', () => {
  it('are 8 bytes and ignore the case of the whole address', () => {
    const fp = emailFingerprint('John@Example.com');
    expect(fp).toHaveLength(8);
    expect(fp.equals(emailFingerprint('john@example.COM'))).toBe(true);
    expect(fp.equals(emailFingerprint('jane@example.com'))).toBe(false);
  });

  it('fall into buckets by their top bits', () => {
    const fp = Buffer.from([0xff, 0x00, 0, 0, 0, 0, 0, 0]);
    expect(fingerprintBucket(fp, 0)).toBe(0);
    expect(fingerprintBucket(fp, 4)).toBe(15);
    expect(fingerprintBucket(fp, 12)).toBe(0xff0);
    expect(() => fingerprintBucket(fp, 25)).toThrow(RangeError);
  });

  it('spread evenly enough over buckets that none overflows a listpack at 64 per bucket on average', () => {
    const bits = 8;
    const counts = new Array<number>(2 ** bits).fill(0);
    for (let i = 0; i < 64 * 2 ** bits; i++) {
      const b = fingerprintBucket(emailFingerprint(`user${i}@example.com`), bits);
      counts[b] = (counts[b] ?? 0) + 1;
    }
    expect(Math.max(...counts)).toBeLessThan(128);
  });

  it('size buckets for 64 fingerprints each', () => {
    expect(bucketBitsFor(1_000_000)).toBe(14);
    expect(bucketBitsFor(50_000)).toBe(10);
    expect(bucketBitsFor(10)).toBe(0);
    expect(bucketBitsFor(1e12)).toBe(24);
  });
});
