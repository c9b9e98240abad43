import { describe, expect, it } from 'vitest';
import { newMessageId, randomId, rfcMessageId } from './message-id.ts';

const counting = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);

describe('randomId', () => {
  it('maps each random byte to one base62 character', () => {
    expect(randomId(4, () => Uint8Array.from([0, 10, 36, 61]))).toBe('0Aaz');
    expect(randomId(2, () => Uint8Array.from([62, 255]))).toBe('07');
  });

  it('answers exactly the requested number of base62 characters', () => {
    const id = randomId(32);
    expect(id).toMatch(/^[0-9A-Za-z]{32}$/u);
  });
});

describe('newMessageId', () => {
  it('is shaped like Tencent ids with the UTC acceptance time: pm-date-<yyyyMMddHHmmss>-<16 base62>', () => {
    const id = newMessageId(Date.UTC(2024, 0, 2, 3, 4, 5, 678), counting);
    expect(id).toBe('pm-date-20240102030405-0123456789ABCDEF');
  });

  it('never contains a colon, so it can be a BullMQ job id', () => {
    expect(newMessageId(Date.now())).toMatch(/^pm-date-\d{14}-[0-9A-Za-z]{16}$/u);
  });

  it('differs between two calls at the same instant', () => {
    const now = Date.UTC(2024, 0, 1);
    expect(newMessageId(now)).not.toBe(newMessageId(now));
  });
});

describe('rfcMessageId', () => {
  it('builds <id@sender-domain>, and <id.key@sender-domain> for a personal copy', () => {
    expect(rfcMessageId('pm-date-1-x', 'mail.example.com')).toBe('<pm-date-1-x@mail.example.com>');
    expect(rfcMessageId('pm-date-1-x', 'mail.example.com', 'alice=example.org')).toBe('<pm-date-1-x.alice=example.org@mail.example.com>');
  });
});
