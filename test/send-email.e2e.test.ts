import { Agent } from 'node:http';
import { parseConfig } from '@postmill/config';
import { createLogger, createSharedServices, type RunningApi, type RunningWorker, type SharedServices, startApi, startWorker } from '@postmill/runtime';
import { freePort } from '@postmill/store';
import { deleteKeysWithPrefix, type SmtpCapture, startSmtpCapture, uniquePrefix } from '@postmill/testkit';
import { ses } from 'tencentcloud-sdk-nodejs-ses';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(Date.now());

// The whole path as a caller sees it: Tencent's own SDK → Postmill API → Redis queue → worker →
// SMTP server on loopback → GetSendEmailStatus.
describe('SendEmail end to end with the official tencentcloud-sdk-nodejs-ses client', () => {
  const prefix = uniquePrefix('e2e');
  let smtp: SmtpCapture;
  let shared: SharedServices;
  let api: RunningApi;
  let worker: RunningWorker;
  let client: InstanceType<typeof ses.v20201002.Client>;
  let port: number;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    port = await freePort();
    const config = parseConfig({
      REDIS_PREFIX: prefix,
      HOST: '127.0.0.1',
      PORT: String(port),
      MAIL_TRANSPORT: 'smtp',
      SMTP_URL: smtp.url,
      POSTMILL_SECRET_ID: 'AKIDe2etestsecretid',
      POSTMILL_SECRET_KEY: 'e2e-secret-key',
      LOG_LEVEL: 'silent',
    });
    const logger = createLogger({ level: 'silent', pretty: false, name: 'e2e' });
    shared = createSharedServices(config, { redisUrl: inject('redisUrl'), connectionName: 'e2e' });
    worker = startWorker(config, shared, logger);
    api = await startApi(config, shared, logger);
    client = new ses.v20201002.Client({
      credential: { secretId: 'AKIDe2etestsecretid', secretKey: 'e2e-secret-key' },
      region: 'ap-guangzhou',
      profile: { httpProfile: { protocol: 'http://', endpoint: `127.0.0.1:${port}`, agent: new Agent({ keepAlive: true }) } },
    });
  });

  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await shared?.queue.obliterate({ force: true }).catch(() => undefined);
    if (shared) await deleteKeysWithPrefix(shared.redis, prefix);
    await shared?.close();
    await smtp?.close();
  });

  it('creates a sender and a template, sends templated mail that arrives personalised, and reports it delivered', async () => {
    const identity = await client.CreateEmailIdentity({ EmailIdentity: 'mail.example.com' });
    expect(identity.VerifiedForSendingStatus).toBe(true);
    await client.CreateEmailAddress({ EmailAddress: 'news@mail.example.com', EmailSenderName: 'Example News' });
    const { TemplateID } = await client.CreateEmailTemplate({
      TemplateName: 'welcome',
      TemplateContent: { Html: b64('<h1>Hello {{name}}</h1><p>Your code is {{code}}.</p>'), Text: b64('Hello {{name}}, your code is {{code}}.') },
    });
    expect(TemplateID).toBeGreaterThan(0);

    const sent = await client.SendEmail({
      FromEmailAddress: 'news@mail.example.com',
      Destination: ['alice@example.org'],
      Subject: 'Welcome {{name}}',
      ReplyToAddresses: 'support@mail.example.com',
      Template: { TemplateID: TemplateID as number, TemplateData: JSON.stringify({ name: 'Alice <b>', code: '4821' }) },
      Attachments: [{ FileName: 'terms.txt', Content: b64('Terms and conditions') }],
      SmtpHeaders: JSON.stringify({ 'X-Campaign': 'welcome' }),
      TriggerType: 1,
    });
    expect(sent.MessageId).toMatch(/^pm-date-\d{14}-[A-Za-z0-9]{16}$/u);

    const [mail] = await smtp.waitFor(1, 10_000);
    expect(mail?.envelope.to).toEqual(['alice@example.org']);
    expect(mail?.parsed.subject).toBe('Welcome Alice <b>');
    expect(mail?.parsed.from?.value[0]).toMatchObject({ name: 'Example News', address: 'news@mail.example.com' });
    expect(mail?.parsed.html).toContain('Hello Alice &lt;b&gt;');
    expect(mail?.parsed.text).toContain('Hello Alice <b>, your code is 4821.');
    expect(mail?.parsed.attachments[0]?.filename).toBe('terms.txt');
    expect(mail?.parsed.attachments[0]?.content.toString()).toBe('Terms and conditions');
    expect(mail?.parsed.headers.get('x-campaign')).toBe('welcome');

    await expect
      .poll(
        async () => {
          const status = await client.GetSendEmailStatus({ RequestDate: today(), Offset: 0, Limit: 10, MessageId: sent.MessageId as string });
          return status.EmailStatusList?.[0];
        },
        { timeout: 10_000 },
      )
      .toMatchObject({
        MessageId: sent.MessageId,
        ToEmailAddress: 'alice@example.org',
        FromEmailAddress: 'news@mail.example.com',
        SendStatus: 0,
        DeliverStatus: 1,
      });
  });

  it('delivers one copy to an address given in Destination and again in Cc in another case', async () => {
    smtp.reset();
    const sent = await client.SendEmail({
      FromEmailAddress: 'news@mail.example.com',
      Destination: ['Dave@example.org'],
      Cc: ['dave@example.org', 'erin@example.org'],
      Subject: 'One copy',
      Simple: { Text: b64('hi') },
    });
    await expect
      .poll(
        async () => {
          const status = await client.GetSendEmailStatus({ RequestDate: today(), Offset: 0, Limit: 10, MessageId: sent.MessageId as string });
          return status.EmailStatusList?.map((r) => [r.ToEmailAddress, r.DeliverStatus]);
        },
        { timeout: 10_000 },
      )
      .toEqual([
        ['Dave@example.org', 1],
        ['erin@example.org', 1],
      ]);
    // Delivered (DeliverStatus 1) means the SMTP server took the message: everything sent is captured.
    expect(smtp.messages.flatMap((m) => m.envelope.to).sort()).toEqual(['Dave@example.org', 'erin@example.org']);
  });

  it('surfaces Tencent error codes through the SDK', async () => {
    await expect(
      client.SendEmail({
        FromEmailAddress: 'news@mail.example.com',
        Destination: ['bob@example.org'],
        Subject: 'x',
        Template: { TemplateID: 999_999, TemplateData: '{}' },
      }),
    ).rejects.toMatchObject({ code: 'FailedOperation.InvalidTemplateID' });
    await expect(
      client.SendEmail({ FromEmailAddress: 'nobody@mail.example.com', Destination: ['bob@example.org'], Subject: 'x', Simple: { Text: b64('hi') } }),
    ).rejects.toMatchObject({
      code: 'InvalidParameterValue.NoSuchSender',
    });
    const wrongKey = new ses.v20201002.Client({
      credential: { secretId: 'AKIDe2etestsecretid', secretKey: 'not-the-key' },
      region: 'ap-guangzhou',
      profile: { httpProfile: { protocol: 'http://', endpoint: `127.0.0.1:${port}` } },
    });
    await expect(wrongKey.ListEmailIdentities({})).rejects.toMatchObject({ code: 'AuthFailure.SignatureFailure' });
  });

  it('honours a one-click unsubscribe: later mail to that address fails with ReceiverHasUnsubscribed', async () => {
    smtp.reset();
    const sent = await client.SendEmail({
      FromEmailAddress: 'news@mail.example.com',
      Destination: ['carol@example.org'],
      Subject: 'Monthly news',
      Simple: { Html: b64('<p>News</p>') },
      Unsubscribe: '2',
    });
    const [mail] = await smtp.waitFor(1, 10_000);
    const raw = mail?.raw.toString('utf8').replace(/\r\n[ \t]+/gu, ' ') ?? '';
    const url = /^List-Unsubscribe: <([^>]+)>/mu.exec(raw)?.[1];
    expect(url).toMatch(new RegExp(`^http://localhost:${port}/unsubscribe/`, 'u'));
    // RFC 8058: the mailbox provider POSTs "List-Unsubscribe=One-Click" to the URL.
    const res = await fetch((url ?? '').replace('localhost', '127.0.0.1'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    const status = await client.GetSendEmailStatus({ RequestDate: today(), Offset: 0, Limit: 10, MessageId: sent.MessageId as string });
    expect(status.EmailStatusList?.[0]?.UserUnsubscribed).toBe(true);
    for (const address of ['carol@example.org', 'Carol@Example.ORG']) {
      await expect(
        client.SendEmail({ FromEmailAddress: 'news@mail.example.com', Destination: [address], Subject: 'Again', Simple: { Text: b64('hi') } }),
      ).rejects.toMatchObject({ code: 'FailedOperation.ReceiverHasUnsubscribed' });
    }
  });
});
