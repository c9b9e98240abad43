import { METRIC } from '@postmill/metrics';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { type Harness, startHarness, testEvent } from './harness.ts';
import { type Receiver, startReceiver, until } from './receiver.ts';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

async function counter(h: Harness, outcome: string): Promise<number> {
  const metric = await h.registry.getSingleMetric(METRIC.webhookDeliveries)?.get();
  return (metric?.values ?? []).filter((v) => v.labels.outcome === outcome).reduce((a, v) => a + v.value, 0);
}

describe('reliable webhook delivery', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setUp(retryDelaysMs: readonly number[]): Promise<{ h: Harness; receiver: Receiver }> {
    const h = await startHarness({ redisUrl: inject('redisUrl'), retryDelaysMs });
    const receiver = await startReceiver();
    cleanups.push(
      () => h.close(),
      () => receiver.close(),
    );
    await h.tencent.setAccountUrl(receiver.url);
    return { h, receiver };
  }

  it('delivers every event through a receiver that answers 500, then hangs past the 3 s timeout, then recovers: none lost, each retry with the same id and body', async () => {
    const { h, receiver } = await setUp([50, 100, 200, 400]);
    receiver.setAnswer((_, nth) => (nth === 1 ? { status: 500 } : nth === 2 ? { hangMs: 3500 } : { status: 200 }));
    const events = Array.from({ length: 12 }, () => testEvent({ kind: 'delivered' }));
    for (const e of events) await h.publisher.publish(e);
    await until(() => receiver.delivered().size === events.length, 30_000);

    expect(new Set(receiver.delivered().keys())).toEqual(new Set(events.map((e) => e.id)));
    for (const e of events) {
      const tries = receiver.received.filter((r) => r.eventId === e.id);
      expect(tries.map((t) => t.status)).toEqual([500, 'hung', 200]);
      expect(new Set(tries.map((t) => t.body)).size).toBe(1);
      // Each try names its attempt, counting up from 1. A CI run once saw 1, 3, 4: an attempt that
      // failed before its request reached the receiver still counts (see the session note).
      const attempts = tries.map((t) => Number(t.headers['x-postmill-attempt']));
      expect(attempts[0]).toBe(1);
      expect(attempts.every((a, i) => i === 0 || a > (attempts[i - 1] ?? 0))).toBe(true);
      expect(JSON.parse(tries[0]?.body ?? '{}')).toMatchObject({ bulkId: e.messageId, email: e.recipient });
    }
    expect((await h.deadLetters.list()).total).toBe(0);
    expect(await counter(h, 'delivered')).toBe(12);
    // Two retries per event, plus any attempt that failed before reaching the receiver (above).
    const retried = await counter(h, 'retried');
    expect(retried).toBeGreaterThanOrEqual(24);
    const text = await h.registry.metrics();
    const timed = `${METRIC.webhookDeliveryDuration}_count{vendor="tencent",endpoint_host="${new URL(receiver.url).host}"} `;
    const line = text.split('\n').find((l) => l.startsWith(timed));
    expect(Number(line?.slice(timed.length))).toBe(12 + retried);
  });

  it('dead-letters a delivery once the schedule is spent, keeps it listable, and a replay delivers it with the same event id', async () => {
    const { h, receiver } = await setUp([20, 40]);
    receiver.setAnswer(() => ({ status: 503 }));
    const event = testEvent({ kind: 'bounced', bounceType: 'hard', reason: '550 no such user' });
    await h.publisher.publish(event);
    await until(async () => (await h.deadLetters.list()).total === 1);

    expect(receiver.received.filter((r) => r.eventId === event.id)).toHaveLength(3);
    const { letters } = await h.deadLetters.list();
    expect(letters[0]).toMatchObject({ event, endpoint: { vendor: 'tencent', url: receiver.url }, attempts: 3, lastError: 'HTTP 503', replays: 0 });
    expect(await counter(h, 'failed')).toBe(1);

    receiver.setAnswer(() => ({ status: 200 }));
    const deliveryId = letters[0]?.deliveryId ?? '';
    expect(await h.publisher.replay(deliveryId)).toBe(true);
    expect(await h.publisher.replay(deliveryId)).toBe(false);
    await until(() => receiver.delivered().has(event.id));
    expect((await h.deadLetters.list()).total).toBe(0);
    const bodies = new Set(receiver.received.filter((r) => r.eventId === event.id).map((r) => r.body));
    expect(bodies.size).toBe(1);
  });

  it('dead-letters a second time after a replay that fails again, counting the replay, and a second replay still delivers', async () => {
    const { h, receiver } = await setUp([10]);
    receiver.setAnswer(() => ({ status: 500 }));
    const event = testEvent({ kind: 'opened' });
    await h.publisher.publish(event);
    await until(async () => (await h.deadLetters.list()).total === 1);
    const id = (await h.deadLetters.list()).letters[0]?.deliveryId ?? '';
    await h.publisher.replay(id);
    await until(async () => (await h.deadLetters.get(id))?.replays === 1);
    receiver.setAnswer(() => ({ status: 204 }));
    await h.publisher.replay(id);
    await until(() => receiver.delivered().has(event.id));
    expect(receiver.received.filter((r) => r.eventId === event.id).map((r) => r.status)).toEqual([500, 500, 500, 500, 204]);
  });

  it('replays every dead letter with replayAll, page by page, and each arrives once more with its own event id', async () => {
    const { h, receiver } = await setUp([5]);
    receiver.setAnswer(() => ({ status: 500 }));
    const events = Array.from({ length: 5 }, () => testEvent({ kind: 'unsubscribed' }));
    for (const e of events) await h.publisher.publish(e);
    await until(async () => (await h.deadLetters.list()).total === 5);
    receiver.setAnswer(() => ({ status: 200 }));
    expect(await h.publisher.replayAll({ max: 3 })).toBe(3);
    expect((await h.deadLetters.list()).total).toBe(2);
    expect(await h.publisher.replayAll()).toBe(2);
    await until(() => receiver.delivered().size === 5);
    expect(new Set(receiver.delivered().keys())).toEqual(new Set(events.map((e) => e.id)));
  });

  it('dead-letters a SendCloud delivery at once while SENDCLOUD_WEBHOOK_KEY is unset, posting nothing, so it can be replayed once the key is set', async () => {
    const h = await startHarness({ redisUrl: inject('redisUrl'), sendCloudWebhookKey: '' });
    const receiver = await startReceiver();
    cleanups.push(
      () => h.close(),
      () => receiver.close(),
    );
    await h.sendCloud.add({ categoryName: 'all', url: receiver.url, events: [1] });
    await h.publisher.publish(testEvent());
    await until(async () => (await h.deadLetters.list()).total === 1);
    expect((await h.deadLetters.list()).letters[0]).toMatchObject({ attempts: 1, lastError: expect.stringMatching(/SENDCLOUD_WEBHOOK_KEY/u) });
    expect(receiver.connections()).toBe(0);
    expect(await counter(h, 'refused')).toBe(1);
  });

  it('delivers an event whose worker died mid-POST: another worker takes the job once its lock lapses, with the same event id', async () => {
    const h = await startHarness({ redisUrl: inject('redisUrl'), lockDurationMs: 1000 });
    const receiver = await startReceiver();
    cleanups.push(
      () => h.close(),
      () => receiver.close(),
    );
    await h.tencent.setAccountUrl(receiver.url);
    receiver.setAnswer((_, nth) => (nth === 1 ? { hangMs: 2500 } : { status: 200 }));
    const event = testEvent();
    await h.publisher.publish(event);
    await until(() => receiver.received.length === 1);
    await h.worker.close(true); // dies with the POST in flight: its lock is never renewed again
    h.startAnotherWorker();
    await until(() => receiver.delivered().has(event.id), 15_000);
    expect(receiver.received.map((r) => r.eventId)).toEqual([event.id, event.id]);
    expect((await h.deadLetters.list()).total).toBe(0);
  });

  it('refuses to publish an event whose id could not travel in a header', async () => {
    const { h } = await setUp([5]);
    await expect(h.publisher.publish(testEvent({ id: 'bad\nid' }))).rejects.toMatchObject({ code: 'Webhook.InvalidEvent' });
  });
});
