import { type FakeTencentSes, startFakeTencentSes } from '@postmill/testkit';
import { createTencentSesTransport } from '@postmill/transports';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startWorkerHarness, type WorkerHarness } from './worker-harness.ts';

const STUCK = 'stuck@example.org';
const MAX_THROTTLES = 3;
const MAX_ATTEMPTS = 3;

// A message the provider throttles forever (RequestLimitExceeded on every request for it) must end
// failed after SEND_MAX_THROTTLES throttles plus SEND_MAX_ATTEMPTS attempts, pausing the transport
// only for the throttles, while other messages keep going out.
describe('delivery worker with a message the provider always throttles', () => {
  let fake: FakeTencentSes | undefined;
  let h: WorkerHarness | undefined;
  afterEach(async () => {
    await h?.close();
    await fake?.close();
    h = undefined;
    fake = undefined;
  });

  it('fails it with RequestLimitExceeded kept after exactly maxThrottles throttles plus maxAttempts attempts, and delivers other messages meanwhile', async () => {
    fake = await startFakeTencentSes();
    fake.failWhen((body) => (body.Destination?.includes(STUCK) ? 'RequestLimitExceeded' : undefined));
    const followUps: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void followUps.push((JSON.parse(line) as { followUp?: string }).followUp ?? '') });
    const transport = createTencentSesTransport({
      endpoint: fake.endpoint,
      secretId: fake.secretId,
      secretKey: fake.secretKey,
      region: 'ap-guangzhou',
      timeoutMs: 2000,
    });
    h = await startWorkerHarness({
      transport,
      logger,
      policy: { maxThrottles: MAX_THROTTLES, maxAttempts: MAX_ATTEMPTS, throttleDelayMs: 150, backoffBaseMs: 150 },
    });
    const f = fake;
    const stuckRequests = () => f.requests.filter((r) => r.body?.Destination?.includes(STUCK));

    const stuck = await h.send({ to: [STUCK] });
    await expect.poll(() => stuckRequests().length).toBeGreaterThanOrEqual(1);
    const others = [];
    for (let i = 0; i < 5; i++) others.push(await h.send({ to: [`other${i}@example.org`] }));

    const states = await h.settled(stuck.messageId, 20_000);
    expect(states.get(STUCK)).toMatchObject({ state: 'failed', code: 'RequestLimitExceeded', transient: true });
    expect(stuckRequests()).toHaveLength(MAX_THROTTLES + MAX_ATTEMPTS);
    // The first MAX_THROTTLES answers paused the transport; the rest spent attempts, the last one failed the recipient.
    expect(followUps.filter((k) => k !== '')).toEqual([...Array(MAX_THROTTLES).fill('throttle'), ...Array(MAX_ATTEMPTS - 1).fill('retry'), 'continue']);
    const job = await h.queue.getJob(stuck.messageId);
    expect(job?.data).toMatchObject({ messageId: stuck.messageId, throttles: MAX_THROTTLES });

    const lastStuckAt = stuckRequests().at(-1)?.arrivedAtMs ?? 0;
    for (const o of others) expect((await h.settled(o.messageId)).get(o.to[0] ?? '')).toMatchObject({ state: 'sent' });
    // Other mail went out while the stuck message was still being retried.
    const otherArrivals = f.requests.filter((r) => !r.body?.Destination?.includes(STUCK)).map((r) => r.arrivedAtMs);
    expect(otherArrivals).toHaveLength(5);
    expect(Math.min(...otherArrivals)).toBeLessThan(lastStuckAt);
  });
});
