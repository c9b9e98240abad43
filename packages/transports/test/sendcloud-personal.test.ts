import type { TransportRequest } from '@postmill/core';
import { type FakeSendCloud, startFakeSendCloud } from '@postmill/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sendCloudPersonalGroups } from '../src/sendcloud-personal.ts';
import { createSendCloudTransport } from '../src/sendcloud-transport.ts';
import { rejection, requestOf, sampleMessage } from './http-provider-support.ts';

let fake: FakeSendCloud;
beforeAll(async () => {
  fake = await startFakeSendCloud();
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

const transportFor = (personalBatchSize?: number) =>
  createSendCloudTransport({
    endpoint: fake.endpoint,
    apiUser: fake.apiUser,
    apiKey: fake.apiKey,
    timeoutMs: 5_000,
    ...(personalBatchSize === undefined ? {} : { personalBatchSize }),
  });

/** A campaign's personal message for recipient `i`: its own name and code in subject, html and plain. */
function personal(i: number, headers: Record<string, string> = {}): TransportRequest {
  const email = `user${i}@example.org`;
  const message = sampleMessage({
    to: [email],
    cc: [],
    bcc: [],
    subject: `Your code, User ${i}`,
    html: `<p>Hello User ${i}, your code is ${100_000 + i}.</p>`,
    text: `Hello User ${i}, your code is ${100_000 + i}.`,
    attachments: [],
    messageId: `<t1.r1.i${i}@mail.example.com>`,
    headers,
  });
  return requestOf(message, [email], `pm-task-1-1-${i}`);
}

/** Sends `requests` the way the campaign path does: one sendPersonalised call per group. */
async function sendGrouped(transport: ReturnType<typeof transportFor>, requests: readonly TransportRequest[]) {
  const groups = transport.personalisedGroups?.(requests) ?? [];
  const outcomes = [];
  for (const group of groups) outcomes.push(...(await (transport.sendPersonalised?.(group) ?? Promise.resolve({ outcomes: [] }))).outcomes);
  return { groups, outcomes };
}

describe('SendCloud transport, personal messages (xsmtpapi)', () => {
  it('sends 150 personal messages as two xsmtpapi calls (100 + 50), each recipient receiving only its own subject, html and plain, answered with its own emailId', async () => {
    const t = transportFor();
    const requests = Array.from({ length: 150 }, (_, i) => personal(i));
    const { groups, outcomes } = await sendGrouped(t, requests);
    expect(groups.map((g) => g.length)).toEqual([100, 50]);
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests.map((r) => r.mail?.xsmtpapi?.to.length)).toEqual([100, 50]);
    expect(fake.requests.every((r) => r.fields.to === undefined && !(r.fields.headers ?? '').includes('Message-ID'))).toBe(true);
    expect(fake.delivered).toHaveLength(150);
    fake.delivered.forEach((mail, i) => {
      expect(mail.recipients).toEqual([`user${i}@example.org`]);
      expect(mail.toHeader).toEqual([`user${i}@example.org`]);
      expect([mail.subject, mail.html, mail.plain]).toEqual([
        `Your code, User ${i}`,
        `<p>Hello User ${i}, your code is ${100_000 + i}.</p>`,
        `Hello User ${i}, your code is ${100_000 + i}.`,
      ]);
    });
    expect(outcomes).toHaveLength(150);
    outcomes.forEach((o, i) => {
      expect(o.recipient).toBe(`user${i}@example.org`);
      expect(o.accepted && o.response).toBe(`accepted by SendCloud as emailId ${fake.delivered[i]?.emailIds[0]}`);
    });
    await t.close();
  });

  it('takes at most personalBatchSize (SENDCLOUD_BATCH_RECIPIENTS) messages per call', async () => {
    const t = transportFor(10);
    expect(t.personalisedBatchSize).toBe(10);
    const { groups } = await sendGrouped(
      t,
      Array.from({ length: 25 }, (_, i) => personal(i)),
    );
    expect(groups.map((g) => g.length)).toEqual([10, 10, 5]);
    expect(fake.requests.map((r) => r.mail?.xsmtpapi?.to.length)).toEqual([10, 10, 5]);
    await t.close();
  });

  it('keeps messages with a per-recipient List-Unsubscribe header in calls of their own, each a plain mail/send with its Message-ID', async () => {
    const t = transportFor();
    const requests = [0, 1, 2].map((i) => personal(i, { 'List-Unsubscribe': `<https://example.com/u/${i}>` }));
    const { groups, outcomes } = await sendGrouped(t, requests);
    expect(groups.map((g) => g.length)).toEqual([1, 1, 1]);
    expect(fake.requests.map((r) => [r.mail?.xsmtpapi, r.mail?.to, r.mail?.headers['List-Unsubscribe'], r.mail?.headers['Message-ID']])).toEqual(
      [0, 1, 2].map((i) => [undefined, [`user${i}@example.org`], `<https://example.com/u/${i}>`, `<t1.r1.i${i}@mail.example.com>`]),
    );
    expect(outcomes.every((o) => o.accepted)).toBe(true);
    await t.close();
  });

  it('groups messages only with those of the same sender, Reply-To and headers, and sends the shared headers once', async () => {
    const t = transportFor();
    const other = (i: number) => {
      const r = personal(i);
      return { ...r, message: { ...r.message, from: { address: 'other@mail.example.com' } } };
    };
    const requests = [personal(0, { 'X-Campaign': 'spring' }), other(1), personal(2, { 'X-Campaign': 'spring' }), other(3)];
    const { groups } = await sendGrouped(t, requests);
    expect(groups.map((g) => g.map((r) => r.recipients[0]))).toEqual([
      ['user0@example.org', 'user2@example.org'],
      ['user1@example.org', 'user3@example.org'],
    ]);
    expect(fake.requests[0]?.mail?.headers).toEqual({ 'X-Campaign': 'spring' });
    expect(fake.delivered.map((m) => [m.recipients[0], m.from])).toEqual([
      ['user0@example.org', 'news@mail.example.com'],
      ['user2@example.org', 'news@mail.example.com'],
      ['user1@example.org', 'other@mail.example.com'],
      ['user3@example.org', 'other@mail.example.com'],
    ]);
    await t.close();
  });

  it('groups a run whose xsmtpapi would pass the 1 MB SendCloud takes in halves that fit', () => {
    // 1,000 control characters (6 bytes each as JSON) per field for every recipient but the first:
    // about 1.8 MB of sub values for 100 recipients, 0.9 MB for 50. Diffs that long take seconds
    // here, past the default time budget, so the budget is lifted to reach the size check.
    const extra = (r: number) => (r === 0 ? '' : `${'\u0001'.repeat(1000)}${r}`);
    const requests = Array.from({ length: 100 }, (_, r) => {
      const base = personal(r);
      const m = base.message;
      return { ...base, message: { ...m, subject: `${m.subject}${extra(r)}`, html: `${m.html}${extra(r)}`, text: `${m.text}${extra(r)}` } };
    });
    const groups = sendCloudPersonalGroups(requests, 100, { diffBudgetMs: Number.POSITIVE_INFINITY });
    expect(groups.map((g) => g.length)).toEqual([50, 50]);
    expect(groups.flat()).toEqual(requests);
  }, 60_000);

  it('throws one ProviderError for the whole call when SendCloud refuses it (40880 permanent, 50001 throttled), none accepted', async () => {
    const t = transportFor();
    const requests = [0, 1, 2].map((i) => personal(i));
    fake.failNext(40880);
    const permanent = await rejection(t.sendPersonalised?.(requests) ?? Promise.resolve());
    expect([permanent.code, permanent.kind]).toEqual(['SendCloud.40880', 'permanent']);
    fake.failNext(50001);
    const throttled = await rejection(t.sendPersonalised?.(requests) ?? Promise.resolve());
    expect([throttled.code, throttled.kind]).toEqual(['SendCloud.50001', 'throttled']);
    expect(fake.requests).toHaveLength(2);
    expect(fake.delivered).toHaveLength(0);
    await t.close();
  });

  it('sends messages given together that cannot share a call one call each, so each still gets only its own', async () => {
    const t = transportFor();
    const requests = [0, 1].map((i) => personal(i, { 'List-Unsubscribe': `<https://example.com/u/${i}>` }));
    const result = await t.sendPersonalised?.(requests);
    expect(result?.outcomes.map((o) => [o.recipient, o.accepted])).toEqual([
      ['user0@example.org', true],
      ['user1@example.org', true],
    ]);
    expect(fake.requests.map((r) => r.mail?.to)).toEqual([['user0@example.org'], ['user1@example.org']]);
    await t.close();
  });

  it('refuses personal sends after close() with Network.TransportClosed', async () => {
    const t = transportFor();
    await t.close();
    const err = await rejection(t.sendPersonalised?.([personal(0), personal(1)]) ?? Promise.resolve());
    expect(err.code).toBe('Network.TransportClosed');
  });
});
