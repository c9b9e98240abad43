import { type FakeSendCloud, startFakeSendCloud } from '@postmill/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type OpsStack, simpleMail, startOpsStack } from './ops-stack.ts';

// The wiring from MAIL_TRANSPORT=sendcloud to a sending worker: config → createTransport → the
// delivery worker, against the fake SendCloud (the transport's own behaviour has its own tests).
describe('a worker configured with MAIL_TRANSPORT=sendcloud (real worker and API, real Redis)', () => {
  let stack: OpsStack | undefined;
  let sendCloud: FakeSendCloud | undefined;
  afterEach(async () => {
    await stack?.close();
    await sendCloud?.close();
    stack = undefined;
    sendCloud = undefined;
  });

  it('delivers a SendEmail through SendCloud mail/send with the configured label, and retries after 50001 (frequency limited) without losing the mail', async () => {
    sendCloud = await startFakeSendCloud();
    sendCloud.failNext(50001);
    stack = await startOpsStack({
      MAIL_TRANSPORT: 'sendcloud',
      SENDCLOUD_ENDPOINT: sendCloud.endpoint,
      SENDCLOUD_API_USER: sendCloud.apiUser,
      SENDCLOUD_API_KEY: sendCloud.apiKey,
      SENDCLOUD_LABEL_ID: '42',
    });
    await stack.setUpSender();
    await stack.call('SendEmail', simpleMail(['alice@example.org']));
    const fake = sendCloud;
    await expect.poll(() => fake.requests.map((r) => r.outcome?.kind), { timeout: 15_000, interval: 100 }).toEqual(['error', 'accepted']);
    expect(fake.requests[1]?.mail).toMatchObject({
      from: 'news@mail.example.com',
      fromName: 'News',
      to: ['alice@example.org'],
      subject: 'Hello',
      html: '<p>Hello</p>',
      labelId: 42,
    });
    expect(stack.fake.requests).toHaveLength(0);
  });
});
