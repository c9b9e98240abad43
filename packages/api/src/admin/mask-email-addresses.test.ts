import { describe, expect, it } from 'vitest';
import { maskEmailAddresses } from './mask-email-addresses.ts';

describe('maskEmailAddresses', () => {
  it('keeps the first character and the domain of every address in a string', () => {
    expect(maskEmailAddresses('to alice@example.org and Bob.Smith+news@mail.example.co.uk')).toBe('to a***@example.org and B***@mail.example.co.uk');
  });

  it('masks addresses at any depth of objects and arrays without touching the input', () => {
    const input = { messageId: 'pm-1', recipients: ['carol@example.org'], data: { to: { email: 'dave@example.org' } }, count: 2 };
    expect(maskEmailAddresses(input)).toEqual({ messageId: 'pm-1', recipients: ['c***@example.org'], data: { to: { email: 'd***@example.org' } }, count: 2 });
    expect(input.recipients[0]).toBe('carol@example.org');
  });

  it('returns values without addresses unchanged', () => {
    expect(maskEmailAddresses({ taskId: 7, run: 1, start: 0, end: 50 })).toEqual({ taskId: 7, run: 1, start: 0, end: 50 });
    expect(maskEmailAddresses('sent 3/5')).toBe('sent 3/5');
    expect(maskEmailAddresses(null)).toBeNull();
    expect(maskEmailAddresses(undefined)).toBeUndefined();
  });
});
