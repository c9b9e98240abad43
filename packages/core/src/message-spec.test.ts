import { describe, expect, it } from 'vitest';
import { specRecipients } from './message-spec.ts';

describe('specRecipients', () => {
  it('gives an address listed in To and again in Cc one envelope recipient, exactly repeated or in another case', () => {
    expect(specRecipients({ to: ['a@x.com'], cc: ['a@x.com'], bcc: [] })).toEqual(['a@x.com']);
    expect(specRecipients({ to: ['Bob@x.com'], cc: ['bob@x.com'], bcc: [] })).toEqual(['Bob@x.com']);
  });

  it('keeps the first spelling in To, Cc, Bcc order and every distinct mailbox in that order', () => {
    expect(specRecipients({ to: ['ann@y.com'], cc: ['CAT@z.com', 'Ann@y.com'], bcc: ['cat@z.com', 'dan@z.com'] })).toEqual([
      'ann@y.com',
      'CAT@z.com',
      'dan@z.com',
    ]);
  });
});
