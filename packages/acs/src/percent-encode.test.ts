import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeWireParams, pct } from './percent-encode.ts';

/** The byte-by-byte implementation `pct` replaced, kept as the reference it must equal. */
function referencePct(value: string): string {
  const isUnreservedByte = (b: number): boolean =>
    (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e;
  let out = '';
  for (const b of Buffer.from(value, 'utf8')) {
    out += isUnreservedByte(b) ? String.fromCharCode(b) : `%${b < 16 ? '0' : ''}${b.toString(16).toUpperCase()}`;
  }
  return out;
}

// Every UTF-16 code unit, lone surrogates included, and ASCII often (where the special cases are).
const anyText = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)) }),
  fc.string(),
);

describe('pct', () => {
  it('encodes every string, lone surrogates included, exactly as the byte-by-byte reference does', () => {
    fc.assert(
      fc.property(anyText, (value) => {
        expect(pct(value)).toBe(referencePct(value));
      }),
      { numRuns: 2000 },
    );
  });

  it("encodes the characters encodeURIComponent keeps (! ' ( ) *), space as %20, and a lone surrogate as U+FFFD", () => {
    expect(pct("a!'()*~ b")).toBe('a%21%27%28%29%2A~%20b');
    expect(pct('\uD800x\uDC00')).toBe('%EF%BF%BDx%EF%BF%BD');
    expect(pct('😀')).toBe('%F0%9F%98%80');
  });

  it('round-trips through decodeWireParams for every well-formed string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (name, value) => {
        fc.pre(name !== '');
        expect(decodeWireParams(`${pct(name)}=${pct(value)}`)).toEqual([[name, value]]);
      }),
    );
  });
});
