import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TencentAnswer } from './api-harness.ts';
import { type ApiHarness, startApiHarness } from './api-harness.ts';
import { errorCode, ok } from './tencent-answer.ts';

// One TemplateData rule for SendEmail, BatchSendEmail and receiver lists: the same data gets the
// same verdict in each (each answers with a code from its own documented list).

const SENDER = 'news@mail.example.com';
const CAP = 100;
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** A TemplateData JSON string of exactly `bytes` UTF-8 bytes: {"name":"xxx…"}. */
function dataOfBytes(bytes: number): string {
  const shell = JSON.stringify({ name: '' });
  return JSON.stringify({ name: 'x'.repeat(bytes - shell.length) });
}

describe('one TemplateData rule set for SendEmail, BatchSendEmail and receiver lists', () => {
  let api: ApiHarness;
  /** Approved template `Hi {{name}}, your code is {{code}}`. */
  let templateId: number;
  /** A list of plain addresses (no TemplateData). */
  let plainList: number;

  beforeEach(async () => {
    // The same cap for a mail's and a list entry's data, so one input must get one verdict.
    api = await startApiHarness({ limits: { maxTemplateDataBytes: CAP, maxReceiverTemplateDataBytes: CAP } });
    ok(await api.call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' }));
    ok(await api.call('CreateEmailAddress', { EmailAddress: SENDER }));
    templateId = ok(
      await api.call('CreateEmailTemplate', {
        TemplateName: 'code',
        TemplateContent: { Html: b64('<p>Hi {{name}}, your code is {{code}}</p>'), Text: b64('Hi {{name}}: {{code}}') },
      }),
    ).TemplateID as number;
    plainList = ok(await api.call('CreateReceiver', { ReceiversName: 'plain' })).ReceiverId as number;
    ok(await api.call('CreateReceiverDetail', { ReceiverId: plainList, Emails: ['alice@example.org'] }));
  });

  afterEach(async () => {
    await api.close();
  });

  function sendEmail(templateData: string | undefined, subject = 'Hello'): Promise<TencentAnswer> {
    return api.call('SendEmail', {
      FromEmailAddress: SENDER,
      Destination: ['alice@example.org'],
      Subject: subject,
      Template: { TemplateID: templateId, ...(templateData === undefined ? {} : { TemplateData: templateData }) },
    });
  }

  function batchSend(templateData: string | undefined, receiverId = plainList): Promise<TencentAnswer> {
    return api.call('BatchSendEmail', {
      FromEmailAddress: SENDER,
      ReceiverId: receiverId,
      Subject: 'Hello',
      TaskType: 1,
      Template: { TemplateID: templateId, ...(templateData === undefined ? {} : { TemplateData: templateData }) },
    });
  }

  async function listUpload(templateData: string): Promise<TencentAnswer> {
    const id = ok(await api.call('CreateReceiver', { ReceiversName: `l-${Math.random()}` })).ReceiverId as number;
    return api.call('CreateReceiverDetailWithData', { ReceiverId: id, Datas: [{ Email: 'alice@example.org', TemplateData: templateData }] });
  }

  /** The verdict of each of the three on `templateData`, as [SendEmail, BatchSendEmail, list] codes. */
  async function verdicts(templateData: string): Promise<(string | undefined)[]> {
    return [errorCode(await sendEmail(templateData)), errorCode(await batchSend(templateData)), errorCode(await listUpload(templateData))];
  }

  it('accepts data of exactly the cap in all three and refuses one byte more in all three', async () => {
    const full = JSON.stringify({ name: 'A', code: `1${'0'.repeat(CAP - JSON.stringify({ name: 'A', code: '1' }).length)}` });
    expect(Buffer.byteLength(full)).toBe(CAP);
    expect(await verdicts(full)).toEqual([undefined, undefined, undefined]);
    const over = dataOfBytes(CAP + 1);
    expect(await verdicts(over)).toEqual([
      'FailedOperation.EmailContentToolarge',
      'FailedOperation.EmailContentToolarge',
      'InvalidParameterValue.TemplateDataLenLimit',
    ]);
  });

  it('refuses data that is not JSON, not an object, or holds a non-scalar value in all three', async () => {
    expect(await verdicts('{name: Alice}')).toEqual([
      'FailedOperation.WrongContentJson',
      'InvalidParameterValue.TemplateDataError',
      'InvalidParameterValue.TemplateDataError',
    ]);
    expect(await verdicts('')).toEqual([
      'FailedOperation.WrongContentJson',
      'InvalidParameterValue.TemplateDataError',
      'InvalidParameterValue.TemplateDataError',
    ]);
    expect(await verdicts('["Alice"]')).toEqual([
      'InvalidParameterValue.TemplateDataError',
      'InvalidParameterValue.TemplateDataError',
      'InvalidParameterValue.TemplateDataError',
    ]);
    expect(await verdicts('{"name":{"first":"A"}}')).toEqual([
      'InvalidParameterValue.TemplateDataError',
      'InvalidParameterValue.TemplateDataError',
      'InvalidParameterValue.TemplateDataError',
    ]);
  });

  it('refuses a template variable the data does not provide in SendEmail and BatchSendEmail alike, naming it, and queues nothing', async () => {
    const partial = JSON.stringify({ name: 'Alice' });
    const send = await sendEmail(partial);
    expect(errorCode(send)).toBe('InvalidParameterValue');
    expect(send.body.Response.Error.Message).toContain('{{code}}');
    const batch = await batchSend(partial);
    expect(errorCode(batch)).toBe('InvalidParameterValue.TemplateNotMatchData');
    expect(batch.body.Response.Error.Message).toContain('{{code}}');
    // A list whose entries carry only {name} is refused the same way.
    const named = ok(await api.call('CreateReceiver', { ReceiversName: 'named' })).ReceiverId as number;
    ok(await api.call('CreateReceiverDetailWithData', { ReceiverId: named, Datas: [{ Email: 'bob@example.org', TemplateData: partial }] }));
    expect(errorCode(await batchSend(undefined, named))).toBe('InvalidParameterValue.TemplateNotMatchData');
    // Without any data at all, too.
    expect(errorCode(await sendEmail(undefined))).toBe('InvalidParameterValue');
    expect(errorCode(await batchSend(undefined))).toBe('InvalidParameterValue.TemplateNotMatchData');
    expect(await api.deps.redis.llen(api.deps.keys.deliveryIntake)).toBe(0);
    expect(ok(await api.call('ListSendTasks', { Offset: 0, Limit: 10 })).TotalCount).toBe(0);
  });

  it('refuses a Subject variable the data does not provide in SendEmail as in BatchSendEmail', async () => {
    const full = JSON.stringify({ name: 'Alice', code: '1' });
    const send = await sendEmail(full, 'Hello {{nickname}}');
    expect(errorCode(send)).toBe('InvalidParameterValue');
    expect(send.body.Response.Error.Message).toContain('{{nickname}}');
    const batch = await api.call('BatchSendEmail', {
      FromEmailAddress: SENDER,
      ReceiverId: plainList,
      Subject: 'Hello {{nickname}}',
      TaskType: 1,
      Template: { TemplateID: templateId, TemplateData: full },
    });
    expect(errorCode(batch)).toBe('InvalidParameterValue.TemplateNotMatchData');
  });

  it('sends when the data provides every variable, with extra variables allowed', async () => {
    const data = JSON.stringify({ name: 'Alice', code: '42', extra: 'unused' });
    expect(ok(await sendEmail(data)).MessageId).toEqual(expect.any(String));
    expect(ok(await batchSend(data)).TaskId).toEqual(expect.any(Number));
  });

  it('says that the Subject length is counted after rendering when the variables push it past the limit', async () => {
    const long = JSON.stringify({ name: 'y'.repeat(60), code: '1' });
    const answer = await api.call('SendEmail', {
      FromEmailAddress: SENDER,
      Destination: ['alice@example.org'],
      Subject: `Hi {{name}} ${'z'.repeat(40)}`,
      Template: { TemplateID: templateId, TemplateData: long },
    });
    expect(errorCode(answer)).toBe('InvalidParameterValue.SubjectLengthError');
    expect(answer.body.Response.Error.Message).toMatch(/counted after rendering/u);
    expect(answer.body.Response.Error.Message).toContain('rendered subject has 104');
  });
});

describe('the default TemplateData caps', () => {
  it('refuses a SendEmail TemplateData over 64 KiB (TEMPLATE_DATA_MAX_BYTES) that used to be accepted up to the request size', async () => {
    const api = await startApiHarness();
    try {
      ok(await api.call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' }));
      ok(await api.call('CreateEmailAddress', { EmailAddress: SENDER }));
      const templateId = ok(await api.call('CreateEmailTemplate', { TemplateName: 't', TemplateContent: { Text: b64('Hi {{name}}') } })).TemplateID as number;
      const send = (TemplateData: string) =>
        api.call('SendEmail', {
          FromEmailAddress: SENDER,
          Destination: ['alice@example.org'],
          Subject: 'Hi',
          Template: { TemplateID: templateId, TemplateData },
        });
      expect(ok(await send(dataOfBytes(65_536))).MessageId).toEqual(expect.any(String));
      const refused = await send(dataOfBytes(65_537));
      expect(errorCode(refused)).toBe('FailedOperation.EmailContentToolarge');
      expect(refused.body.Response.Error.Message).toContain('at most 65536');
    } finally {
      await api.close();
    }
  });
});
