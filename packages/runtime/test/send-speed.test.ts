import { commandsDuring } from '@postmill/testkit';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { b64, type OpsStack, startOpsStack } from './ops-stack.ts';

const DONE = 10;

/** A personalised campaign (one rendering per recipient) of `size` recipients, sent now; resolves with the finished task. */
async function sendCampaign(s: OpsStack, size: number): Promise<Record<string, unknown>> {
  await s.setUpSender();
  const { TemplateID } = await s.call('CreateEmailTemplate', {
    TemplateName: 'speed',
    TemplateContent: { Html: b64('<p>Hi {{name}}</p>'), Text: b64('Hi {{name}}') },
  });
  const { ReceiverId } = await s.call('CreateReceiver', { ReceiversName: 'speed', Desc: 'send speed test' });
  const Datas = Array.from({ length: size }, (_, i) => ({ Email: `r${i}@example.org`, TemplateData: JSON.stringify({ name: `R${i}` }) }));
  await s.call('CreateReceiverDetailWithData', { ReceiverId, Datas });
  const { TaskId } = await s.call('BatchSendEmail', {
    FromEmailAddress: 'news@mail.example.com',
    ReceiverId,
    Subject: 'Hi {{name}}',
    TaskType: 1,
    Template: { TemplateID, TemplateData: '{}' },
  });
  let answer: Record<string, unknown> = {};
  // 2,000 recipients at 20/s take 100 s; 30 s is generous for an unlimited outbox on a loaded machine.
  await expect
    .poll(
      async () => {
        answer = await s.call('GetSendTask', { TaskId });
        return (answer.Task as Record<string, unknown>).TaskStatus;
      },
      { timeout: 30_000, interval: 200 },
    )
    .toBe(DONE);
  return answer;
}

describe('send speed per transport (real worker and API, real Redis)', () => {
  let stack: OpsStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('sends a 2,000-recipient campaign to the outbox within 30 s (20/s would need 100 s) without a single limiter command in Redis, and GetSendTask names the outbox as unlimited', async () => {
    stack = await startOpsStack({ MAIL_TRANSPORT: 'outbox', SEND_RATE_PER_SECOND: '' });
    const s = stack;
    let answer: Record<string, unknown> = {};
    const commands = await commandsDuring(inject('redisUrl'), `{${s.prefix}}:limiter:`, async () => {
      answer = await sendCampaign(s, 2000);
    });
    expect(answer.Task).toMatchObject({ TaskStatus: DONE, RequestCount: 2000, SendCount: 2000, FailedCount: 0, CacheCount: 0 });
    expect(commands).toEqual([]);
    expect(answer.SendRate).toMatchObject({ Transport: 'outbox', RatePerSecond: null, Setting: 'OUTBOX_RATE_PER_SECOND', IsDefault: true });
  });

  it('paces the outbox through the shared limiter in Redis when SEND_RATE_PER_SECOND sets a rate, and GetSendTask names that setting', async () => {
    stack = await startOpsStack({ MAIL_TRANSPORT: 'outbox', SEND_RATE_PER_SECOND: '5000' });
    const s = stack;
    let answer: Record<string, unknown> = {};
    const commands = await commandsDuring(inject('redisUrl'), `{${s.prefix}}:limiter:`, async () => {
      answer = await sendCampaign(s, 200);
    });
    expect(answer.Task).toMatchObject({ TaskStatus: DONE, SendCount: 200 });
    // The same watch that saw nothing above sees the reservations: at least one per chunk of 50.
    const reservations = commands.filter((c) => c.source !== 'lua' && c.args[0]?.toLowerCase() === 'eval' && c.args.includes(`{${s.prefix}}:limiter:outbox`));
    expect(reservations.length).toBeGreaterThanOrEqual(4);
    expect(answer.SendRate).toMatchObject({ Transport: 'outbox', RatePerSecond: 5000, Setting: 'SEND_RATE_PER_SECOND', IsDefault: false });
  });
});
