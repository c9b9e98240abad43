import { type FakeSendCloud, startFakeSendCloud } from '@postmill/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createList, type PostmillStack, setUpSender, startPostmillStack, task, until } from './support/postmill-stack.ts';

// Issue 14 item 2: a campaign over MAIL_TRANSPORT=sendcloud sends its personal mails in xsmtpapi
// calls (to + sub), up to 100 per call, against the local fake that speaks SendCloud's wire format.

describe('campaigns over SendCloud in xsmtpapi batches (real Redis, worker, fake SendCloud)', () => {
  let stack: PostmillStack | undefined;
  let fake: FakeSendCloud | undefined;
  afterEach(async () => {
    await stack?.close();
    await fake?.close();
    stack = undefined;
    fake = undefined;
  });

  it('sends 250 recipients exactly one mail each, with their own substituted subject and body, in xsmtpapi calls of at most 100', {
    timeout: 120_000,
  }, async () => {
    fake = await startFakeSendCloud();
    stack = await startPostmillStack({
      MAIL_TRANSPORT: 'sendcloud',
      SENDCLOUD_ENDPOINT: fake.endpoint,
      SENDCLOUD_API_USER: fake.apiUser,
      SENDCLOUD_API_KEY: fake.apiKey,
      // SEND_CHUNK_SIZE bounds every provider request's recipients: 100 lets a call take SendCloud's 100.
      SEND_CHUNK_SIZE: '100',
    });
    const TemplateID = await setUpSender(stack);
    const ReceiverId = await createList(stack, 250);
    const { TaskId } = await stack.call('BatchSendEmail', {
      FromEmailAddress: 'news@mail.example.com',
      ReceiverId,
      Subject: 'Hi {{name}}',
      TaskType: 1,
      Template: { TemplateID, TemplateData: '{}' },
    });
    const s = stack;
    const done = await until(
      () => task(s, TaskId),
      (t) => t.TaskStatus === 10,
      100_000,
      200,
    );
    expect(done).toMatchObject({ RequestCount: 250, SendCount: 250, FailedCount: 0, DeferredCount: 0 });

    const calls = fake.requests.filter((r) => r.outcome?.kind === 'accepted');
    expect(calls.every((r) => r.mail?.xsmtpapi !== undefined)).toBe(true);
    const sizes = calls.map((r) => r.mail?.xsmtpapi?.to.length ?? 0);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(250);
    expect(calls.length).toBeLessThan(250 / 2); // grouped: most calls carry many recipients

    const perRecipient = new Map<string, number>();
    for (const mail of fake.delivered) for (const r of mail.recipients) perRecipient.set(r, (perRecipient.get(r) ?? 0) + 1);
    expect(perRecipient.size).toBe(250);
    expect([...perRecipient.values()].every((n) => n === 1)).toBe(true);
    for (const mail of fake.delivered) {
      const i = Number(/^user(\d+)@example\.org$/u.exec(mail.recipients[0] ?? '')?.[1]);
      expect(mail.toHeader).toEqual([`user${i}@example.org`]);
      expect(mail.subject).toBe(`Hi User ${i}`);
      expect(mail.html).toBe(`<p>Hello User ${i}, your code is ${100_000 + i}.</p>`);
      expect(mail.plain).toBe(`Hello User ${i}, your code is ${100_000 + i}.`);
    }
  });
});
