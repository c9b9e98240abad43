import { EngineError, type MessageLimits, messageLimitsOf, TENCENT_LIMITS } from '@postmill/core';
import { describe, expect, it } from 'vitest';
import { checkAttachments, checkRecipients, checkSubject } from './message-checks.ts';

const addresses = (n: number, tag = 'r') => Array.from({ length: n }, (_, i) => `${tag}${i}@example.org`);

function refusal(run: () => unknown): EngineError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    return err as EngineError;
  }
  throw new Error('not refused');
}

/** A vendor's caps as a dialect passes them (SendCloud's: 100 per field, 10 MiB, 255 characters). */
const VENDOR: MessageLimits = {
  maxDestinations: 100,
  maxCc: 100,
  maxBcc: 100,
  maxAttachments: 10,
  maxAttachmentBytes: 10 * 1024 * 1024,
  maxSubjectLength: 255,
};

describe('message checks against MessageLimits', () => {
  it('messageLimitsOf keeps exactly the six per-message caps of a deployment’s Limits', () => {
    expect(messageLimitsOf(TENCENT_LIMITS)).toEqual({
      maxDestinations: 50,
      maxCc: 20,
      maxBcc: 20,
      maxAttachments: 10,
      maxAttachmentBytes: 4 * 1024 * 1024,
      maxSubjectLength: 100,
    });
  });

  it('checkRecipients takes up to each field’s cap and refuses one more with too-many-recipients naming the field, count and cap', () => {
    expect(checkRecipients({ to: addresses(100), cc: addresses(100, 'c'), bcc: addresses(100, 'b') }, VENDOR).to).toHaveLength(100);
    for (const field of ['to', 'cc', 'bcc'] as const) {
      expect(refusal(() => checkRecipients({ [field]: addresses(101) }, VENDOR))).toMatchObject({
        kind: 'too-many-recipients',
        context: { field, count: 101, max: 100 },
      });
    }
    // The deployment's (Tencent's) caps are unchanged: 50 to, 20 cc, 20 bcc.
    expect(checkRecipients({ to: addresses(50) }, TENCENT_LIMITS).to).toHaveLength(50);
    expect(refusal(() => checkRecipients({ to: addresses(51) }, TENCENT_LIMITS))).toMatchObject({ context: { field: 'to', count: 51, max: 50 } });
    expect(refusal(() => checkRecipients({ to: ['a@example.org'], cc: addresses(21) }, TENCENT_LIMITS))).toMatchObject({
      context: { field: 'cc', count: 21, max: 20 },
    });
  });

  it('checkSubject counts characters against maxSubjectLength: 255 pass a vendor’s cap of 255, 101 fail Tencent’s 100', () => {
    expect(checkSubject('é'.repeat(255), VENDOR)).toHaveLength(255);
    expect(refusal(() => checkSubject('x'.repeat(256), VENDOR))).toMatchObject({ kind: 'invalid-input', context: { field: 'subject', rule: 'length' } });
    expect(refusal(() => checkSubject('x'.repeat(101), TENCENT_LIMITS)).message).toBe('`subject` must be 1 to 100 characters long (got 101).');
  });

  it('checkAttachments sums decoded bytes against maxAttachmentBytes: 5 MiB pass a 10 MiB cap and fail Tencent’s 4 MiB with limit-exceeded attachment-bytes', () => {
    const five = [{ fileName: 'big.pdf', contentBase64: Buffer.alloc(5 * 1024 * 1024, 7).toString('base64') }];
    expect(checkAttachments(five, VENDOR)).toHaveLength(1);
    expect(refusal(() => checkAttachments(five, TENCENT_LIMITS))).toMatchObject({
      kind: 'limit-exceeded',
      context: { limit: 'attachment-bytes', max: 4 * 1024 * 1024 },
    });
    const eleven = Array.from({ length: 11 }, (_, i) => ({ fileName: `f${i}.txt`, contentBase64: 'eA==' }));
    expect(refusal(() => checkAttachments(eleven, { ...VENDOR, maxAttachments: 10 }))).toMatchObject({
      context: { limit: 'attachments', max: 10, count: 11 },
    });
    expect(checkAttachments(eleven, { ...VENDOR, maxAttachments: 11 })).toHaveLength(11);
  });
});
