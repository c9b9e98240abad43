import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTencentClient, type FakeTencentSes, startFakeTencentSes } from '../src/index.ts';

const sendEmailBody = {
  FromEmailAddress: 'Postmill <noreply@mail.example.com>',
  Destination: ['alice@example.com'],
  Subject: 'Hello',
  Simple: { Text: Buffer.from('Hello Alice').toString('base64') },
};

interface Envelope {
  Response: { MessageId?: string; RequestId: string; Error?: { Code: string; Message: string } };
}

let fake: FakeTencentSes;

beforeAll(async () => {
  fake = await startFakeTencentSes();
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

/** A client with the fake's credentials (signing only content-type;host, as the SDKs do: traceId false). */
const client = () => createTencentClient({ baseUrl: fake.endpoint, secretId: fake.secretId, secretKey: fake.secretKey });

async function call(
  body: string,
  opts: { action?: string; secretKey?: string; timestamp?: number } = {},
): Promise<{ status: number; contentType: string | null; json: Envelope }> {
  const { action = 'SendEmail', ...signing } = opts;
  const { status, contentType, body: json } = await client().call(action, undefined, { rawBody: body, traceId: false, ...signing });
  return { status, contentType, json: json as Envelope };
}

describe('fake Tencent SES', () => {
  it('accepts a correctly signed SendEmail and answers a MessageId and a RequestId', async () => {
    const { status, contentType, json } = await call(JSON.stringify(sendEmailBody));
    expect(status).toBe(200);
    expect(contentType).toBe('application/json');
    expect(json.Response.Error).toBeUndefined();
    expect(json.Response.MessageId).toMatch(/^qcloudses-/u);
    expect(json.Response.RequestId).toMatch(/^[0-9a-f-]{36}$/u);
    expect(fake.requests).toHaveLength(1);
    const recorded = fake.requests[0];
    expect(recorded?.body).toEqual(sendEmailBody);
    expect(recorded?.action).toBe('SendEmail');
    expect(recorded?.outcome).toMatchObject({ kind: 'accepted', messageId: json.Response.MessageId });
    expect(recorded?.arrivedAtEpochMs).toBeGreaterThan(0);
  });

  it('refuses a request signed with the wrong secret key with AuthFailure.SignatureFailure in an HTTP 200 envelope', async () => {
    const { status, json } = await call(JSON.stringify(sendEmailBody), { secretKey: 'not-the-secret' });
    expect(status).toBe(200);
    expect(json.Response.Error?.Code).toBe('AuthFailure.SignatureFailure');
    expect(json.Response.MessageId).toBeUndefined();
    expect(json.Response.RequestId).toMatch(/^[0-9a-f-]{36}$/u);
  });

  it('refuses a request whose timestamp is more than five minutes old with AuthFailure.SignatureExpire', async () => {
    const { json } = await call(JSON.stringify(sendEmailBody), { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(json.Response.Error?.Code).toBe('AuthFailure.SignatureExpire');
  });

  it('answers the code given to failNext, then accepts again', async () => {
    fake.failNext('FailedOperation.TemporaryBlocked', { message: 'blocked for 10 minutes' });
    const first = await call(JSON.stringify(sendEmailBody));
    expect(first.json.Response.Error).toEqual({ Code: 'FailedOperation.TemporaryBlocked', Message: 'blocked for 10 minutes' });
    const second = await call(JSON.stringify(sendEmailBody));
    expect(second.json.Response.MessageId).toBeDefined();
  });

  it('answers failNext codes for as many requests as times says', async () => {
    fake.failNext('RequestLimitExceeded', { times: 2 });
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 3; i++) codes.push((await call(JSON.stringify(sendEmailBody))).json.Response.Error?.Code);
    expect(codes).toEqual(['RequestLimitExceeded', 'RequestLimitExceeded', undefined]);
  });

  it('answers the code failWhen returns for the bodies it picks', async () => {
    fake.failWhen((b) => (b.Destination?.includes('blocked@example.com') ? 'FailedOperation.EmailAddrInBlacklist' : undefined));
    const bad = await call(JSON.stringify({ ...sendEmailBody, Destination: ['blocked@example.com'] }));
    const good = await call(JSON.stringify(sendEmailBody));
    expect(bad.json.Response.Error?.Code).toBe('FailedOperation.EmailAddrInBlacklist');
    expect(good.json.Response.MessageId).toBeDefined();
  });

  it('answers InvalidAction for an action other than SendEmail', async () => {
    const { json } = await call(JSON.stringify(sendEmailBody), { action: 'DescribeInstances' });
    expect(json.Response.Error?.Code).toBe('InvalidAction');
  });

  it('answers InvalidParameter for a body that is not JSON', async () => {
    const { json } = await call('{not json');
    expect(json.Response.Error?.Code).toBe('InvalidParameter');
    expect(fake.requests[0]?.body).toBeUndefined();
  });

  it('answers UnknownParameter for a top-level key SendEmail does not define', async () => {
    const { json } = await call(JSON.stringify({ ...sendEmailBody, Recipients: ['x@example.com'] }));
    expect(json.Response.Error?.Code).toBe('UnknownParameter');
  });

  it('answers a scripted HTTP status with Retry-After before checking anything', async () => {
    fake.respondHttp(429, { retryAfterSeconds: 3 });
    const res = await fetch(`${fake.endpoint}/`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    await res.text();
    expect(fake.requests[0]?.outcome).toEqual({ kind: 'http', status: 429 });
  });

  it('destroys the connection without an answer when told to reset it', async () => {
    fake.resetConnectionNext();
    await expect(call(JSON.stringify(sendEmailBody))).rejects.toThrow();
    expect(fake.requests[0]?.outcome).toEqual({ kind: 'reset' });
  });

  it('holds the answer of a delayed request: recorded on arrival, answered later', async () => {
    fake.delayNext(200);
    const pending = call(JSON.stringify(sendEmailBody));
    await vi.waitFor(() => expect(fake.requests).toHaveLength(1));
    expect(fake.requests[0]?.outcome).toBeUndefined();
    const { json } = await pending;
    expect(json.Response.MessageId).toBeDefined();
    expect(fake.requests[0]?.outcome).toMatchObject({ kind: 'accepted' });
  });

  /** A signed SendEmail POST, answered or not; `timeoutMs` gives up like a transport would. */
  function post(body: unknown, timeoutMs?: number): Promise<Response> {
    return client().post('SendEmail', body, { traceId: false, region: false, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
  }
  const codeOf = async (res: Response) => ((await res.json()) as Envelope).Response.Error?.Code;

  it('answers what respondWith decides per request, after failNext and failWhen, and accepts when it passes', async () => {
    const seen: string[][] = [];
    fake.respondWith((r) => {
      seen.push([...r.recipients]);
      if (r.recipients.includes('bad@example.com')) return { kind: 'error', code: 'FailedOperation.IncorrectEmail' };
      if (r.recipients.includes('busy@example.com')) return { kind: 'http', status: 503 };
      return undefined;
    });
    fake.failNext('InternalError');
    expect(await codeOf(await post({ ...sendEmailBody, Destination: ['bad@example.com'] }))).toBe('InternalError');
    expect(await codeOf(await post({ ...sendEmailBody, Destination: ['bad@example.com'], Bcc: ['hidden@example.com'] }))).toBe(
      'FailedOperation.IncorrectEmail',
    );
    const busy = await post({ ...sendEmailBody, Destination: ['busy@example.com'] });
    expect(busy.status).toBe(503);
    await busy.text();
    expect(await codeOf(await post(sendEmailBody))).toBeUndefined();
    // failNext answered the first request, so the callback never saw it.
    expect(seen).toEqual([['bad@example.com', 'hidden@example.com'], ['busy@example.com'], ['alice@example.com']]);
    expect(fake.requests.map((r) => r.outcome?.kind)).toEqual(['error', 'error', 'http', 'accepted']);
    expect(fake.requests.every((r) => r.answeredAtMs !== undefined && r.answeredAtMs >= r.arrivedAtMs && !r.clientGone)).toBe(true);
  });

  it('records a mail accepted after the client timed out as accepted, with clientGone', async () => {
    fake.respondWith(() => ({ kind: 'accept', delayMs: 300 }));
    await expect(post(sendEmailBody, 100)).rejects.toThrow();
    await vi.waitFor(() => expect(fake.requests[0]?.outcome).toMatchObject({ kind: 'accepted' }), { timeout: 2000 });
    const r = fake.requests[0];
    expect(r?.clientGone).toBe(true);
    expect((r?.answeredAtMs ?? 0) - (r?.arrivedAtMs ?? 0)).toBeGreaterThanOrEqual(290);
  });

  it('resets the connection when respondWith says so, and forgets its callbacks on reset', async () => {
    fake.respondWith(() => ({ kind: 'reset' }));
    await expect(call(JSON.stringify(sendEmailBody))).rejects.toThrow();
    expect(fake.requests[0]?.outcome).toEqual({ kind: 'reset' });
    fake.reset();
    const { json } = await call(JSON.stringify(sendEmailBody));
    expect(json.Response.MessageId).toBeDefined();
  });
});
