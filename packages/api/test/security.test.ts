import { randomUUID } from 'node:crypto';
import type { Clock } from '@postmill/core';
import { createRedisClient, freePort, type RedisServerProcess, spawnRedisServer } from '@postmill/store';
import { tc3Authorization, tc3Signature } from '@postmill/tc3';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { buildApiServer } from '../src/server.ts';
import { type ApiHarness, type ApiHarnessOptions, startApiHarness } from './api-harness.ts';

/** A signed request as bytes on the wire, so it can be sent again exactly (a replay). */
interface WireRequest {
  readonly headers: Record<string, string>;
  readonly body: string;
}

interface SignOptions {
  readonly action?: string;
  readonly body?: string;
  /** Unix seconds; default: the harness clock. */
  readonly timestamp?: number;
  readonly secretKey?: string;
  /** Signs `x-tc-traceid` with this value too (default: only content-type and host, as the SDKs). */
  readonly traceId?: string;
}

// The host is signed without its port (the Node SDK does so; the API then accepts the request on any
// port), so one signed request is valid at both API processes of a test, as behind one load balancer.
const SIGNED_HOST = '127.0.0.1';

/** Signs a request the way the official Node/Go/Python SDKs do (content-type;host), unless told otherwise. */
function sign(api: ApiHarness, o: SignOptions = {}): WireRequest {
  const body = o.body ?? '{}';
  const { headers } = api.client.sign(o.action ?? 'ListEmailIdentities', undefined, {
    rawBody: body,
    signedHost: SIGNED_HOST,
    traceId: o.traceId ?? false,
    ...(o.timestamp === undefined ? {} : { timestamp: o.timestamp }),
    ...(o.secretKey === undefined ? {} : { secretKey: o.secretKey }),
  });
  return { headers, body };
}

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary response fields
async function send(baseUrl: string, req: WireRequest, headers: Record<string, string> = {}): Promise<any> {
  const res = await fetch(`${baseUrl}/`, { method: 'POST', headers: { ...req.headers, ...headers }, body: req.body });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/json');
  return res.json();
}

/** The Tencent error code of an answer (undefined on success), after checking the envelope. */
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary response fields
function codeOf(answer: any): string | undefined {
  expect(typeof answer.Response.RequestId).toBe('string');
  if (answer.Response.Error !== undefined) {
    expect(answer).toEqual({ Response: { Error: { Code: expect.any(String), Message: expect.any(String) }, RequestId: expect.any(String) } });
  }
  return answer.Response.Error?.Code;
}

/** True when the answer refuses the request as a replay (AuthFailure.SignatureFailure saying so). */
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary response fields
function isReplayRefusal(answer: any): boolean {
  return codeOf(answer) === 'AuthFailure.SignatureFailure' && /replayed/u.test(answer.Response.Error.Message);
}

/** A clock tests move by hand; it starts 100 ms into a rate-limit window. */
function manualClock(): Clock & { advance(ms: number): void } {
  let t = Math.floor(Date.now() / 1000) * 1000 + 100;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

/** Every key of the harness's Redis matching any of `patterns` (SCAN: the Redis may be shared). */
async function scanKeys(api: ApiHarness, ...patterns: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const pattern of patterns) {
    let cursor = '0';
    do {
      const [next, batch] = await api.deps.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      found.push(...batch);
    } while (cursor !== '0');
  }
  return found;
}

/** Every key the admission memory holds for this harness (replay memory and rate counters). */
function admissionKeys(api: ApiHarness): Promise<string[]> {
  return scanKeys(api, api.deps.keys.acceptedSignature('*'), api.deps.keys.apiRequestCount('*', '*', 0).replace(/:0$/u, ':*'));
}

/** The messages this harness has accepted (their spec keys). */
function acceptedMessages(api: ApiHarness): Promise<string[]> {
  return scanKeys(api, api.deps.keys.messageSpec('*'));
}

/** Replay refusal turned on (`API_REPLAY_PROTECTION=on`); TC3's default is off, as at Tencent. */
const REPLAYS_ON = { apiReplayProtection: 'on' } as const;

const opened: { close(): Promise<unknown> }[] = [];
async function harness(options: ApiHarnessOptions = {}): Promise<ApiHarness> {
  const api = await startApiHarness(options);
  opened.push(api);
  return api;
}

