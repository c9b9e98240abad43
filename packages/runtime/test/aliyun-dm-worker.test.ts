import { type FakeAliyunDm, startFakeAliyunDm } from '@postmill/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type OpsStack, simpleMail, startOpsStack } from './ops-stack.ts';

// The wiring from MAIL_TRANSPORT=aliyun-dm to a sending worker: config → createTransport → the
// delivery worker, against the fake DirectMail (the transport's own behaviour has its own tests).
describe('a worker configured with MAIL_TRANSPORT=aliyun-dm (real worker and API, real Redis)', () => {
  let stack: OpsStack | undefined;
  let dm: FakeAliyunDm | undefined;
  afterEach(async () => {
    await stack?.close();
    await dm?.close();
    stack = undefined;
    dm = undefined;
  });

  it('delivers a SendEmail through DirectMail SingleSendMail with the configured tag, and retries after Throttling.User without losing the mail', async () => {
    dm = await startFakeAliyunDm();
    dm.failNext('Throttling.User');
    stack = await startOpsStack({
      MAIL_TRANSPORT: 'aliyun-dm',
      ALIYUN_DM_ENDPOINT: dm.endpoint,
      ALIYUN_DM_ACCESS_KEY_ID: dm.accessKeyId,
      ALIYUN_DM_ACCESS_KEY_SECRET: dm.accessKeySecret,
      ALIYUN_DM_TAG_NAME: 'postmill',
    });
    await stack.setUpSender();
    await stack.call('SendEmail', simpleMail(['alice@example.org']));
    const fake = dm;
    await expect.poll(() => fake.requests.map((r) => r.outcome?.kind), { timeout: 15_000, interval: 100 }).toEqual(['error', 'accepted']);
    expect(fake.requests[1]?.mail).toMatchObject({
      accountName: 'news@mail.example.com',
      fromAlias: 'News',
      toAddress: ['alice@example.org'],
      subject: 'Hello',
      htmlBody: '<p>Hello</p>',
      tagName: 'postmill',
    });
    expect(stack.fake.requests).toHaveLength(0);
  });
});
