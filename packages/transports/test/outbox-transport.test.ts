import { type MailMessage, ManualClock, ProviderError } from '@postmill/core';
import { createKeys, createRedisClient, type RedisClient } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { OutboxStore } from '../src/outbox-store.ts';
import { createOutboxTransport } from '../src/outbox-transport.ts';
import { type ContractHarness, type DeliveredMail, deliveredFromParsed, describeTransportContract } from './transport-contract.ts';

// The root globalSetup (testkit/src/redis-global-setup.ts) provides this; that file is not part of
// this package's type program, so the typing of `inject('redisUrl')` is repeated here.
declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

let redis: RedisClient;
beforeAll(() => {
  redis = createRedisClient({ url: inject('redisUrl') });
});
afterAll(async () => {
  await redis.quit();
});

async function outboxHarness(): Promise<ContractHarness> {
  const prefix = uniquePrefix('outbox');
  const store = new OutboxStore({ redis, keys: createKeys(prefix), clock: new ManualClock(1_700_000_000_000) });
  const transport = createOutboxTransport({ store });
  return {
    transport,
    async delivered() {
      const { items } = await store.list(0, 1_000);
      const mails: DeliveredMail[] = [];
      for (const item of items.reverse()) {
        const stored = await store.get(item.id);
        if (stored) mails.push(deliveredFromParsed(await simpleParser(stored.mime), { from: item.from, recipients: item.recipients }));
      }
      return mails;
    },
    async cleanup() {
      await transport.close();
      await deleteKeysWithPrefix(redis, prefix);
    },
  };
}

describeTransportContract('outbox', outboxHarness);

function message(subject: string): MailMessage {
  return {
    from: { address: 'news@mail.example.com' },
    to: ['alice@example.org'],
    cc: [],
    bcc: ['hidden@example.org'],
    subject,
    text: 'hello',
    attachments: [],
    messageId: `<${subject}@mail.example.com>`,
    headers: {},
    dateMs: 1_700_000_000_000,
  };
}

describe('OutboxStore', () => {
  let prefix: string;
  let clock: ManualClock;
  beforeEach(() => {
    prefix = uniquePrefix('outboxstore');
    clock = new ManualClock(1_700_000_000_000);
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  it('keeps only the newest maxMessages messages and deletes the bodies it evicts', async () => {
    const keys = createKeys(prefix);
    const store = new OutboxStore({ redis, keys, clock, maxMessages: 3 });
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) {
      clock.advance(1_000);
      ids.push(
        await store.add({ postmillMessageId: `pm-${i}`, from: 'a@example.org', recipients: ['b@example.org'], subject: `s${i}` }, Buffer.from(`mime ${i}`)),
      );
    }
    const page = await store.list(0, 10);
    expect(page.total).toBe(3);
    expect(page.items.map((e) => e.postmillMessageId)).toEqual(['pm-5', 'pm-4', 'pm-3']);
    expect(await store.get(ids[0] ?? '')).toBeUndefined();
    expect(await redis.exists(keys.outboxMessage(ids[0] ?? ''), keys.outboxMessage(ids[1] ?? ''))).toBe(0);
    expect((await store.get(ids[4] ?? ''))?.mime.toString()).toBe('mime 5');
  });

  it('lists newest first by insertion even when the clock does not move', async () => {
    const store = new OutboxStore({ redis, keys: createKeys(prefix), clock });
    for (const n of ['first', 'second', 'third']) {
      await store.add({ postmillMessageId: n, from: 'a@example.org', recipients: [], subject: n }, Buffer.from(n));
    }
    expect((await store.list(0, 10)).items.map((e) => e.postmillMessageId)).toEqual(['third', 'second', 'first']);
    expect(await store.list(1, 1)).toMatchObject({ total: 3, items: [{ postmillMessageId: 'second' }] });
    expect(await store.list(5, 10)).toEqual({ total: 3, items: [] });
    expect(await store.list(0, 0)).toEqual({ total: 3, items: [] });
  });

  it('returns the exact bytes and the metadata of a stored message', async () => {
    const store = new OutboxStore({ redis, keys: createKeys(prefix), clock });
    const mime = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x80, 0x7f, 0xc3, 0x28]);
    const id = await store.add({ postmillMessageId: 'pm-1', from: 'a@example.org', recipients: ['b@example.org', 'c@example.org'], subject: '主题' }, mime);
    const stored = await store.get(id);
    expect(stored?.mime.equals(mime)).toBe(true);
    expect(stored?.entry).toEqual({
      id,
      postmillMessageId: 'pm-1',
      from: 'a@example.org',
      recipients: ['b@example.org', 'c@example.org'],
      subject: '主题',
      storedAt: 1_700_000_000_000,
      sizeBytes: mime.length,
    });
  });

  it('answers undefined for an unknown or malformed id', async () => {
    const store = new OutboxStore({ redis, keys: createKeys(prefix), clock });
    expect(await store.get('doesNotExist')).toBeUndefined();
    expect(await store.get('../*')).toBeUndefined();
  });

  it('refuses a maxMessages that is not a positive integer', () => {
    expect(() => new OutboxStore({ redis, keys: createKeys(prefix), clock, maxMessages: 0 })).toThrow(RangeError);
  });
});

describe('outbox transport', () => {
  let prefix: string;
  beforeEach(() => {
    prefix = uniquePrefix('outboxtx');
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  it('stores one copy per request for the request recipients and names it in the response', async () => {
    const store = new OutboxStore({ redis, keys: createKeys(prefix), clock: new ManualClock(5) });
    const transport = createOutboxTransport({ store });
    const result = await transport.send({ message: message('one'), recipients: ['alice@example.org', 'hidden@example.org'], postmillMessageId: 'pm-one' });
    const { total, items } = await store.list(0, 10);
    expect(total).toBe(1);
    expect(items[0]).toMatchObject({
      postmillMessageId: 'pm-one',
      from: 'news@mail.example.com',
      recipients: ['alice@example.org', 'hidden@example.org'],
      subject: 'one',
      storedAt: 5,
    });
    expect(result.outcomes).toEqual([
      { recipient: 'alice@example.org', accepted: true, response: `250 stored in outbox as ${items[0]?.id}` },
      { recipient: 'hidden@example.org', accepted: true, response: `250 stored in outbox as ${items[0]?.id}` },
    ]);
  });

  it('stores nothing and throws a permanent ProviderError for a header with a line break', async () => {
    const store = new OutboxStore({ redis, keys: createKeys(prefix), clock: new ManualClock(5) });
    const transport = createOutboxTransport({ store });
    const sending = transport.send({ message: message('bad\r\nBcc: x@example.org'), recipients: ['alice@example.org'], postmillMessageId: 'pm-bad' });
    await expect(sending).rejects.toMatchObject({ name: 'ProviderError', code: 'MIME.HeaderInjection', kind: 'permanent' });
    expect((await store.list(0, 10)).total).toBe(0);
  });

  it('refuses sends after close() with a transient Network error', async () => {
    const store = new OutboxStore({ redis, keys: createKeys(prefix), clock: new ManualClock(5) });
    const transport = createOutboxTransport({ store });
    await transport.close();
    const err = await transport.send({ message: message('late'), recipients: ['alice@example.org'], postmillMessageId: 'pm-late' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).code).toBe('Network.TransportClosed');
  });
});
