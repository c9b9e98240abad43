import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressKey, domainOf, formatMailbox, isValidDomain, isValidEmail, normalizeEmail, parseMailbox, uniqueAddresses } from './email-address.ts';
import { EngineError } from './engine-error.ts';

const FIELD = 'from';

function parseError(value: string): unknown {
  try {
    parseMailbox(value, FIELD);
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('parseMailbox', () => {
  it('parses a bare address and lower-cases only its domain', () => {
    expect(parseMailbox('News.Team@Mail.Example.COM', FIELD)).toEqual({ address: 'News.Team@mail.example.com' });
  });

  it('parses the Tencent alias form "Alias <addr>" with exactly one space before the angle bracket', () => {
    expect(parseMailbox('QCLOUDTEAM <noreply@mail.qcloud.com>', FIELD)).toEqual({ address: 'noreply@mail.qcloud.com', name: 'QCLOUDTEAM' });
    expect(parseMailbox('腾讯云 团队 <noreply@mail.qcloud.com>', FIELD)).toEqual({ address: 'noreply@mail.qcloud.com', name: '腾讯云 团队' });
  });

  it('ignores whitespace around the whole value', () => {
    expect(parseMailbox('  Team <a@example.com>  ', FIELD)).toEqual({ address: 'a@example.com', name: 'Team' });
  });

  it('refuses an alias not separated by exactly one space, or angle brackets without an alias', () => {
    for (const value of ['Team<a@example.com>', 'Team  <a@example.com>', '<a@example.com>']) {
      expect(parseError(value), value).toBeInstanceOf(EngineError);
    }
  });

  it('refuses an alias containing a colon, a quote, an angle bracket or a line break', () => {
    for (const value of [
      'Re: Team <a@example.com>',
      '"Team" <a@example.com>',
      'Team > x <a@example.com>',
      'Team\r\nBcc: x <a@example.com>',
      'Team\n <a@example.com>',
    ]) {
      expect(parseError(value), JSON.stringify(value)).toBeInstanceOf(EngineError);
    }
  });

  it('refuses an alias longer than 128 characters', () => {
    expect(parseError(`${'a'.repeat(129)} <a@example.com>`)).toBeInstanceOf(EngineError);
    expect(parseMailbox(`${'a'.repeat(128)} <a@example.com>`, FIELD).name).toHaveLength(128);
  });

  it('refuses addresses carrying CR, LF, a comma or angle brackets, so no header or second recipient can be injected', () => {
    for (const value of [
      'a@example.com\r\nBcc: x@example.com',
      'a@example.com,b@example.com',
      'a@example.com, b@example.com',
      'a<b>@example.com',
      'Team <a@example.com>>',
      'a@exa\nmple.com',
    ]) {
      expect(parseError(value), JSON.stringify(value)).toBeInstanceOf(EngineError);
    }
  });

  it('refuses as invalid-address naming the field the caller chose and the offending value', () => {
    const err = parseError('not an address');
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ kind: 'invalid-address', name: 'EngineError', context: { field: FIELD, value: 'not an address' } });
    expect(() => parseMailbox('x', 'replyTo')).toThrow(expect.objectContaining({ kind: 'invalid-address', context: { field: 'replyTo', value: 'x' } }));
  });
});

describe('formatMailbox', () => {
  it('renders a named mailbox as "Alias <addr>" and an unnamed one as the bare address', () => {
    expect(formatMailbox({ address: 'a@example.com', name: 'Team' })).toBe('Team <a@example.com>');
    expect(formatMailbox({ address: 'a@example.com' })).toBe('a@example.com');
  });

  it('quotes an alias with a comma or other specials so it still reads as one mailbox', () => {
    expect(formatMailbox({ address: 'j@example.com', name: 'Smith, John' })).toBe('"Smith, John" <j@example.com>');
    expect(formatMailbox({ address: 'j@example.com', name: 'J. Smith' })).toBe('"J. Smith" <j@example.com>');
  });
});

