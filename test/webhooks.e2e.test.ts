import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '@postmill/config';
import { type MailEvent, systemClock } from '@postmill/core';
import { createWebhookDelivery, deliveryIdOf, EVENT_ID_HEADER, type WebhookDelivery } from '@postmill/webhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { type PostmillStack, startPostmillStack, until } from './support/postmill-stack.ts';
import { spawnWorkerProcess, type WorkerChild } from './support/worker-child.ts';

/** A loopback receiver that records each POST; `holdMs` delays the answer to the next one. */
interface Receiver {
  readonly url: string;
  readonly posts: { readonly eventId: string; readonly body: string; readonly answeredAt: number }[];
  /** Resolves when a request has arrived (its answer may still be held). */
  arrived(eventId: string): Promise<void>;
  holdNextMs: number;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const posts: { eventId: string; body: string; answeredAt: number }[] = [];
  const waiting = new Map<string, () => void>();
  const receiver: Receiver = {
    url: '',
    posts,
    arrived: (eventId) => new Promise((resolve) => waiting.set(eventId, resolve)),
    holdNextMs: 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const read = async (req: IncomingMessage) => {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    return body;
  };
  const server: Server = createServer((req, res) => {
    void read(req).then(async (body) => {
      const eventId = String(req.headers[EVENT_ID_HEADER] ?? '');
      waiting.get(eventId)?.();
      const hold = receiver.holdNextMs;
      receiver.holdNextMs = 0;
      if (hold > 0) await new Promise((r) => setTimeout(r, hold));
      posts.push({ eventId, body, answeredAt: Date.now() });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(receiver, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/tencent` });
}

const WEBHOOK_ENV = { WEBHOOK_ALLOW_CIDRS: '127.0.0.0/8', WEBHOOK_RETRY_DELAYS_SECONDS: '0.2' };

function event(id: string): MailEvent {
  return { id, kind: 'delivered', at: Date.now(), messageId: `pm-date-e2e-${id}`, recipient: 'reader@example.org', sender: 'news@mail.example.com' };
}

describe('webhooks through a worker process', () => {
  let stack: PostmillStack | undefined;
  let receiver: Receiver | undefined;
  let publisher: WebhookDelivery | undefined;
  const workers: WorkerChild[] = [];
  afterEach(async () => {
    for (const w of workers.splice(0)) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await publisher?.queue.obliterate({ force: true }).catch(() => undefined);
    await publisher?.close();
    await receiver?.close();
    await stack?.close();
    stack = receiver = publisher = undefined;
  });

  it('posts a published MailEvent in Tencent format to the callback URL set through the API, and on SIGTERM finishes the POST in flight before it exits 0', {
    timeout: 60_000,
  }, async () => {
    stack = await startPostmillStack(WEBHOOK_ENV, { worker: false });
    const s = stack;
    receiver = await startReceiver();
    const r = receiver;
    // Where Tencent-format events go, set with the extension action (the API checks it against the same policy).
    expect((await s.raw('PostmillSetCallbackUrl', { CallbackUrl: r.url })).Response.Error).toBeUndefined();
    const worker = spawnWorkerProcess(s, { ...WEBHOOK_ENV, LOG_LEVEL: 'info' });
    workers.push(worker);
    // Publish-only, as the API process is wired (runWorker: false): only the worker process posts.
    const config = parseConfig({ ...s.env, ...WEBHOOK_ENV });
    publisher = createWebhookDelivery({ redis: s.shared.redis, keys: s.shared.keys, clock: systemClock, settings: config.webhooks, runWorker: false });

    expect(await publisher.publisher.publish(event('e2e-first'))).toBe(1);
    await until(
      async () => r.posts.length,
      (n) => n === 1,
      30_000,
    );
    expect(r.posts[0]?.eventId).toBe('e2e-first');
    expect(JSON.parse(r.posts[0]?.body ?? '{}')).toMatchObject({ event: 'delivered', email: 'reader@example.org', from: 'news@mail.example.com' });

    // The second POST is held by the receiver; SIGTERM arrives while it is in flight.
    r.holdNextMs = 1500;
    const second = event('e2e-second');
    const arrived = r.arrived(second.id);
    expect(await publisher.publisher.publish(second)).toBe(1);
    await arrived;
    const signalledAt = Date.now();
    worker.child.kill('SIGTERM');
    expect(await worker.exited()).toEqual({ code: 0, signal: null });
    const answered = r.posts.find((p) => p.eventId === second.id);
    expect(answered?.answeredAt).toBeGreaterThanOrEqual(signalledAt);
    // Its outcome was recorded before Redis closed: the job completed, nothing was dead-lettered or left active.
    const job = await publisher.queue.getJob(deliveryIdOf(second.id, { vendor: 'tencent', url: r.url }));
    expect(await job?.getState()).toBe('completed');
    expect(await publisher.deadLetters.list()).toMatchObject({ total: 0 });
    expect(worker.logs.some((l) => l.msg === 'worker closed')).toBe(true);
    expect(r.posts.filter((p) => p.eventId === second.id)).toHaveLength(1);
  });
});
