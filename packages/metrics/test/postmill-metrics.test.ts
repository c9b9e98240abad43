import { describe, expect, it } from 'vitest';
import { createPostmillMetrics, METRIC } from '../src/index.ts';

describe('createPostmillMetrics', () => {
  it('gives each call its own registry, so two in one process never clash', async () => {
    const a = createPostmillMetrics();
    const b = createPostmillMetrics();
    a.delivery.mailOutcome({ transport: 'smtp', outcome: 'sent', errorCode: '', count: 3 });
    expect(await a.render()).toContain('postmill_mails_total{transport="smtp",outcome="sent",error_code=""} 3');
    expect(await b.render()).not.toContain('postmill_mails_total{');
    expect(await a.render()).toContain('process_cpu_seconds_total');
  });

  it('exports delivery observations with their labels, and drops durations that are not real', async () => {
    const m = createPostmillMetrics({ defaultMetrics: false });
    m.delivery.mailOutcome({ transport: 'tencent-ses', outcome: 'failed', errorCode: 'FailedOperation.IncorrectEmail', count: 2 });
    m.delivery.providerRequest({ transport: 'tencent-ses', outcome: 'answered', durationSeconds: 0.02 });
    m.delivery.providerRequest({ transport: 'tencent-ses', outcome: 'answered', durationSeconds: Number.NaN });
    m.delivery.rateLimitWait({ transport: 'tencent-ses', waitSeconds: 0.3 });
    m.delivery.scheduleLag({ lagSeconds: 4 });
    const text = await m.render();
    expect(text).toContain('postmill_mails_total{transport="tencent-ses",outcome="failed",error_code="FailedOperation.IncorrectEmail"} 2');
    expect(text).toContain('postmill_provider_request_duration_seconds_count{transport="tencent-ses",outcome="answered"} 1');
    expect(text).toContain('postmill_rate_limit_wait_seconds_bucket{le="0.5",transport="tencent-ses"} 1');
    expect(text).toContain('postmill_schedule_lag_seconds_bucket{le="5"} 1');
    expect(text).not.toContain('process_cpu_seconds_total');
  });

  it('reads queue depth and tasks at scrape time, fresh on every scrape', async () => {
    let waiting = 5;
    const m = createPostmillMetrics({
      defaultMetrics: false,
      queues: [{ name: 'delivery', getJobCounts: async () => ({ waiting, active: 1 }) }],
      countTasksByStatus: async () => ({ pending: 2, done: 0 }),
    });
    expect(await m.render()).toContain('postmill_queue_jobs{queue="delivery",state="waiting"} 5');
    waiting = 7;
    const text = await m.render();
    expect(text).toContain('postmill_queue_jobs{queue="delivery",state="waiting"} 7');
    expect(text).toContain('postmill_tasks{status="pending"} 2');
    expect(text).toContain('postmill_tasks{status="done"} 0');
  });

  it('leaves a gauge out and counts a collect error when its read fails or hangs, and still answers the scrape', async () => {
    const m = createPostmillMetrics({
      defaultMetrics: false,
      collectTimeoutMs: 50,
      queues: [
        { name: 'delivery', getJobCounts: () => new Promise(() => undefined) },
        { name: 'campaign', getJobCounts: async () => ({ waiting: 1 }) },
      ],
      countTasksByStatus: async () => {
        throw new Error('redis connection reconnecting');
      },
    });
    const text = await m.render();
    expect(text).toContain('postmill_queue_jobs{queue="campaign",state="waiting"} 1');
    expect(text).not.toContain('queue="delivery",state=');
    expect(text).not.toMatch(/^postmill_tasks\{/mu);
    expect(text).toContain(`${METRIC.collectErrors}{collector="queue:delivery"} 1`);
    expect(text).toContain(`${METRIC.collectErrors}{collector="tasks"} 1`);
  });

  it('exports webhook tries by vendor, endpoint host and outcome, and drops durations that are not real', async () => {
    const m = createPostmillMetrics({ defaultMetrics: false });
    m.webhooks.attempt({ vendor: 'tencent', host: 'hooks.example:8443', outcome: 'delivered', durationSeconds: 0.02 });
    m.webhooks.attempt({ vendor: 'tencent', host: 'hooks.example:8443', outcome: 'refused' });
    m.webhooks.attempt({ vendor: 'sendcloud', host: 'sc.example', outcome: 'retried', durationSeconds: -1 });
    const text = await m.render();
    expect(text).toContain(`${METRIC.webhookDeliveries}{vendor="tencent",endpoint_host="hooks.example:8443",outcome="delivered"} 1`);
    expect(text).toContain(`${METRIC.webhookDeliveries}{vendor="tencent",endpoint_host="hooks.example:8443",outcome="refused"} 1`);
    expect(text).toContain(`${METRIC.webhookDeliveries}{vendor="sendcloud",endpoint_host="sc.example",outcome="retried"} 1`);
    expect(text).toContain(`${METRIC.webhookDeliveryDuration}_count{vendor="tencent",endpoint_host="hooks.example:8443"} 1`);
    expect(text).not.toContain(`${METRIC.webhookDeliveryDuration}_count{vendor="sendcloud"`);
  });
});
