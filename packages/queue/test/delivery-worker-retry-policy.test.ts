import { type FakeTencentSes, startFakeTencentSes } from '@postmill/testkit';
import { createTencentSesTransport } from '@postmill/transports';
import { afterEach, describe, expect, it } from 'vitest';
import { startWorkerHarness, type WorkerHarness } from './worker-harness.ts';

// The one retry policy, exercised end to end: worker → Tencent SES transport → local fake that
// answers the documented error codes. Waits are shortened through the policy settings.
describe('delivery worker retry policy against Tencent SES error codes', () => {
  let fake: FakeTencentSes | undefined;
  let h: WorkerHarness | undefined;
  afterEach(async () => {
    await h?.close();
    await fake?.close();
    h = undefined;
    fake = undefined;
  });

  async function start(policy: Parameters<typeof startWorkerHarness>[0]['policy'] = {}, extra: { chunkSize?: number } = {}) {
    fake = await startFakeTencentSes();
    const transport = createTencentSesTransport({
      endpoint: fake.endpoint,
      secretId: fake.secretId,
      secretKey: fake.secretKey,
      region: 'ap-guangzhou',
      timeoutMs: 2000,
    });
    h = await startWorkerHarness({ transport, policy, ...extra });
    return { fake, h };
  }
  const recipientsOf = (f: FakeTencentSes) => f.requests.flatMap((r) => [...(r.body?.Destination ?? []), ...(r.body?.Cc ?? []), ...(r.body?.Bcc ?? [])]);

  it('holds the recipient domain after FailedOperation.TemporaryBlocked, then retries and delivers without spending an attempt', async () => {
    const { fake, h } = await start({ domainHoldMs: 400 });
    fake.failNext('FailedOperation.TemporaryBlocked');
    const t0 = Date.now();
    const spec = await h.send({ to: ['user@blocked.example'] });
    const states = await h.settled(spec.messageId);
    expect(states.get('user@blocked.example')).toMatchObject({ state: 'sent' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    expect(fake.requests).toHaveLength(2);
    // BullMQ counts the successful run as one attempt; the hold (DelayedError) added none.
    // The ledger settles just before BullMQ completes the job: wait for the completion itself.
    await expect.poll(async () => (await h.queue.getJob(spec.messageId))?.finishedOn, { timeout: 5000 }).toBeDefined();
    const job = await h.queue.getJob(spec.messageId);
    expect(job?.attemptsMade).toBe(1);
  });

  it('keeps other messages to a held domain waiting until the hold ends', async () => {
    const { fake, h } = await start({ domainHoldMs: 600 });
    fake.failNext('FailedOperation.TemporaryBlocked');
    const first = await h.send({ to: ['a@held.example'] });
    await expect.poll(async () => (await h.holds.holdsFor(['held.example'])).size).toBe(1);
    const second = await h.send({ to: ['b@held.example'] });
    await expect.poll(async () => (await h.messages.getRecipients(second.messageId)).get('b@held.example')?.state).toBe('deferred');
    await h.settled(first.messageId);
    await h.settled(second.messageId);
    expect(fake.requests).toHaveLength(3); // blocked one, then each message once after the hold
  });

  it('backs off a recipient after FailedOperation.FrequencyLimit and retries it', async () => {
    const { fake, h } = await start({ recipientBackoffMs: 150 });
    fake.failNext('FailedOperation.FrequencyLimit');
    const spec = await h.send({ to: ['freq@example.org'] });
    const states = await h.settled(spec.messageId);
    expect(states.get('freq@example.org')).toMatchObject({ state: 'sent' });
    expect(fake.requests).toHaveLength(2);
  });

  it('fails a recipient after too many FrequencyLimit answers, keeping the code', async () => {
    const { fake, h } = await start({ recipientBackoffMs: 20, maxRecipientBackoffs: 2 });
    fake.failNext('FailedOperation.FrequencyLimit', { times: 10 });
    const spec = await h.send({ to: ['freq@example.org'] });
    const states = await h.settled(spec.messageId);
    expect(states.get('freq@example.org')).toMatchObject({ state: 'failed', code: 'FailedOperation.FrequencyLimit', transient: true });
    expect(fake.requests).toHaveLength(3);
  });

  it('slows the whole transport on RequestLimitExceeded without spending an attempt', async () => {
    const { fake, h } = await start({ throttleDelayMs: 300, maxAttempts: 1 });
    fake.failNext('RequestLimitExceeded', { times: 2 });
    const t0 = Date.now();
    const spec = await h.send({ to: ['slow@example.org'] });
    const states = await h.settled(spec.messageId);
    expect(states.get('slow@example.org')).toMatchObject({ state: 'sent' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(600);
    expect(fake.requests).toHaveLength(3);
  });

  it('slows the transport on HTTP 429 as well', async () => {
    const { fake, h } = await start({ throttleDelayMs: 200, maxAttempts: 1 });
    fake.respondHttp(429);
    const spec = await h.send({ to: ['slow@example.org'] });
    expect((await h.settled(spec.messageId)).get('slow@example.org')).toMatchObject({ state: 'sent' });
    expect(fake.requests).toHaveLength(2);
  });

  it('retries InternalError with backoff, then fails the recipients with the last error after the last attempt', async () => {
    const { fake, h } = await start({ maxAttempts: 3, backoffBaseMs: 20 });
    fake.failNext('InternalError', { times: 10, message: 'upstream exploded' });
    const spec = await h.send({ to: ['x@example.org', 'y@example.org'] });
    const states = await h.settled(spec.messageId);
    for (const r of ['x@example.org', 'y@example.org']) {
      expect(states.get(r)).toMatchObject({ state: 'failed', code: 'InternalError', transient: true, message: 'upstream exploded' });
    }
    expect(fake.requests).toHaveLength(3);
  });

  it('retries a transient failure and then delivers', async () => {
    const { fake, h } = await start({ maxAttempts: 5, backoffBaseMs: 20 });
    fake.respondHttp(503, { times: 2 });
    const spec = await h.send({ to: ['z@example.org'] });
    expect((await h.settled(spec.messageId)).get('z@example.org')).toMatchObject({ state: 'sent' });
    expect(fake.requests).toHaveLength(3);
  });

  for (const code of [
    'FailedOperation.IncorrectEmail',
    'FailedOperation.EmailAddrInBlacklist',
    'FailedOperation.ReceiverHasUnsubscribed',
    'FailedOperation.RejectedByRecipients',
  ]) {
    it(`never retries the permanent ${code}`, async () => {
      const { fake, h } = await start({ maxAttempts: 5, backoffBaseMs: 20 });
      fake.failNext(code, { times: 10 });
      const spec = await h.send({ to: ['p@example.org'] });
      expect((await h.settled(spec.messageId)).get('p@example.org')).toMatchObject({ state: 'failed', code, transient: false });
      expect(fake.requests).toHaveLength(1);
    });
  }

  it('retries a chunk after a transient failure without resending recipients that were already accepted', async () => {
    const { fake, h } = await start({ maxAttempts: 4, backoffBaseMs: 20 }, { chunkSize: 1 });
    let failures = 0;
    fake.failWhen((body) => (body.Destination?.includes('second@example.org') && failures++ < 2 ? 'InternalError' : undefined));
    const spec = await h.send({ to: ['first@example.org', 'second@example.org', 'third@example.org'] });
    const states = await h.settled(spec.messageId);
    expect([...states.values()].every((s) => s.state === 'sent')).toBe(true);
    const sentTo = recipientsOf(fake);
    expect(sentTo.filter((r) => r === 'first@example.org')).toHaveLength(1);
    expect(sentTo.filter((r) => r === 'second@example.org')).toHaveLength(3);
    expect(sentTo.filter((r) => r === 'third@example.org')).toHaveLength(1);
  });
});
