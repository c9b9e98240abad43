import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPlainSendEmailInput, sendEmailInput } from './send-email-input.ts';

// Values of every JSON type, including the edge numbers the schema refuses (negative, fractional, unsafe).
const anyJson = fc.oneof(
  fc.string({ maxLength: 3 }),
  fc.constantFrom(0, 1, -1, 1.5, 2 ** 53, -0),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
  fc.constant({}),
);
// Mostly a valid value, sometimes any JSON value: bodies are often wholly valid, often not.
const mostly = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: anyJson, weight: 1 });
const str = mostly(fc.string({ maxLength: 4 }));
const strings = mostly(fc.array(mostly(fc.string({ maxLength: 3 })), { maxLength: 3 }));
const uint = mostly(fc.nat());
const template = mostly(
  fc.oneof(
    { arbitrary: fc.record({ TemplateID: uint, TemplateData: str }, { requiredKeys: [] }), weight: 6 },
    { arbitrary: fc.record({ TemplateID: uint, Extra: anyJson }, { requiredKeys: ['Extra'] }), weight: 1 },
  ),
);
const simple = mostly(
  fc.oneof(
    { arbitrary: fc.record({ Html: str, Text: str }, { requiredKeys: [] }), weight: 6 },
    { arbitrary: fc.record({ Html: str, Other: anyJson }, { requiredKeys: ['Other'] }), weight: 1 },
  ),
);
const attachment = mostly(
  fc.oneof(
    { arbitrary: fc.record({ FileName: str, Content: str, FileURL: str }, { requiredKeys: [] }), weight: 6 },
    { arbitrary: fc.record({ FileName: str, Size: anyJson }, { requiredKeys: ['Size'] }), weight: 1 },
  ),
);
const body = fc.record(
  {
    FromEmailAddress: str,
    Subject: str,
    Destination: strings,
    Cc: strings,
    Bcc: strings,
    ReplyToAddresses: str,
    Template: template,
    Simple: simple,
    Attachments: mostly(fc.array(attachment, { maxLength: 2 })),
    Unsubscribe: str,
    TriggerType: uint,
    SmtpMessageId: str,
    SmtpHeaders: str,
    HeaderFrom: str,
    Unknown: anyJson,
  },
  { requiredKeys: [] },
);

describe('isPlainSendEmailInput', () => {
  it('accepts a body only when the SendEmail schema accepts it with an equal output, for bodies mixing valid and invalid fields', () => {
    let plain = 0;
    fc.assert(
      fc.property(body, (b) => {
        // Through JSON, as the dialect parses a request body (no undefined, -0 becomes 0).
        const json = JSON.parse(JSON.stringify(b)) as object;
        if (!isPlainSendEmailInput(json)) return;
        plain++;
        const parsed = sendEmailInput.safeParse(json);
        expect(parsed.success).toBe(true);
        expect(parsed.data).toEqual(json);
      }),
      { numRuns: 3000 },
    );
    expect(plain).toBeGreaterThan(0); // the property was checked on accepted bodies, not only refused ones
  });

  it('accepts the shapes SendEmail is called with: a template, a simple body with attachments, every optional field', () => {
    const base = { FromEmailAddress: 'a@example.com', Subject: 'Hi', Destination: ['b@example.org'] };
    expect(isPlainSendEmailInput({ ...base, Template: { TemplateID: 7, TemplateData: '{"n":"1"}' } })).toBe(true);
    expect(isPlainSendEmailInput({ ...base, Simple: { Html: 'PGI+', Text: 'aGk=' }, Attachments: [{ FileName: 'a.txt', Content: 'aGk=' }] })).toBe(true);
    expect(
      isPlainSendEmailInput({
        ...base,
        Cc: [],
        Bcc: ['c@example.org'],
        ReplyToAddresses: 'r@example.com',
        Template: { TemplateID: 0 },
        Unsubscribe: '1',
        TriggerType: 1,
        SmtpMessageId: '<x@example.com>',
        SmtpHeaders: '{}',
        HeaderFrom: 'H <a@example.com>',
      }),
    ).toBe(true);
  });

  it('leaves to the schema a body missing a required field, with an unknown field, or with a field of the wrong type', () => {
    expect(isPlainSendEmailInput({ Subject: 'Hi' })).toBe(false);
    expect(isPlainSendEmailInput({ FromEmailAddress: 'a@example.com', Subject: 'Hi', Nope: 1 })).toBe(false);
    expect(isPlainSendEmailInput({ FromEmailAddress: 'a@example.com', Subject: 'Hi', TriggerType: -1 })).toBe(false);
    expect(isPlainSendEmailInput({ FromEmailAddress: 'a@example.com', Subject: 'Hi', Template: { TemplateData: '{}' } })).toBe(false);
    expect(isPlainSendEmailInput(JSON.parse('{"FromEmailAddress":"a@example.com","Subject":"Hi","__proto__":{}}') as object)).toBe(false);
  });
});
