import type { LookupAddress, lookup } from 'node:dns';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TargetPolicy, type TargetPolicyOptions, WebhookPoster } from '../src/index.ts';
import { startHarness, testEvent } from './harness.ts';
import { type Receiver, startReceiver, until } from './receiver.ts';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

const REQUEST = { contentType: 'application/json', body: '{}' };
const HEADERS = { eventId: 'ev-ssrf', attempt: 1 };

/** A resolver that answers `addresses` for every name and counts its calls. */
function fakeResolver(addresses: LookupAddress[]): { resolve: typeof lookup; calls: () => number } {
  let calls = 0;
  const resolve = ((_host: string, _options: unknown, callback: (err: null, a: LookupAddress[]) => void) => {
    calls++;
    callback(null, addresses);
  }) as unknown as typeof lookup;
  return { resolve, calls: () => calls };
}

describe('webhook target safety', () => {
  let receiver: Receiver;
  const posters: WebhookPoster[] = [];
  const poster = (policy: TargetPolicyOptions, resolve?: typeof lookup) => {
    const p = new WebhookPoster({ policy: new TargetPolicy(policy), timeoutMs: 1000, ...(resolve ? { resolve } : {}) });
    posters.push(p);
    return p;
  };

  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await Promise.all(posters.map((p) => p.close()));
    await receiver.close();
  });

  it('refuses 169.254.169.254 (in any spelling), fd00:ec2::254 and metadata.google.internal by default without trying to connect', async () => {
    const p = poster({});
    for (const url of [
      'http://2852039166/',
      'http://0xa9.0xfe.0xa9.0xfe/',
      'http://169.254.169.254./',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/',
      'http://metadata.google.internal/computeMetadata/v1/',
      'http://[::ffff:169.254.169.254]/',
    ]) {
      const started = performance.now();
      const outcome = await p.post(url, REQUEST, HEADERS);
      expect(outcome, url).toMatchObject({ kind: 'refused' });
      // Answered at once: no connection attempt to wait for (the connect timeout is 1 s here).
      expect(performance.now() - started).toBeLessThan(200);
    }
  });

  it('refuses loopback by default, named or literal, and the listening receiver sees no connection at all', async () => {
    const before = receiver.connections();
    const p = poster({});
    const port = new URL(receiver.url).port;
    expect(await p.post(receiver.url, REQUEST, HEADERS)).toMatchObject({ kind: 'refused' });
    expect(await p.post(`http://localhost:${port}/hook`, REQUEST, HEADERS)).toMatchObject({ kind: 'refused' });
    expect(receiver.connections()).toBe(before);
  });

  it('judges the address a name resolves to, at connect time: a name resolving to a refused address is refused with no connection', async () => {
    const before = receiver.connections();
    const { resolve, calls } = fakeResolver([{ address: '127.0.0.1', family: 4 }]);
    const p = poster({ denyCidrs: ['127.0.0.0/8'] }, resolve);
    const outcome = await p.post(`http://hooks.customer.example:${new URL(receiver.url).port}/hook`, REQUEST, HEADERS);
    expect(outcome).toMatchObject({ kind: 'refused' });
    expect(calls()).toBe(1);
    expect(receiver.connections()).toBe(before);
  });

  it('connects only to the allowed one of the addresses a name resolves to, resolving once', async () => {
    const { resolve, calls } = fakeResolver([
      { address: '169.254.169.254', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ]);
    const p = poster({ allowCidrs: ['127.0.0.1/32'] }, resolve);
    const outcome = await p.post(`http://rebind.customer.example:${new URL(receiver.url).port}/hook`, REQUEST, { eventId: 'ev-rebind', attempt: 1 });
    expect(outcome).toEqual({ kind: 'delivered', status: 200 });
    expect(calls()).toBe(1);
    expect(receiver.received.some((r) => r.eventId === 'ev-rebind')).toBe(true);
  });

  it('does not follow a redirect, refuses non-http schemes and URLs with credentials', async () => {
    const p = poster({ allowCidrs: ['127.0.0.0/8'] });
    receiver.setAnswer(() => ({ status: 302 }));
    expect(await p.post(receiver.url, REQUEST, HEADERS)).toMatchObject({ kind: 'failed', status: 302 });
    receiver.setAnswer(() => ({ status: 200 }));
    expect(await p.post('ftp://127.0.0.1/x', REQUEST, HEADERS)).toMatchObject({ kind: 'refused' });
    expect(await p.post('http://u:p@127.0.0.1/x', REQUEST, HEADERS)).toMatchObject({ kind: 'refused' });
  });

  it('dead-letters an event for a refused target at the first try, naming the refusal', async () => {
    const h = await startHarness({ redisUrl: inject('redisUrl'), policy: {} });
    try {
      await h.tencent.setAccountUrl('http://169.254.169.254:8080/cb');
      const event = testEvent();
      await h.publisher.publish(event);
      await until(async () => (await h.deadLetters.list()).total === 1);
      const letter = (await h.deadLetters.list()).letters[0];
      expect(letter).toMatchObject({ attempts: 1, event: { id: event.id } });
      expect(letter?.lastError).toMatch(/refused: metadata/u);
    } finally {
      await h.close();
    }
  });
});
