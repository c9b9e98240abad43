import { describe, expect, it } from 'vitest';
import { decodeBase64Strict, decodeBase64Text } from './base64.ts';

describe('decodeBase64Strict', () => {
  it('decodes padded standard base64 of any length', () => {
    expect(decodeBase64Strict('')?.toString()).toBe('');
    expect(decodeBase64Strict('YQ==')?.toString()).toBe('a');
    expect(decodeBase64Strict('YWI=')?.toString()).toBe('ab');
    expect(decodeBase64Strict('YWJj')?.toString()).toBe('abc');
    expect(decodeBase64Strict('+/+/')).toEqual(Buffer.from([0xfb, 0xff, 0xbf]));
  });

  it('refuses missing padding, whitespace, line breaks, the URL-safe alphabet and foreign characters', () => {
    for (const bad of ['YQ', 'YWI', 'YW Jj', 'YWJj\n', 'YWJj\r\nYWJj', '-_-_', 'YWJ*', 'YQ===', '=YQ=', 'Y===', 'YQ==YQ==']) {
      expect(decodeBase64Strict(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });

  it('decodes and refuses 11 MiB of base64 without exhausting the stack (a repeated-group pattern overflowed it at 4 MiB)', () => {
    const bytes = Buffer.alloc(11 * 1024 * 1024, 0xa5);
    const encoded = bytes.toString('base64');
    expect(decodeBase64Strict(encoded)?.equals(bytes)).toBe(true);
    expect(decodeBase64Strict(`${encoded.slice(0, -4)}*AAA`)).toBeUndefined();
  });

  it('refuses non-canonical encodings whose unused trailing bits are set', () => {
    expect(decodeBase64Strict('QQ==')?.toString()).toBe('A');
    expect(decodeBase64Strict('QR==')).toBeUndefined();
    expect(decodeBase64Strict('QUF=')).toBeUndefined();
  });
});

describe('decodeBase64Text', () => {
  it('decodes base64 of UTF-8 text, multi-byte characters included', () => {
    expect(decodeBase64Text(Buffer.from('<p>你好 {{name}}</p>', 'utf8').toString('base64'))).toBe('<p>你好 {{name}}</p>');
  });

  it('refuses bytes that are not valid UTF-8', () => {
    expect(decodeBase64Text(Buffer.from([0xff, 0xfe, 0x41]).toString('base64'))).toBeUndefined();
    expect(decodeBase64Text(Buffer.from([0xe4, 0xbd]).toString('base64'))).toBeUndefined();
  });

  it('keeps a leading byte-order mark as part of the text', () => {
    expect(decodeBase64Text(Buffer.from('\uFEFFhi', 'utf8').toString('base64'))).toBe('\uFEFFhi');
  });

  it('refuses text that is not strict base64', () => {
    expect(decodeBase64Text('aGVsbG8')).toBeUndefined();
  });
});
