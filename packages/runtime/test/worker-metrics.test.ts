import { QUEUE } from '@postmill/queue';
import { afterEach, describe, expect, it } from 'vitest';
import { b64, type OpsStack, simpleMail, startOpsStack } from './ops-stack.ts';
import { sampleValue } from './prometheus-text.ts';

const scrape = async (url: string) => {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
};

describe('Prometheus metrics of a real worker and API (real Redis, fake Tencent SES)', () => {
  let stack: OpsStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('counts mails by transport, outcome and error code, with latency and limiter-wait samples, after sends through the worker', async () => {
    stack = await startOpsStack();
    const s = stack;
    await s.setUpSender();
    s.fake.failWhen((body) => (body.Destination?.includes('bad@example.org') ? 'FailedOperation.IncorrectEmail' : undefined));
    await s.call('SendEmail', simpleMail(['good@example.org']));
    await s.call('SendEmail', simpleMail(['bad@example.org']));

    const mails = (text: string, outcome: string, errorCode: string) =>
      sampleValue(text, 'postmill_mails_total', { transport: 'tencent-ses', outcome, error_code: errorCode });
    await expect.poll(async () => mails(await scrape(s.workerUrl), 'failed', 'FailedOperation.IncorrectEmail'), { timeout: 15_000 }).toBe(1);
    await expect.poll(async () => mails(await scrape(s.workerUrl), 'sent', ''), { timeout: 15_000 }).toBe(1);
    const text = await scrape(s.workerUrl);
    expect(sampleValue(text, 'postmill_provider_request_duration_seconds_count', { transport: 'tencent-ses', outcome: 'answered' })).toBe(1);
    expect(sampleValue(text, 'postmill_provider_request_duration_seconds_count', { transport: 'tencent-ses', outcome: 'error' })).toBe(1);
    expect(sampleValue(text, 'postmill_provider_request_duration_seconds_sum', { transport: 'tencent-ses' })).toBeGreaterThan(0);
    expect(sampleValue(text, 'postmill_provider_request_duration_seconds_bucket', { transport: 'tencent-ses', outcome: 'answered', le: '+Inf' })).toBe(1);
    expect(sampleValue(text, 'postmill_rate_limit_wait_seconds_count', { transport: 'tencent-ses' })).toBe(2);
    // Queue depth by state for both queues, read from Redis at scrape time.
    for (const queue of [QUEUE.delivery, QUEUE.campaign]) {
      for (const state of ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children']) {
        expect(sampleValue(text, 'postmill_queue_jobs', { queue, state }), `${queue} ${state}`).toBeTypeOf('number');
      }
    }
    expect(sampleValue(text, 'postmill_queue_jobs', { queue: QUEUE.delivery, state: 'waiting' })).toBe(0);
    // The delivery intake (accepted SendEmail messages whose job is still to be made) is empty again.
    expect(sampleValue(text, 'postmill_queue_jobs', { queue: 'delivery-intake', state: 'pending' })).toBe(0);
    // Default process metrics are there too.
    expect(sampleValue(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sampleValue(text, 'postmill_metrics_collect_errors_total')).toBeUndefined();
  });

  it('observes the schedule lag of a campaign run and shows tasks by status on the worker and the API', async () => {
    stack = await startOpsStack();
    const s = stack;
    await s.setUpSender();
    const { TemplateID } = await s.call('CreateEmailTemplate', {
      TemplateName: 'm',
      TemplateContent: { Html: b64('<p>Hi {{name}}</p>'), Text: b64('Hi {{name}}') },
    });
    const { ReceiverId } = await s.call('CreateReceiver', { ReceiversName: 'metrics', Desc: 'metrics test' });
    await s.call('CreateReceiverDetailWithData', {
      ReceiverId,
      Datas: [
        { Email: 'c1@example.org', TemplateData: JSON.stringify({ name: 'One' }) },
        { Email: 'c2@example.org', TemplateData: JSON.stringify({ name: 'Two' }) },
      ],
    });
    await s.call('BatchSendEmail', {
      FromEmailAddress: 'news@mail.example.com',
      ReceiverId,
      Subject: 'Hi',
      TaskType: 1,
      Template: { TemplateID, TemplateData: '{}' },
    });

    await expect.poll(async () => sampleValue(await scrape(s.workerUrl), 'postmill_tasks', { status: 'done' }), { timeout: 15_000 }).toBe(1);
    const text = await scrape(s.workerUrl);
    expect(sampleValue(text, 'postmill_schedule_lag_seconds_count')).toBe(1);
    // TaskType 1 is planned for its creation time, so the lag is how long the worker took to start it.
    const lag = sampleValue(text, 'postmill_schedule_lag_seconds_sum') ?? Number.NaN;
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(10);
    expect(sampleValue(text, 'postmill_mails_total', { transport: 'tencent-ses', outcome: 'sent' })).toBe(2);
    for (const status of ['pending', 'sending', 'error', 'paused', 'cancelled']) expect(sampleValue(text, 'postmill_tasks', { status }), status).toBe(0);
    // The API's own registry reads the same Redis: tasks and queues, but it sends nothing itself.
    const api = await scrape(s.apiUrl);
    expect(sampleValue(api, 'postmill_tasks', { status: 'done' })).toBe(1);
    expect(sampleValue(api, 'postmill_queue_jobs', { queue: QUEUE.campaign, state: 'waiting' })).toBe(0);
    expect(sampleValue(api, 'postmill_mails_total')).toBeUndefined();
    expect(sampleValue(api, 'process_cpu_seconds_total')).toBeGreaterThan(0);
  });
});
