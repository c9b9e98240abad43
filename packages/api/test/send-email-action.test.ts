import { calendarDate, DEFAULT_RETRY_POLICY, ManualClock } from '@postmill/core';
import { createDeliveryQueue, JOB, QUEUE, startIntakePump } from '@postmill/queue';
import { DeliveryIntakeStore } from '@postmill/store';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from './api-harness.ts';
import { errorCode, ok } from './tencent-answer.ts';

// 2026-03-15 10:00 in Asia/Shanghai: the day every message of this file is accepted on.
const NOW = Date.UTC(2026, 2, 15, 2, 0, 0);
const TODAY = '2026-03-15';
const SENDER = 'news@mail.example.com';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Creates the sender domain, the sender address "News" and the template `<p>Hi {{name}}</p>`; answers its TemplateID. */
async function setUpSender(api: ApiHarness): Promise<number> {
  ok(await api.call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' }));
  ok(await api.call('CreateEmailAddress', { EmailAddress: SENDER, EmailSenderName: 'News' }));
  const created = ok(
    await api.call('CreateEmailTemplate', { TemplateName: 't', TemplateContent: { Html: b64('<p>Hi {{name}}</p>'), Text: b64('Hi {{name}}') } }),
  );
  expect(typeof created.TemplateID).toBe('number');
  return created.TemplateID as number;
}

describe('SendEmail', () => {
  let clock: ManualClock;
  let api: ApiHarness;
  let templateId: number;

  /** A valid SendEmail request with `overrides` applied; a field set to undefined is left out. */
  function request(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const body: Record<string, unknown> = {
      FromEmailAddress: SENDER,
      Destination: ['alice@example.org'],
      Subject: 'Hello {{name}}',
      Template: { TemplateID: templateId, TemplateData: JSON.stringify({ name: 'Alice' }) },
      ...overrides,
    };
    for (const [k, v] of Object.entries(body)) if (v === undefined) delete body[k];
    return body;
  }

  async function sendCode(overrides: Record<string, unknown>): Promise<string | undefined> {
    return errorCode(await api.call('SendEmail', request(overrides)));
  }

  beforeEach(async () => {
    clock = new ManualClock(NOW);
    api = await startApiHarness({ clock });
    templateId = await setUpSender(api);
  });
  afterEach(async () => {
    await api.close();
  });

  describe('an accepted message', () => {
    it('answers a MessageId and GetSendEmailStatus shows every recipient queued (SendStatus 0, DeliverStatus 0)', async () => {
      expect(calendarDate(NOW, 'Asia/Shanghai')).toBe(TODAY);
      const sent = ok(
        await api.call('SendEmail', request({ Destination: ['alice@example.org', 'bob@example.org'], Cc: ['carol@example.org'], Bcc: ['dave@example.org'] })),
      );
      expect(sent).toEqual({ MessageId: expect.stringMatching(/^pm-date-20260315020000-[0-9A-Za-z]{16}$/u), RequestId: expect.any(String) });
      const messageId = sent.MessageId as string;

      const status = ok(await api.call('GetSendEmailStatus', { RequestDate: TODAY, Offset: 0, Limit: 10, MessageId: messageId }));
      const rows = status.EmailStatusList as Record<string, unknown>[];
      expect(rows.map((r) => r.ToEmailAddress)).toEqual(['alice@example.org', 'bob@example.org', 'carol@example.org', 'dave@example.org']);
      for (const row of rows) {
        expect(row).toEqual({
          MessageId: messageId,
          ToEmailAddress: expect.any(String),
          FromEmailAddress: SENDER,
          SendStatus: 0,
          DeliverStatus: 0,
          DeliverMessage: '',
          RequestTime: Math.floor(NOW / 1000),
          DeliverTime: 0,
          UserOpened: false,
          UserClicked: false,
          UserUnsubscribed: false,
          UserComplainted: false,
          UserComplained: false,
        });
      }
    });

    it('accepts an address repeated in Cc, exactly or in another case, as one recipient under its first spelling, found by any spelling', async () => {
      const sent = ok(
        await api.call(
          'SendEmail',
          request({ Destination: ['Bob@example.org'], Cc: ['bob@example.org', 'carol@example.org', 'BOB@example.org', 'carol@example.org'] }),
        ),
      );
      const messageId = sent.MessageId as string;
      const status = ok(await api.call('GetSendEmailStatus', { RequestDate: TODAY, Offset: 0, Limit: 10, MessageId: messageId }));
      expect((status.EmailStatusList as Record<string, unknown>[]).map((r) => r.ToEmailAddress)).toEqual(['Bob@example.org', 'carol@example.org']);
      const byAddress = ok(await api.call('GetSendEmailStatus', { RequestDate: TODAY, Offset: 0, Limit: 10, ToEmailAddress: 'BOB@Example.org' }));
      expect((byAddress.EmailStatusList as Record<string, unknown>[]).map((r) => [r.MessageId, r.ToEmailAddress])).toEqual([[messageId, 'Bob@example.org']]);
      // The headers keep what the caller wrote; only the envelope is de-duplicated.
      expect(await api.deps.messages.getSpec(messageId)).toMatchObject({
        to: ['Bob@example.org'],
        cc: ['bob@example.org', 'carol@example.org', 'BOB@example.org', 'carol@example.org'],
      });
    });

    it('stores the message in the ledger with the template rendered at acceptance and markup in TemplateData escaped in html only', async () => {
      const data = { name: '<script>alert("x")</script>' };
      const sent = ok(await api.call('SendEmail', request({ Template: { TemplateID: templateId, TemplateData: JSON.stringify(data) } })));
      const spec = await api.deps.messages.getSpec(sent.MessageId as string);
      expect(spec).toMatchObject({
        messageId: sent.MessageId,
        acceptedAt: NOW,
        from: { address: SENDER, name: 'News' },
        to: ['alice@example.org'],
        cc: [],
        bcc: [],
        subject: 'Hello <script>alert("x")</script>',
        html: '<p>Hi &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>',
        text: 'Hi <script>alert("x")</script>',
        attachments: [],
        headers: {},
        unsubscribe: '0',
        triggerType: 0,
        templateId,
      });
    });

    it('keeps the queued mail unchanged when the template is edited afterwards', async () => {
      const sent = ok(await api.call('SendEmail', request()));
      ok(await api.call('UpdateEmailTemplate', { TemplateID: templateId, TemplateName: 't', TemplateContent: { Html: b64('<p>Bye {{name}}</p>') } }));
      expect((await api.deps.messages.getSpec(sent.MessageId as string))?.html).toBe('<p>Hi Alice</p>');
    });

    it('puts the MessageId in the delivery intake, and the intake pump of a worker makes it a deliver-message job', async () => {
      const sent = ok(await api.call('SendEmail', request()));
      const { redis, keys } = api.deps;
      expect(await redis.lrange(keys.deliveryIntake, 0, -1)).toEqual([sent.MessageId]);
      const queue = createDeliveryQueue(redis, keys.bullPrefix);
      const pump = startIntakePump({
        intake: new DeliveryIntakeStore({ redis, keys }),
        redis,
        queue,
        policy: DEFAULT_RETRY_POLICY,
        logger: pino({ level: 'silent' }),
      });
      try {
        expect(queue.name).toBe(QUEUE.delivery);
        await expect.poll(() => queue.getJob(sent.MessageId as string).then((j) => j?.name), { timeout: 5000 }).toBe(JOB.deliverMessage);
        const job = await queue.getJob(sent.MessageId as string);
        expect(job?.data).toEqual({ messageId: sent.MessageId });
        expect(job?.opts.attempts).toBe(DEFAULT_RETRY_POLICY.maxAttempts);
        expect(await job?.getState()).toBe('waiting');
        await expect.poll(() => redis.llen(keys.deliveryIntakeClaimed)).toBe(0);
        expect(await redis.llen(keys.deliveryIntake)).toBe(0);
      } finally {
        await pump.stop();
        await queue.close();
      }
    });

    it('accepts Simple content, attachments, SmtpHeaders, a SmtpMessageId, an unsubscribe option, HeaderFrom and ReplyToAddresses', async () => {
      const sent = ok(
        await api.call(
          'SendEmail',
          request({
            FromEmailAddress: 'Team <news@mail.example.com>',
            Template: undefined,
            Simple: { Html: b64('<p>plain</p>'), Text: b64('plain') },
            Attachments: [{ FileName: 'report.pdf', Content: b64('%PDF-1.4') }],
            SmtpHeaders: JSON.stringify({ 'X-Campaign': 'spring' }),
            SmtpMessageId: '<abc.123@mail.example.com>',
            Unsubscribe: '1',
            TriggerType: 1,
            HeaderFrom: 'Team <news@mail.example.com>',
            ReplyToAddresses: 'reply@example.org',
          }),
        ),
      );
      expect(await api.deps.messages.getSpec(sent.MessageId as string)).toMatchObject({
        from: { address: SENDER, name: 'Team' },
        html: '<p>plain</p>',
        text: 'plain',
        attachments: [{ filename: 'report.pdf', contentBase64: b64('%PDF-1.4') }],
        headers: { 'X-Campaign': 'spring' },
        smtpMessageId: '<abc.123@mail.example.com>',
        unsubscribe: '1',
        triggerType: 1,
        headerFrom: 'Team <news@mail.example.com>',
        replyTo: 'reply@example.org',
      });
    });

    it('accepts a message when only some recipients unsubscribed', async () => {
      await api.deps.suppressions.unsubscribe(SENDER, 'alice@example.org');
      ok(await api.call('SendEmail', request({ Destination: ['alice@example.org', 'bob@example.org'] })));
    });

    it('accepts a Subject of exactly 100 characters, counted as characters not bytes', async () => {
      ok(await api.call('SendEmail', request({ Subject: '你'.repeat(100) })));
    });
  });

  describe('a refused message', () => {
    it('is neither stored nor queued', async () => {
      expect(await sendCode({ Destination: ['not-an-email'] })).toBe('FailedOperation.IncorrectEmail');
      const status = ok(await api.call('GetSendEmailStatus', { RequestDate: TODAY, Offset: 0, Limit: 100 }));
      expect(status.EmailStatusList).toEqual([]);
      const queue = createDeliveryQueue(api.deps.redis, api.deps.keys.bullPrefix);
      try {
        expect(await queue.count()).toBe(0);
      } finally {
        await queue.close();
      }
    });

    it('answers InvalidParameterValue.NoSuchSender for a sender address never created', async () => {
      expect(await sendCode({ FromEmailAddress: 'other@mail.example.com' })).toBe('InvalidParameterValue.NoSuchSender');
    });

    it('answers the sender error before a recipient error when a request has both', async () => {
      expect(await sendCode({ FromEmailAddress: 'other@mail.example.com', Destination: [] })).toBe('InvalidParameterValue.NoSuchSender');
      expect(await sendCode({ FromEmailAddress: 'other@mail.example.com', Destination: ['not an address'] })).toBe('InvalidParameterValue.NoSuchSender');
      expect(await sendCode({ Destination: [] })).toBe('InvalidParameterValue.EmailAddressIsNULL');
    });

    it('answers FailedOperation.IncorrectSender for a malformed FromEmailAddress', async () => {
      expect(await sendCode({ FromEmailAddress: 'news at mail.example.com' })).toBe('FailedOperation.IncorrectSender');
    });

    it('answers FailedOperation.IncorrectSender for an alias with a colon or without the single space before <', async () => {
      expect(await sendCode({ FromEmailAddress: 'Re: News <news@mail.example.com>' })).toBe('FailedOperation.IncorrectSender');
      expect(await sendCode({ FromEmailAddress: 'News<news@mail.example.com>' })).toBe('FailedOperation.IncorrectSender');
    });

    it('answers InvalidParameterValue.EmailAddressIsNULL without any recipient', async () => {
      expect(await sendCode({ Destination: undefined })).toBe('InvalidParameterValue.EmailAddressIsNULL');
      expect(await sendCode({ Destination: [], Cc: [], Bcc: [] })).toBe('InvalidParameterValue.EmailAddressIsNULL');
    });

    it('answers FailedOperation.TooManyRecipients for 51 Destination addresses', async () => {
      const many = Array.from({ length: 51 }, (_, i) => `user${i}@example.org`);
      expect(await sendCode({ Destination: many })).toBe('FailedOperation.TooManyRecipients');
      ok(await api.call('SendEmail', request({ Destination: many.slice(0, 50) })));
    });

    it('answers FailedOperation.TooManyRecipients for 21 Cc addresses', async () => {
      expect(await sendCode({ Cc: Array.from({ length: 21 }, (_, i) => `cc${i}@example.org`) })).toBe('FailedOperation.TooManyRecipients');
    });

    it('answers FailedOperation.TooManyRecipients for 21 Bcc addresses', async () => {
      expect(await sendCode({ Bcc: Array.from({ length: 21 }, (_, i) => `bcc${i}@example.org`) })).toBe('FailedOperation.TooManyRecipients');
    });

    it('answers FailedOperation.IncorrectEmail for an invalid recipient in Destination, Cc or Bcc', async () => {
      expect(await sendCode({ Destination: ['alice@example.org', 'not-an-email'] })).toBe('FailedOperation.IncorrectEmail');
      expect(await sendCode({ Cc: ['a@example.org, b@example.org'] })).toBe('FailedOperation.IncorrectEmail');
      expect(await sendCode({ Bcc: ['x@example.org\r\nSubject: hi'] })).toBe('FailedOperation.IncorrectEmail');
    });

    it('answers InvalidParameterValue when Bcc repeats a Destination address, in any letter case', async () => {
      expect(await sendCode({ Destination: ['alice@example.org'], Bcc: ['alice@EXAMPLE.org'] })).toBe('InvalidParameterValue');
      expect(await sendCode({ Destination: ['alice@example.org'], Bcc: ['Alice@example.org'] })).toBe('InvalidParameterValue');
    });

    it('answers InvalidParameterValue.SubjectLengthError for an empty Subject', async () => {
      expect(await sendCode({ Subject: '' })).toBe('InvalidParameterValue.SubjectLengthError');
    });

    it('answers InvalidParameterValue.SubjectLengthError for a 101-character Subject', async () => {
      expect(await sendCode({ Subject: 'x'.repeat(101) })).toBe('InvalidParameterValue.SubjectLengthError');
    });

    it('answers InvalidParameterValue.SubjectLengthError when template variables push the Subject past 100 characters', async () => {
      expect(await sendCode({ Subject: 'Hi {{name}}', Template: { TemplateID: templateId, TemplateData: JSON.stringify({ name: 'y'.repeat(98) }) } })).toBe(
        'InvalidParameterValue.SubjectLengthError',
      );
    });

    it('answers InvalidParameterValue for a line break in Subject', async () => {
      expect(await sendCode({ Subject: 'Hello\r\nBcc: victim@example.org' })).toBe('InvalidParameterValue');
      expect(await sendCode({ Subject: 'Hello\nthere' })).toBe('InvalidParameterValue');
    });

    it('answers InvalidParameterValue for a line break in ReplyToAddresses and FailedOperation.IncorrectEmail for a malformed one', async () => {
      expect(await sendCode({ ReplyToAddresses: 'reply@example.org\r\nBcc: victim@example.org' })).toBe('InvalidParameterValue');
      expect(await sendCode({ ReplyToAddresses: 'not an address' })).toBe('FailedOperation.IncorrectEmail');
    });

    it('answers InvalidParameterValue for a line break in HeaderFrom and FailedOperation.IncorrectEmail for a malformed one', async () => {
      expect(await sendCode({ HeaderFrom: 'News <news@mail.example.com>\nBcc: victim@example.org' })).toBe('InvalidParameterValue');
      expect(await sendCode({ HeaderFrom: 'News: <news@mail.example.com>' })).toBe('FailedOperation.IncorrectEmail');
    });

    it('answers InvalidParameterValue for a line break in a SmtpHeaders value', async () => {
      expect(await sendCode({ SmtpHeaders: JSON.stringify({ 'X-Campaign': 'spring\r\nBcc: victim@example.org' }) })).toBe('InvalidParameterValue');
    });

    it('answers InvalidParameterValue for SmtpHeaders that are not a JSON object of strings', async () => {
      expect(await sendCode({ SmtpHeaders: 'X-Campaign: spring' })).toBe('InvalidParameterValue');
      expect(await sendCode({ SmtpHeaders: '["X-Campaign"]' })).toBe('InvalidParameterValue');
      expect(await sendCode({ SmtpHeaders: JSON.stringify({ 'X-Count': 3 }) })).toBe('InvalidParameterValue');
      expect(await sendCode({ SmtpHeaders: JSON.stringify({ 'X Bad Name': 'v' }) })).toBe('InvalidParameterValue');
    });

    it('answers InvalidParameterValue for a reserved SmtpHeaders name such as Bcc, in any case', async () => {
      expect(await sendCode({ SmtpHeaders: JSON.stringify({ Bcc: 'victim@example.org' }) })).toBe('InvalidParameterValue');
      expect(await sendCode({ SmtpHeaders: JSON.stringify({ 'list-unsubscribe': '<https://evil.example>' }) })).toBe('InvalidParameterValue');
    });

    it('answers InvalidParameterValue for a malformed SmtpMessageId', async () => {
      const controlOrNonAscii = [
        '<a\u0000b@mail.example.com>',
        '<a\u0085b@mail.example.com>',
        '<a\u2028b@mail.example.com>',
        '<a\u007fb@mail.example.com>',
        '<\u00e9@mail.example.com>',
      ];
      for (const SmtpMessageId of ['abc@mail.example.com', '<abc>', '<a b@mail.example.com>', '<abc@mail.example.com>\r\nBcc: x', ...controlOrNonAscii]) {
        expect(await sendCode({ SmtpMessageId }), SmtpMessageId).toBe('InvalidParameterValue');
      }
    });

    it('answers FailedOperation.MissingEmailContent without Template and Simple', async () => {
      expect(await sendCode({ Template: undefined })).toBe('FailedOperation.MissingEmailContent');
    });

    it('answers FailedOperation.MissingEmailContent for a Simple without Html or Text', async () => {
      expect(await sendCode({ Template: undefined, Simple: { Html: '', Text: '' } })).toBe('FailedOperation.MissingEmailContent');
    });

    it('answers FailedOperation.InvalidTemplateID for a template that does not exist', async () => {
      expect(await sendCode({ Template: { TemplateID: templateId + 1000, TemplateData: '{}' } })).toBe('FailedOperation.InvalidTemplateID');
    });

    it('answers FailedOperation.WrongContentJson when TemplateData is not JSON', async () => {
      expect(await sendCode({ Template: { TemplateID: templateId, TemplateData: '{name: Alice}' } })).toBe('FailedOperation.WrongContentJson');
    });

    it('answers InvalidParameterValue.TemplateDataError for TemplateData with an object value or that is not an object', async () => {
      expect(await sendCode({ Template: { TemplateID: templateId, TemplateData: JSON.stringify({ name: { first: 'A' } }) } })).toBe(
        'InvalidParameterValue.TemplateDataError',
      );
      expect(await sendCode({ Template: { TemplateID: templateId, TemplateData: '["Alice"]' } })).toBe('InvalidParameterValue.TemplateDataError');
    });

    it('answers InvalidParameterValue.EmailContentIsWrong for Simple content that is not base64 of UTF-8', async () => {
      expect(await sendCode({ Template: undefined, Simple: { Html: '<p>not base64</p>' } })).toBe('InvalidParameterValue.EmailContentIsWrong');
      expect(await sendCode({ Template: undefined, Simple: { Text: Buffer.from([0xff, 0xfe]).toString('base64') } })).toBe(
        'InvalidParameterValue.EmailContentIsWrong',
      );
    });

    it('answers FailedOperation.TooManyAttachments for 11 attachments', async () => {
      const Attachments = Array.from({ length: 11 }, (_, i) => ({ FileName: `f${i}.txt`, Content: b64('x') }));
      expect(await sendCode({ Attachments })).toBe('FailedOperation.TooManyAttachments');
    });

    it('answers FailedOperation.AttachContentToolarge when the decoded attachments exceed the limit in total', async () => {
      const small = await startApiHarness({ clock, limits: { maxAttachmentBytes: 1024 } });
      try {
        const id = await setUpSender(small);
        const part = Buffer.alloc(600, 0x61).toString('base64');
        const body = request({
          Template: { TemplateID: id, TemplateData: JSON.stringify({ name: 'Alice' }) },
          Attachments: [
            { FileName: 'a.txt', Content: part },
            { FileName: 'b.txt', Content: part },
          ],
        });
        expect(errorCode(await small.call('SendEmail', body))).toBe('FailedOperation.AttachContentToolarge');
        ok(await small.call('SendEmail', { ...body, Attachments: [{ FileName: 'a.txt', Content: Buffer.alloc(1024, 0x61).toString('base64') }] }));
      } finally {
        await small.close();
      }
    });

    it('answers InvalidParameterValue.AttachContentIsWrong for attachment content that is not base64', async () => {
      expect(await sendCode({ Attachments: [{ FileName: 'a.txt', Content: 'not base64!' }] })).toBe('InvalidParameterValue.AttachContentIsWrong');
      expect(await sendCode({ Attachments: [{ FileName: 'a.txt' }] })).toBe('InvalidParameterValue.AttachContentIsWrong');
    });

    it('answers FailedOperation.InvalidAttachName for an executable such as evil.exe', async () => {
      expect(await sendCode({ Attachments: [{ FileName: 'evil.exe', Content: b64('MZ') }] })).toBe('FailedOperation.InvalidAttachName');
      expect(await sendCode({ Attachments: [{ FileName: 'Invoice.PDF.JS', Content: b64('x') }] })).toBe('FailedOperation.InvalidAttachName');
      expect(await sendCode({ Attachments: [{ FileName: 'a\r\nb.txt', Content: b64('x') }] })).toBe('FailedOperation.InvalidAttachName');
    });

    it('answers InvalidParameterValue for Unsubscribe "13"', async () => {
      expect(await sendCode({ Unsubscribe: '13' })).toBe('InvalidParameterValue');
    });

    it('answers InvalidParameterValue for a TriggerType other than 0 or 1', async () => {
      expect(await sendCode({ TriggerType: 2 })).toBe('InvalidParameterValue');
    });

    it('answers FailedOperation.ReceiverHasUnsubscribed when every recipient unsubscribed from the sender', async () => {
      await api.deps.suppressions.unsubscribe(SENDER, 'alice@example.org');
      await api.deps.suppressions.unsubscribe(SENDER, 'BOB@example.org');
      expect(await sendCode({ Destination: ['alice@example.org'], Cc: ['bob@example.org'] })).toBe('FailedOperation.ReceiverHasUnsubscribed');
      expect(await sendCode({ Destination: ['Alice@example.org'], Cc: ['Bob@Example.org'] })).toBe('FailedOperation.ReceiverHasUnsubscribed');
    });

    it('answers UnknownParameter for a field Tencent does not define', async () => {
      expect(await sendCode({ Priority: 'high' })).toBe('UnknownParameter');
      expect(await sendCode({ Template: { TemplateID: templateId, TemplateData: '{}', Extra: 1 } })).toBe('UnknownParameter');
    });

    it('answers InvalidParameter for a field of the wrong JSON type, such as Destination as a string', async () => {
      expect(await sendCode({ Destination: 'alice@example.org' })).toBe('InvalidParameter');
      expect(await sendCode({ Template: { TemplateID: String(templateId) } })).toBe('InvalidParameter');
    });

    it('answers MissingParameter without Subject or FromEmailAddress', async () => {
      expect(await sendCode({ Subject: undefined })).toBe('MissingParameter');
      expect(await sendCode({ FromEmailAddress: undefined })).toBe('MissingParameter');
    });
  });
});
