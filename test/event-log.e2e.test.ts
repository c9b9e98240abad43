import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '@postmill/config';
import { createUnsubscribeToken } from '@postmill/core';
import { unsubscribeSecret } from '@postmill/runtime';
import { EventLogStore } from '@postmill/store';
import { EVENT_ID_HEADER } from '@postmill/webhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { type PostmillStack, setUpSender, startPostmillStack, until } from './support/postmill-stack.ts';

interface Post {
  readonly eventId: string;
  readonly body: Record<string, unknown>;
}

async function startReceiver(): Promise<{ url: string; posts: Post[]; close(): Promise<void> }> {
  const posts: Post[] = [];
  const read = async (req: IncomingMessage) => {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    return body;
  };
  const server: Server = createServer((req, res) => {
    void read(req).then((body) => {
      posts.push({ eventId: String(req.headers[EVENT_ID_HEADER] ?? ''), body: JSON.parse(body) as Record<string, unknown> });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/tencent`,
    posts,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('the event log through a real worker', () => {
  let stack: PostmillStack | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  afterEach(async () => {
    await receiver?.close();
    await stack?.close();
    stack = receiver = undefined;
  });

  it('records request and delivered for a SendEmail sent through the outbox transport, posts the delivered event in Tencent format to a loopback callback URL with the logged event id, and logs and posts one unsubscribed event for two unsubscribe POSTs', {
    timeout: 60_000,
  }, async () => {
    stack = await startPostmillStack({ MAIL_TRANSPORT: 'outbox', EVENT_LOG: 'true', WEBHOOK_ALLOW_CIDRS: '127.0.0.0/8', WEBHOOK_RETRY_DELAYS_SECONDS: '0.2' });
    const s = stack;
    receiver = await startReceiver();
    const r = receiver;
    expect((await s.raw('PostmillSetCallbackUrl', { CallbackUrl: r.url })).Response.Error).toBeUndefined();
    const templateId = await setUpSender(s);
    const sent = await s.call('SendEmail', {
      FromEmailAddress: 'news@mail.example.com',
      Destination: ['Reader@Example.org'],
      Subject: 'Events',
      Template: { TemplateID: templateId, TemplateData: JSON.stringify({ name: 'R', code: '1' }) },
    });
    const messageId = sent.MessageId as string;
    const log = new EventLogStore({ redis: s.shared.redis, prefix: s.prefix });
    const page = await until(
      () => log.page({ query: { by: 'message', messageId }, limit: 10 }),
      (p) => p.events.some((e) => e.kind === 'delivered'),
      30_000,
    );
    expect(page.events.map((e) => e.kind)).toEqual(['request', 'delivered']);
    expect(page.events.every((e) => e.messageId === messageId && e.sender === 'news@mail.example.com')).toBe(true);
    const delivered = page.events[1];
    // The same events through the recipient index (any case) and the time index.
    expect((await log.page({ query: { by: 'recipient', recipient: 'reader@example.org' }, limit: 10 })).events).toEqual(page.events);
    const around = { fromMs: (page.events[0]?.at ?? 0) - 1, toMs: (delivered?.at ?? 0) + 1 };
    expect((await log.page({ query: { by: 'time' }, ...around, limit: 10 })).events).toEqual(page.events);

    // Tencent has no request event; the delivered one arrives under the id the log holds.
    await until(
      async () => r.posts.length,
      (n) => n >= 1,
      30_000,
    );
    expect(r.posts).toHaveLength(1);
    expect(r.posts[0]?.eventId).toBe(delivered?.id);
    expect(r.posts[0]?.body).toMatchObject({ event: 'delivered', from: 'news@mail.example.com' });

    // Unsubscribing twice through the link's one-click POST logs one `unsubscribed` event, pushed once.
    const token = createUnsubscribeToken(
      { sender: 'news@mail.example.com', recipient: delivered?.recipient ?? '', messageId },
      unsubscribeSecret(parseConfig(s.env)),
    );
    for (let i = 0; i < 2; i++) {
      const answer = await fetch(`http://127.0.0.1:${s.port}/unsubscribe/${token}`, { method: 'POST', headers: { 'user-agent': 'e2e-reader' } });
      expect(answer.status).toBe(200);
    }
    const after = await log.page({ query: { by: 'message', messageId }, limit: 10 });
    expect(after.events.map((e) => e.kind)).toEqual(['request', 'delivered', 'unsubscribed']);
    expect(after.events[2]).toMatchObject({ sender: 'news@mail.example.com', userAgent: 'e2e-reader' });
    await until(
      async () => r.posts.length,
      (n) => n >= 2,
      30_000,
    );
    expect(r.posts.map((p) => p.eventId)).toEqual([delivered?.id, after.events[2]?.id]);
  });
});
