import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidCidr, TargetPolicy } from './target-policy.ts';

describe('TargetPolicy', () => {
  const policy = new TargetPolicy();

  it('refuses cloud-metadata addresses by default, in every spelling of them', () => {
    for (const a of ['169.254.169.254', 'fd00:ec2::254', '100.100.100.200', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '64:ff9b::a9fe:a9fe']) {
      expect(policy.refusalOf(a), a).toBeDefined();
    }
    expect(policy.refusalOf('fd00:ec2::254')).toBe('metadata');
    expect(policy.refusalOfHostName('Metadata.Google.Internal.')).toBe('metadata');
  });

  it('refuses link-local, loopback and unspecified addresses refuses reserved (documentation) ranges, and allows public and (by default) private ones', () => {
    expect(policy.refusalOf('169.254.10.1')).toBe('refused-range');
    expect(policy.refusalOf('fe80::1')).toBe('refused-range');
    expect(policy.refusalOf('fe80::1%eth0')).toBe('refused-range');
    expect(policy.refusalOf('127.0.0.1')).toBe('refused-range');
    expect(policy.refusalOf('::1')).toBe('refused-range');
    expect(policy.refusalOf('0.0.0.0')).toBe('refused-range');
    expect(policy.refusalOf('8.8.8.8')).toBeUndefined();
    expect(policy.refusalOf('2606:4700:4700::1111')).toBeUndefined();
    expect(policy.refusalOf('10.1.2.3')).toBeUndefined();
    expect(policy.refusalOf('203.0.113.7')).toBe('refused-range');
    expect(policy.refusalOf('not an ip')).toBe('not-an-address');
  });

  it('refuses every address of 169.254.0.0/16 and fe80::/10 unless an allow CIDR names it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), (c, d) => {
        expect(policy.refusalOf(`169.254.${c}.${d}`)).toBeDefined();
        expect(policy.refusalOf(`fe${(0x80 + (c % 64)).toString(16)}::${d.toString(16)}`)).toBeDefined();
      }),
    );
  });

  it('widens with allow CIDRs, narrows with deny CIDRs (deny wins) and with allowPrivate false', () => {
    const widened = new TargetPolicy({ allowCidrs: ['127.0.0.0/8', '::1'], denyCidrs: ['127.0.0.2'] });
    expect(widened.refusalOf('127.0.0.1')).toBeUndefined();
    expect(widened.refusalOf('::ffff:127.0.0.1')).toBeUndefined();
    expect(widened.refusalOf('::1')).toBeUndefined();
    expect(widened.refusalOf('127.0.0.2')).toBe('denied-cidr');
    expect(widened.refusalOf('169.254.169.254')).toBe('metadata');
    const narrowed = new TargetPolicy({ allowPrivate: false, denyCidrs: ['8.8.8.0/24'] });
    expect(narrowed.refusalOf('10.0.0.1')).toBe('private');
    expect(narrowed.refusalOf('fd12::1')).toBe('private');
    expect(narrowed.refusalOf('8.8.8.8')).toBe('denied-cidr');
    expect(narrowed.refusalOf('1.1.1.1')).toBeUndefined();
  });

  it('accepts addresses and CIDRs of both families and refuses other text', () => {
    expect(['10.0.0.0/8', '::1', 'fe80::/10', '127.0.0.1'].every(isValidCidr)).toBe(true);
    expect(['10.0.0.0/33', 'example.com', ''].some(isValidCidr)).toBe(false);
    expect(() => new TargetPolicy({ allowCidrs: ['nope'] })).toThrow(RangeError);
  });
});
