import { TaskStatus } from '@postmill/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliApi, startCliApi } from './cli-api.ts';
import { startInProcess, waitFor } from './cli-runner.ts';

const SENDER = 'news@mail.example.com';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** No worker runs beside the test API (cli-api.ts): the test announces a worker's send rate and plays its part through the stores. */
describe('postmill tasks watch names the rate limit that bounds the task (real API)', () => {
  let api: CliApi;
  let taskId: number;

  beforeAll(async () => {
    api = await startCliApi();
    await api.call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' });
    await api.call('CreateEmailAddress', { EmailAddress: SENDER });
    const TemplateID = (await api.call('CreateEmailTemplate', { TemplateName: 'hi', TemplateContent: { Html: b64('<p>Hi</p>') } })).body.Response.TemplateID;
    const ReceiverId = (await api.call('CreateReceiver', { ReceiversName: 'rate' })).body.Response.ReceiverId;
    await api.call('CreateReceiverDetail', { ReceiverId, Emails: ['a@example.org', 'b@example.org'] });
    taskId = (await api.call('BatchSendEmail', { FromEmailAddress: SENDER, ReceiverId, Subject: 'Hi', TaskType: 1, Template: { TemplateID } })).body.Response
      .TaskId;
  });
  afterAll(async () => {
    await api.close();
  });

  it('says the limit is unknown until a worker announces one, then names the transport, its rate and the setting', { timeout: 30_000 }, async () => {
    const watching = startInProcess(api, ['tasks', 'watch', String(taskId), '--interval', '100']);
    await waitFor(() => watching.stderr().includes('; rate limit unknown (no worker has announced one)'), 10_000, 'the line without a limit');
    await api.deps.sendRates.announce({ transport: 'tencent-ses', perSecond: 20, setting: 'TENCENT_SES_RATE_PER_SECOND', isDefault: true });
    await waitFor(() => watching.stderr().includes('; limited by tencent-ses at 20/s (TENCENT_SES_RATE_PER_SECOND)'), 10_000, 'the line naming the limit');
    await api.deps.tasks.transition(taskId, TaskStatus.Cancelled);
    const result = await watching.done;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^task ${taskId} pending: 0/0 sent 0, failed 0, deferred 0, [\\d.?]+/s, ETA [^;]+; limited by tencent-ses at 20/s \\(TENCENT_SES_RATE_PER_SECOND\\)$`,
        'mu',
      ),
    );
  });
});