/** A second API process on the same Redis key space: its own HTTP server and its own Redis connection. */
async function secondProcess(api: ApiHarness): Promise<string> {
  const redis = createRedisClient({ url: inject('redisUrl') });
  const app: FastifyInstance = buildApiServer({ ...api.deps, redis });
  await app.listen({ host: '127.0.0.1', port: 0 });
  opened.unshift({
    close: async () => {
      await app.close();
      await redis.quit();
    },
  });
  const address = app.server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

afterEach(async () => {
  while (opened.length > 0) await opened.shift()?.close();
});

describe('request authentication', () => {
  it('answers AuthFailure.SignatureExpire beyond exactly five minutes of skew, either way, and accepts the boundary', async () => {
    const clock = manualClock();
    const api = await harness({ clock });
    const now = Math.floor(clock.now() / 1000);
    expect(codeOf(await send(api.baseUrl, sign(api, { timestamp: now - 300 })))).toBeUndefined();
    expect(codeOf(await send(api.baseUrl, sign(api, { timestamp: now + 300 })))).toBeUndefined();
    expect(codeOf(await send(api.baseUrl, sign(api, { timestamp: now - 301 })))).toBe('AuthFailure.SignatureExpire');
    expect(codeOf(await send(api.baseUrl, sign(api, { timestamp: now + 301 })))).toBe('AuthFailure.SignatureExpire');
  });

  it('answers AuthFailure.SignatureFailure when a signed header is changed or left out, but ignores unsigned ones', async () => {
    const api = await harness();
    const signed = sign(api, { traceId: 'trace-1' });
    expect(codeOf(await send(api.baseUrl, signed, { 'X-TC-TraceId': 'trace-2' }))).toBe('AuthFailure.SignatureFailure');
    const { 'X-TC-TraceId': _dropped, ...withoutTrace } = signed.headers;
    expect(codeOf(await send(api.baseUrl, { ...signed, headers: withoutTrace }))).toBe('AuthFailure.SignatureFailure');
    expect(codeOf(await send(api.baseUrl, sign(api), { 'X-TC-Region': 'ap-hongkong', 'X-TC-RequestClient': 'anything' }))).toBeUndefined();
  });

  it('answers AuthFailure.SignatureFailure when SignedHeaders leaves out host or content-type', async () => {
    const api = await harness();
    const host = SIGNED_HOST;
    const timestamp = Math.floor(Date.now() / 1000);
    for (const signedHeaders of [{ 'content-type': 'application/json' }, { host }]) {
      const authorization = tc3Authorization({ secretId: api.secretId, secretKey: api.secretKey, timestamp, service: 'ses', signedHeaders, body: '{}' });
      expect(codeOf(await send(api.baseUrl, sign(api, { timestamp }), { Authorization: authorization }))).toBe('AuthFailure.SignatureFailure');
    }
  });

  it('answers AuthFailure.SignatureFailure when the credential scope date is not the UTC date of X-TC-Timestamp', async () => {
    const api = await harness();
    const timestamp = Math.floor(Date.now() / 1000);
    const host = SIGNED_HOST;
    const { signature } = tc3Signature({
      secretId: api.secretId,
      secretKey: api.secretKey,
      timestamp,
      service: 'ses',
      signedHeaders: { 'content-type': 'application/json', host },
      body: '{}',
    });
    const authorization = `TC3-HMAC-SHA256 Credential=${api.secretId}/2001-01-01/ses/tc3_request, SignedHeaders=content-type;host, Signature=${signature}`;
    expect(codeOf(await send(api.baseUrl, sign(api, { timestamp }), { Authorization: authorization }))).toBe('AuthFailure.SignatureFailure');
  });

  it('answers AuthFailure.InvalidAuthorization for an X-TC-Timestamp that is not Unix seconds', async () => {
    const api = await harness();
    for (const ts of ['', '-5', '1e9', '17000000000000', ' 1700000000x']) {
      expect(codeOf(await send(api.baseUrl, sign(api), { 'X-TC-Timestamp': ts })), JSON.stringify(ts)).toBe('AuthFailure.InvalidAuthorization');
    }
  });

  it('answers UnsupportedOperation without a Content-Type, before looking at the signature', async () => {
    const api = await harness();
    const { 'Content-Type': _ct, ...headers } = sign(api).headers;
    const res = await fetch(`${api.baseUrl}/`, { method: 'POST', headers, body: Buffer.from('{}') });
    expect(codeOf(await res.json())).toBe('UnsupportedOperation');
  });
});

describe('identical requests, by default (TC3 signs no nonce, and Tencent serves them all)', () => {
  it('serves the same signed SendEmail sent twice in one second and queues two messages', async () => {
    const api = await harness();
    expect(codeOf((await api.call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' })).body)).toBeUndefined();
    expect(codeOf((await api.call('CreateEmailAddress', { EmailAddress: 'news@mail.example.com' })).body)).toBeUndefined();
    const mail = {
      FromEmailAddress: 'news@mail.example.com',
      Destination: ['a@example.org'],
      Subject: 'Hi',
      Simple: { Text: Buffer.from('hi').toString('base64') },
    };
    const req = sign(api, { action: 'SendEmail', body: JSON.stringify(mail) });
    const [first, second] = [await send(api.baseUrl, req), await send(api.baseUrl, req)];
    expect([codeOf(first), codeOf(second)]).toEqual([undefined, undefined]);
    expect(first.Response.MessageId).not.toBe(second.Response.MessageId);
    expect((await acceptedMessages(api)).sort()).toEqual(
      [first.Response.MessageId, second.Response.MessageId].map((id) => api.deps.keys.messageSpec(id)).sort(),
    );
  });

  it('serves the same signed list call many times at once, across two API processes, and remembers no signature', async () => {
    const api = await harness();
    const other = await secondProcess(api);
    const req = sign(api, { action: 'ListEmailTemplates', body: JSON.stringify({ Offset: 0, Limit: 10 }) });
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => send(i % 2 === 0 ? api.baseUrl : other, req)));
    expect(answers.map(codeOf)).toEqual(Array(8).fill(undefined));
    expect(await admissionKeys(api)).toEqual([]);
  });

  it('still answers RequestLimitExceeded past the per-action limit for identical requests', async () => {
    const clock = manualClock();
    const api = await harness({ clock, limits: { apiRequestsPerSecond: 2 } });
    const req = sign(api);
    expect([codeOf(await send(api.baseUrl, req)), codeOf(await send(api.baseUrl, req)), codeOf(await send(api.baseUrl, req))]).toEqual([
      undefined,
      undefined,
      'RequestLimitExceeded',
    ]);
    clock.advance(1_000);
    expect(codeOf(await send(api.baseUrl, req))).toBeUndefined();
  });

  it('serves a repeated signature with API_REPLAY_PROTECTION=off and refuses it as replayed with on', async () => {
    const off = await harness({ limits: { apiReplayProtection: 'off' } });
    const req = sign(off);
    expect([codeOf(await send(off.baseUrl, req)), codeOf(await send(off.baseUrl, req))]).toEqual([undefined, undefined]);
    const on = await harness({ limits: REPLAYS_ON });
    const again = sign(on);
    expect(codeOf(await send(on.baseUrl, again))).toBeUndefined();
    expect(isReplayRefusal(await send(on.baseUrl, again))).toBe(true);
  });
});

describe('replayed requests, with API_REPLAY_PROTECTION=on', () => {
  it('refuses a request sent again byte for byte with AuthFailure.SignatureFailure, and does not apply it twice', async () => {
    const api = await harness({ limits: REPLAYS_ON });
    const b64 = Buffer.from('<p>hi</p>').toString('base64');
    const create = sign(api, { action: 'CreateEmailTemplate', body: JSON.stringify({ TemplateName: 'once', TemplateContent: { Html: b64 } }) });
    expect(codeOf(await send(api.baseUrl, create))).toBeUndefined();
    expect(isReplayRefusal(await send(api.baseUrl, create))).toBe(true);
    const list = await api.call('ListEmailTemplates', { Offset: 0, Limit: 10 });
    expect(list.body.Response.TotalCount).toBe(1);
  });

  it('refuses a replay that swaps the unsigned X-TC-Action (the SDKs sign only content-type and host)', async () => {
    const api = await harness({ limits: REPLAYS_ON });
    expect(codeOf((await api.call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' })).body)).toBeUndefined();
    const get = sign(api, { action: 'GetEmailIdentity', body: JSON.stringify({ EmailIdentity: 'mail.example.com' }) });
    expect(codeOf(await send(api.baseUrl, get))).toBeUndefined();
    expect(isReplayRefusal(await send(api.baseUrl, get, { 'X-TC-Action': 'DeleteEmailIdentity' }))).toBe(true);
    expect(codeOf((await api.call('GetEmailIdentity', { EmailIdentity: 'mail.example.com' })).body)).toBeUndefined();
  });

  it('refuses a replay sent to another API process sharing the Redis', async () => {
    const api = await harness({ limits: REPLAYS_ON });
    const other = await secondProcess(api);
    const req = sign(api);
    expect(codeOf(await send(api.baseUrl, req))).toBeUndefined();
    expect(isReplayRefusal(await send(other, req))).toBe(true);
    const fresh = sign(api, { traceId: randomUUID() });
    expect(codeOf(await send(other, fresh))).toBeUndefined();
    expect(isReplayRefusal(await send(api.baseUrl, fresh))).toBe(true);
  });

  it('admits exactly one of the same request sent many times at once to two API processes', async () => {
    const api = await harness({ limits: REPLAYS_ON });
    const other = await secondProcess(api);
    const req = sign(api, {
      action: 'CreateEmailTemplate',
      body: JSON.stringify({ TemplateName: 'race', TemplateContent: { Text: Buffer.from('x').toString('base64') } }),
    });
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => send(i % 2 === 0 ? api.baseUrl : other, req)));
    expect(answers.filter((a) => codeOf(a) === undefined)).toHaveLength(1);
    expect(answers.filter(isReplayRefusal)).toHaveLength(11);
    expect((await api.call('ListEmailTemplates', { Offset: 0, Limit: 10 })).body.Response.TotalCount).toBe(1);
  });

  it('refuses the replay while its timestamp is fresh, then as expired', async () => {
    const clock = manualClock();
    const api = await harness({ clock, limits: REPLAYS_ON });
    const req = sign(api);
    expect(codeOf(await send(api.baseUrl, req))).toBeUndefined();
    clock.advance(299_000);
    expect(isReplayRefusal(await send(api.baseUrl, req))).toBe(true);
    clock.advance(2_000);
    expect(codeOf(await send(api.baseUrl, req))).toBe('AuthFailure.SignatureExpire');
  });

  it('remembers an accepted signature under the deployment hash tag, hashed, until just after its timestamp expires', async () => {
    const clock = manualClock();
    const api = await harness({ clock, limits: REPLAYS_ON });
    const now = Math.floor(clock.now() / 1000);
    const req = sign(api, { timestamp: now - 200 });
    expect(codeOf(await send(api.baseUrl, req))).toBeUndefined();
    const keys = await admissionKeys(api);
    expect(keys).toHaveLength(1);
    const [key = ''] = keys;
    expect(key.startsWith(`{${api.deps.keys.prefix}}:sig:`)).toBe(true);
    const signature = /Signature=([0-9a-f]{64})/u.exec(req.headers.Authorization ?? '')?.[1] ?? '';
    expect(key).not.toContain(signature);
    // 100 s of freshness left (+ a 30 s margin for clock differences between API processes).
    const ttl = await api.deps.redis.pttl(key);
    expect(ttl).toBeGreaterThan(100_000);
    expect(ttl).toBeLessThanOrEqual(130_100);
  });

  it('does not take identical-looking requests that sign a different X-TC-TraceId for replays', async () => {
    const api = await harness({ limits: REPLAYS_ON });
    for (let i = 0; i < 3; i++) expect(codeOf(await send(api.baseUrl, sign(api, { traceId: randomUUID() })))).toBeUndefined();
  });

  it('refuses a replayed SendEmail (whose reads overlap the admission check) and queues its mail once', async () => {
    const api = await harness({ limits: REPLAYS_ON });
    expect(codeOf((await api.call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' })).body)).toBeUndefined();
    expect(codeOf((await api.call('CreateEmailAddress', { EmailAddress: 'news@mail.example.com' })).body)).toBeUndefined();
    const mail = {
      FromEmailAddress: 'news@mail.example.com',
      Destination: ['a@example.org'],
      Subject: 'Hi',
      Simple: { Text: Buffer.from('hi').toString('base64') },
    };
    const req = sign(api, { action: 'SendEmail', body: JSON.stringify(mail) });
    const first = await send(api.baseUrl, req);
    expect(codeOf(first)).toBeUndefined();
    expect(typeof first.Response.MessageId).toBe('string');
    const answers = await Promise.all(Array.from({ length: 5 }, () => send(api.baseUrl, req)));
    expect(answers.every(isReplayRefusal)).toBe(true);
    expect(await acceptedMessages(api)).toEqual([api.deps.keys.messageSpec(first.Response.MessageId)]);
  });

  it('answers the refusal, not what is wrong with the body, for a replayed SendEmail with a bad sender or body', async () => {
    const api = await harness({ limits: REPLAYS_ON });
    for (const body of [
      JSON.stringify({ FromEmailAddress: 'nobody@nowhere.example', Destination: ['a@example.org'], Subject: 'Hi' }),
      '{"FromEmailAddress":',
    ]) {
      const req = sign(api, { action: 'SendEmail', body });
      const firstCode = codeOf(await send(api.baseUrl, req));
      expect(firstCode).toBeDefined();
      expect(firstCode).not.toBe('AuthFailure.SignatureFailure');
      expect(isReplayRefusal(await send(api.baseUrl, req))).toBe(true);
    }
  });

  it('remembers nothing for requests refused before their signature verified', async () => {
    const api = await harness({ limits: { ...REPLAYS_ON, apiRequestsPerSecond: 5 } });
    for (let i = 0; i < 10; i++) expect(codeOf(await send(api.baseUrl, sign(api, { secretKey: 'wrong' })))).toBe('AuthFailure.SignatureFailure');
    expect(codeOf(await send(api.baseUrl, sign(api, { body: '{}' }), { Authorization: 'TC3-HMAC-SHA256 nonsense' }))).toBe('AuthFailure.InvalidAuthorization');
    expect(await admissionKeys(api)).toEqual([]);
  });
});

describe('the per-credential request rate limit', () => {
  it('answers RequestLimitExceeded past the limit within one second, per action, and admits again the next second', async () => {
    const clock = manualClock();
    const api = await harness({ clock, limits: { apiRequestsPerSecond: 3 } });
    for (let i = 0; i < 3; i++) expect(codeOf((await api.call('ListEmailIdentities', {})).body)).toBeUndefined();
    const refused = (await api.call('ListEmailIdentities', {})).body;
    expect(codeOf(refused)).toBe('RequestLimitExceeded');
    expect(refused.Response.Error.Message).toMatch(/^Request rate limit exceeded/u);
    expect(codeOf((await api.call('ListEmailAddress', {})).body)).toBeUndefined();
    clock.advance(1_000);
    expect(codeOf((await api.call('ListEmailIdentities', {})).body)).toBeUndefined();
  });

  it('counts across API processes sharing the Redis', async () => {
    const clock = manualClock();
    const api = await harness({ clock, limits: { apiRequestsPerSecond: 3 } });
    const other = await secondProcess(api);
    expect(codeOf(await send(api.baseUrl, sign(api, { traceId: 'a' })))).toBeUndefined();
    expect(codeOf(await send(other, sign(api, { traceId: 'b' })))).toBeUndefined();
    expect(codeOf(await send(api.baseUrl, sign(api, { traceId: 'c' })))).toBeUndefined();
    expect(codeOf(await send(other, sign(api, { traceId: 'd' })))).toBe('RequestLimitExceeded');
  });

  it('spends no budget on unsigned, wrongly signed or (with replay protection on) replayed requests', async () => {
    const clock = manualClock();
    const api = await harness({ clock, limits: { ...REPLAYS_ON, apiRequestsPerSecond: 3 } });
    for (let i = 0; i < 20; i++) {
      expect(codeOf(await send(api.baseUrl, sign(api, { secretKey: 'guess' })))).toBe('AuthFailure.SignatureFailure');
      expect(codeOf(await send(api.baseUrl, { ...sign(api), headers: { ...sign(api).headers, Authorization: '' } }))).toBe('AuthFailure.InvalidAuthorization');
    }
    const first = sign(api, { traceId: 'first' });
    expect(codeOf(await send(api.baseUrl, first))).toBeUndefined();
    for (let i = 0; i < 5; i++) expect(isReplayRefusal(await send(api.baseUrl, first))).toBe(true);
    expect(codeOf(await send(api.baseUrl, sign(api, { traceId: 'second' })))).toBeUndefined();
    expect(codeOf(await send(api.baseUrl, sign(api, { traceId: 'third' })))).toBeUndefined();
    expect(codeOf(await send(api.baseUrl, sign(api, { traceId: 'fourth' })))).toBe('RequestLimitExceeded');
  });

  it('lets the very same signed request through once the second has passed (an SDK retry is not a replay, even with replay protection on)', async () => {
    const clock = manualClock();
    const api = await harness({ clock, limits: { ...REPLAYS_ON, apiRequestsPerSecond: 1 } });
    expect(codeOf(await send(api.baseUrl, sign(api, { traceId: 'spend' })))).toBeUndefined();
    const throttled = sign(api, { traceId: 'retried' });
    expect(codeOf(await send(api.baseUrl, throttled))).toBe('RequestLimitExceeded');
    clock.advance(1_000);
    expect(codeOf(await send(api.baseUrl, throttled))).toBeUndefined();
    expect(isReplayRefusal(await send(api.baseUrl, throttled))).toBe(true);
  });

  it('answers RequestLimitExceeded to a throttled SendEmail whatever is wrong with it, and queues nothing', async () => {
    const clock = manualClock();
    const api = await harness({ clock, limits: { apiRequestsPerSecond: 1 } });
    const body = JSON.stringify({ FromEmailAddress: 'news@mail.example.com', Destination: ['a@example.org'], Subject: 'Hi', Simple: { Text: 'aGk=' } });
    // The first spends the second's budget (and fails: no sender exists); the rest are throttled.
    expect(codeOf(await send(api.baseUrl, sign(api, { action: 'SendEmail', body, traceId: 'spend' })))).toBe('InvalidParameterValue.NoSuchSender');
    expect(codeOf(await send(api.baseUrl, sign(api, { action: 'SendEmail', body, traceId: 'valid-looking' })))).toBe('RequestLimitExceeded');
    expect(codeOf(await send(api.baseUrl, sign(api, { action: 'SendEmail', body: '{"Destination":1}', traceId: 'wrong-type' })))).toBe('RequestLimitExceeded');
    expect(await acceptedMessages(api)).toEqual([]);
  });

  it('is off at 0', async () => {
    const clock = manualClock();
    const api = await harness({ clock, limits: { apiRequestsPerSecond: 0 } });
    for (let i = 0; i < 40; i++) expect(codeOf((await api.call('ListEmailIdentities', {})).body)).toBeUndefined();
    expect((await admissionKeys(api)).filter((k) => k.includes(':rate:'))).toEqual([]);
  });
});

// This test owns its Redis (it stops and restarts it), never the shared one.
describe('the admission check while Redis is unreachable', () => {
  let redis: RedisServerProcess | undefined;
  afterEach(async () => {
    await redis?.stop();
    redis = undefined;
  });

  it('fails closed with FailedOperation.ServiceNotAvailable, even for a request that needs no storage, and recovers', async () => {
    const port = await freePort();
    redis = await spawnRedisServer({ port });
    // The production default: a request rate limit, so every request has an admission check.
    const api = await startApiHarness({ redisUrl: redis.url, failFast: true, limits: { apiRequestsPerSecond: 20 } });
    try {
      // Malformed JSON is answered without storage, so only the admission check can refuse it.
      expect(codeOf((await api.call('ListEmailIdentities', undefined, { rawBody: '{"Offset":' })).body)).toBe('InvalidParameter');
      await redis.kill();
      const down = await api.call('ListEmailIdentities', undefined, { rawBody: '{"Offset":' });
      expect(codeOf(down.body)).toBe('FailedOperation.ServiceNotAvailable');
      redis = await spawnRedisServer({ port });
      await expect
        .poll(async () => codeOf((await api.call('ListEmailIdentities', undefined, { rawBody: '{"Offset":' })).body), { timeout: 10_000, interval: 200 })
        .toBe('InvalidParameter');
    } finally {
      await api.close();
    }
  });
});