describe('isValidEmail', () => {
  it('accepts ordinary addresses, plus tags, atext specials and subdomains', () => {
    for (const value of ['a@example.com', 'first.last+tag@mail.example.co.uk', "o'brien@example.ie", 'x_y-z@a-b.example.museum', 'A@EXAMPLE.COM']) {
      expect(isValidEmail(value), value).toBe(true);
    }
  });

  it('refuses malformed local parts: empty, leading, trailing or doubled dots, spaces, quotes and non-ASCII', () => {
    for (const value of [
      '@example.com',
      '.a@example.com',
      'a.@example.com',
      'a..b@example.com',
      'a b@example.com',
      '"a"@example.com',
      'usér@example.com',
      'a@b@example.com',
    ]) {
      expect(isValidEmail(value), value).toBe(false);
    }
  });

  it('refuses malformed domains: none, no dot, IP literals, hyphen-edged labels, numeric TLDs and trailing dots', () => {
    for (const value of [
      'a',
      'a@',
      'a@localhost',
      'a@[127.0.0.1]',
      'a@127.0.0.1',
      'a@-x.example.com',
      'a@x-.example.com',
      'a@example.c',
      'a@example.123',
      'a@example.com.',
      'a@exa_mple.com',
    ]) {
      expect(isValidEmail(value), value).toBe(false);
    }
  });

  it('accepts a 64-character local part and refuses 65', () => {
    expect(isValidEmail(`${'a'.repeat(64)}@example.com`)).toBe(true);
    expect(isValidEmail(`${'a'.repeat(65)}@example.com`)).toBe(false);
  });

  it('accepts a 254-character address and refuses 255', () => {
    const domain = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(57)}.com`;
    const max = `${'l'.repeat(64)}@${domain}`;
    expect(max).toHaveLength(254);
    expect(isValidEmail(max)).toBe(true);
    expect(isValidEmail(`${'l'.repeat(64)}@d${domain}`)).toBe(false);
  });

  it('accepts a 63-character domain label and refuses 64', () => {
    expect(isValidEmail(`a@${'x'.repeat(63)}.com`)).toBe(true);
    expect(isValidEmail(`a@${'x'.repeat(64)}.com`)).toBe(false);
  });
});

describe('isValidDomain, normalizeEmail and domainOf', () => {
  it('validates domain names without a trailing dot', () => {
    expect(isValidDomain('mail.example.com')).toBe(true);
    expect(isValidDomain('example')).toBe(false);
    expect(isValidDomain('example.com.')).toBe(false);
  });

  it('lower-cases the domain only and reads the domain after the last @', () => {
    expect(normalizeEmail('Bob@Example.COM')).toBe('Bob@example.com');
    expect(normalizeEmail('no-at-sign')).toBe('no-at-sign');
    expect(domainOf('Bob@Example.COM')).toBe('example.com');
  });
});

describe('addressKey: the one address-comparison rule', () => {
  it('folds the case of the domain', () => {
    expect(addressKey('bob@Example.COM')).toBe(addressKey('bob@example.com'));
    expect(addressKey('bob@Example.COM')).toBe('bob@example.com');
  });

  it('folds the case of the local part too, as every mainstream mailbox provider does', () => {
    expect(addressKey('Bob@x.com')).toBe(addressKey('bob@x.com'));
    expect(addressKey('BOB.Smith+News@X.com')).toBe('bob.smith+news@x.com');
  });

  it('keeps apart addresses that differ in anything but case (dots, tags, hyphens)', () => {
    const keys = ['bob@x.com', 'b.ob@x.com', 'bob+a@x.com', 'bob@x-y.com', 'bob@x.co'].map(addressKey);
    expect(new Set(keys).size).toBe(5);
  });

  it('leaves a punycode (a-label) domain as ASCII and does not convert a Unicode domain to punycode (IDNA is not supported; isValidEmail refuses it)', () => {
    expect(addressKey('Bob@XN--BCHER-KVA.Example')).toBe('bob@xn--bcher-kva.example');
    expect(addressKey('bob@Bücher.example')).toBe('bob@bücher.example');
    expect(addressKey('bob@bücher.example')).not.toBe(addressKey('bob@xn--bcher-kva.example'));
    expect(isValidEmail('bob@bücher.example')).toBe(false);
  });

  it('keeps a quoted local part exactly as given (a literal string) and folds only its domain', () => {
    expect(addressKey('"John Doe"@X.com')).toBe('"John Doe"@x.com');
    expect(addressKey('"a@B"@X.com')).toBe('"a@B"@x.com');
    expect(addressKey('"John Doe"@x.com')).not.toBe(addressKey('"john doe"@x.com'));
  });

  it('lower-cases a value without an @ whole', () => {
    expect(addressKey('NoAtSign')).toBe('noatsign');
  });

  it('agrees with the whole address lower-cased for every valid address, the rule unsubscribes and receiver lists were stored by', () => {
    const local = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}(\.[A-Za-z0-9_-]{1,10})?$/u);
    const domain = fc.stringMatching(/^[A-Za-z0-9]{1,20}\.[A-Za-z]{2,6}$/u);
    fc.assert(
      fc.property(local, domain, (l, d) => {
        const address = `${l}@${d}`;
        fc.pre(isValidEmail(address));
        expect(addressKey(address)).toBe(address.toLowerCase());
      }),
    );
  });
});

describe('uniqueAddresses', () => {
  it('keeps each mailbox once by addressKey, in first-seen order and first-seen spelling', () => {
    expect(uniqueAddresses(['Bob@x.com', 'ann@y.com', 'bob@X.com', 'BOB@x.com', 'Ann@y.com', 'c@z.com'])).toEqual(['Bob@x.com', 'ann@y.com', 'c@z.com']);
    expect(uniqueAddresses([])).toEqual([]);
  });
});
