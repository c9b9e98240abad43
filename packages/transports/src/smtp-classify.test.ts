import { describe, expect, it } from 'vitest';
import { classifySmtpReply } from './smtp-classify.ts';

describe('classifySmtpReply', () => {
  it('throttles the transport after SMTP 421, 451 and 454', () => {
    for (const reply of [421, 451, 454]) expect(classifySmtpReply(reply)).toBe('throttled');
  });

  it('treats other SMTP 4xx replies as transient and every SMTP 5xx reply as permanent', () => {
    for (const reply of [450, 452]) expect(classifySmtpReply(reply)).toBe('transient');
    for (const reply of [550, 551, 552, 553, 554]) expect(classifySmtpReply(reply)).toBe('permanent');
  });
});
