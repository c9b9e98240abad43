import { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { MAIL_EVENT_KINDS } from '@postmill/core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Harness, SENDCLOUD_KEY, startHarness, testEvent } from './harness.ts';
import { type Receiver, startReceiver, until } from './receiver.ts';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

function header(h: IncomingHttpHeaders, name: string): string {
  return String(h[name] ?? '');
}

/** Tencent's receiver: a JSON object with §5.2's fields, bulkId and timestamp typed as documented. */
function verifyTencent({ headers, body }: { headers: IncomingHttpHeaders; body: string }): void {
  if (!header(headers, 'content-type').startsWith('application/json')) throw new Error('not JSON');
  const e = JSON.parse(body) as Record<string, unknown>;
  for (const f of ['event', 'email', 'bulkId', 'from', 'fromDomain']) if (typeof e[f] !== 'string') throw new Error(`${f} missing`);
  if (!Number.isInteger(e.timestamp) || (e.timestamp as number) > 1e11) throw new Error('timestamp is not epoch seconds');
  if (e.event === 'bounce' && e.bounceType !== 'hard_bounce' && e.bounceType !== 'soft_bounce') throw new Error('bounceType');
}

/** DirectMail's receiver: a CloudEvents object whose id is the event id header. */
function verifyAliyun({ headers, body }: { headers: IncomingHttpHeaders; body: string }): void {
  const e = JSON.parse(body) as { id: string; type: string; source: string; data: { rcpt: string; env_id: string } };
  if (e.id !== header(headers, 'x-postmill-event-id')) throw new Error('id is not the event id');
  if (e.source !== 'acs:dm' || !e.type.startsWith('dm:') || !e.data.rcpt || !e.data.env_id) throw new Error('not a DirectMail event');
}

/** SendCloud's receiver, as its docs tell customers to write it: recompute the signature with the webhook key. */
function verifySendCloud({ headers, body }: { headers: IncomingHttpHeaders; body: string }): void {
  if (header(headers, 'content-type') !== 'application/x-www-form-urlencoded') throw new Error('not a form');
  const f = new URLSearchParams(body);
  for (const name of ['event', 'emailId', 'recipient', 'timestamp', 'token', 'signature']) if (!f.get(name)) throw new Error(`${name} missing`);
  const expected = createHmac('sha256', SENDCLOUD_KEY)
    .update(`${f.get('timestamp')}${f.get('token')}`)
    .digest('hex');
  if (f.get('signature') !== expected) throw new Error('bad signature');
}

describe('delivery to each vendor-format receiver', () => {
  let h: Harness;
  const problems: string[] = [];
  let tencentAccount: Receiver;
  let tencentSender: Receiver;
  let aliyun: Receiver;
  let sendCloud: Receiver;

  beforeAll(async () => {
    h = await startHarness({ redisUrl: inject('redisUrl') });
    tencentAccount = await startReceiver({ verify: verifyTencent, problems });
    tencentSender = await startReceiver({ verify: verifyTencent, problems });
    aliyun = await startReceiver({ verify: verifyAliyun, problems });
    sendCloud = await startReceiver({ verify: verifySendCloud, problems });
    await h.tencent.setAccountUrl(tencentAccount.url);
    await h.tencent.setSenderUrl('News@Mail.Example', tencentSender.url);
    await h.senderProfiles.update('news@mail.example', { notifyUrl: aliyun.url });
    await h.sendCloud.add({ categoryName: 'all', url: sendCloud.url, events: [1, 4, 5, 10, 11, 12, 18] });
  });

  afterAll(async () => {
    await h.close();
    await Promise.all([tencentAccount, tencentSender, aliyun, sendCloud].map((r) => r.close()));
  });

  it('posts every kind to the sender-level Tencent URL, DirectMail NotifyUrl and SendCloud webhook in their formats, each verifying, and skips kinds a vendor has no event for', async () => {
    const events = MAIL_EVENT_KINDS.map((kind) =>
      testEvent({ kind, ...(kind === 'bounced' ? { bounceType: 'soft' as const, reason: '452 mailbox full' } : {}), apiUser: 'shop' }),
    );
    const queued = await Promise.all(events.map((e) => h.publisher.publish(e)));
    // 8 kinds: Tencent has no request (7), DirectMail no request nor deferred (6), SendCloud no deferred (7).
    expect(queued.reduce((a, b) => a + b, 0)).toBe(20);
    await until(() => tencentSender.delivered().size === 7 && aliyun.delivered().size === 6 && sendCloud.delivered().size === 7);
    expect(problems).toEqual([]);
    expect(tencentAccount.received).toHaveLength(0);
    const byEvent = (r: Receiver) => new Set(r.delivered().keys());
    const ids = (kinds: readonly string[]) => new Set(events.filter((e) => kinds.includes(e.kind)).map((e) => e.id));
    expect(byEvent(tencentSender)).toEqual(ids(MAIL_EVENT_KINDS.filter((k) => k !== 'request')));
    expect(byEvent(aliyun)).toEqual(ids(MAIL_EVENT_KINDS.filter((k) => k !== 'request' && k !== 'deferred')));
    expect(byEvent(sendCloud)).toEqual(ids(MAIL_EVENT_KINDS.filter((k) => k !== 'deferred')));
    const bounce = sendCloud.received.find((r) => new URLSearchParams(r.body).get('event') === 'soft_bounce');
    expect(new URLSearchParams(bounce?.body).get('message')).toBe('452 mailbox full');
  });

  it("sends a sender without a URL of its own to Tencent's account-level URL, and not to DirectMail, which has no account-level URL", async () => {
    const event = testEvent({ sender: 'other@mail.example', kind: 'opened', userAgent: 'Mozilla/5.0' });
    expect(await h.publisher.publish(event)).toBe(2); // Tencent account URL + SendCloud `all`
    await until(() => tencentAccount.delivered().has(event.id) && sendCloud.delivered().has(event.id));
    const body = JSON.parse(tencentAccount.delivered().get(event.id)?.[0]?.body ?? '{}') as Record<string, unknown>;
    expect(body).toMatchObject({ event: 'open', email: event.recipient, useragent: 'Mozilla/5.0', username: '1000001' });
    expect(aliyun.received.some((r) => r.eventId === event.id)).toBe(false);
  });

  it('posts an event once per endpoint when it is published twice (same job ids)', async () => {
    const event = testEvent({ kind: 'clicked', link: 'https://shop.example/x' });
    await h.publisher.publish(event);
    await h.publisher.publish(event);
    await until(() => aliyun.delivered().has(event.id) && sendCloud.delivered().has(event.id) && tencentSender.delivered().has(event.id));
    await new Promise((r) => setTimeout(r, 200));
    for (const r of [aliyun, sendCloud, tencentSender]) expect(r.received.filter((x) => x.eventId === event.id)).toHaveLength(1);
  });
});
