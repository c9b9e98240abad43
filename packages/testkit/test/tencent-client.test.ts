import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTencentClient, type FakeTencentSes, startFakeTencentSes, TencentCallError } from '../src/index.ts';

const mail = { FromEmailAddress: 'noreply@mail.example.com', Destination: ['alice@example.com'], Subject: 'Hi', Simple: { Text: 'SGk=' } };

let fake: FakeTencentSes;
beforeAll(async () => {
  fake = await startFakeTencentSes();
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

const client = () => createTencentClient({ baseUrl: fake.endpoint, secretId: fake.secretId, secretKey: fake.secretKey });

describe('the testkit Tencent client', () => {
  it('signs requests a TC3 verifier accepts, with a fresh signed trace id per request by default', async () => {
    const c = client();
    const first = await c.call('SendEmail', mail);
    const second = await c.call('SendEmail', mail);
    expect(first.status).toBe(200);
    expect(first.contentType).toBe('application/json');
    expect(first.body.Response.Error).toBeUndefined();
    expect(second.body.Response.Error).toBeUndefined();
    const [a, b] = fake.requests;
    expect(a?.headers.authorization).toMatch(/SignedHeaders=content-type;host;x-tc-traceid, /u);
    expect(a?.headers['x-tc-traceid']).not.toBe(b?.headers['x-tc-traceid']);
    expect(a?.headers.authorization).not.toBe(b?.headers.authorization);
  });

  it('signs only content-type;host and sends neither trace id nor region when told, as the SDKs do', async () => {
    await client().call('SendEmail', mail, { traceId: false, region: false });
    const headers = fake.requests[0]?.headers ?? {};
    expect(headers.authorization).toMatch(/SignedHeaders=content-type;host, /u);
    expect(headers['x-tc-traceid']).toBeUndefined();
    expect(headers['x-tc-region']).toBeUndefined();
  });

  it('signs extra headers it is given and sends unsigned ones unsigned', async () => {
    const answer = await client().call('SendEmail', mail, { signedHeaders: { 'X-Extra': 'one' }, unsignedHeaders: { 'X-Loose': 'two' } });
    expect(answer.body.Response.Error).toBeUndefined();
    const headers = fake.requests[0]?.headers ?? {};
    expect(headers.authorization).toMatch(/SignedHeaders=content-type;host;x-extra;x-tc-traceid, /u);
    expect(headers['x-loose']).toBe('two');
  });

  it('answers the wrong key with the verifier refusing it, and request() throws TencentCallError with the code', async () => {
    const wrong = await client().call('SendEmail', mail, { secretKey: 'not-the-key' });
    expect(wrong.body.Response.Error?.Code).toBe('AuthFailure.SignatureFailure');
    fake.failNext('FailedOperation.IncorrectEmail');
    const thrown = await client()
      .request('SendEmail', mail)
      .catch((err: unknown) => err);
    expect(thrown).toBeInstanceOf(TencentCallError);
    expect(thrown).toMatchObject({ code: 'FailedOperation.IncorrectEmail', action: 'SendEmail' });
  });

  it('returns the signed request unsent, so a test can send the same bytes twice', async () => {
    const req = client().sign('SendEmail', mail, { timestamp: 1_700_000_000, traceId: 'fixed' });
    expect(req.url).toBe(`${fake.endpoint}/`);
    expect(req.body).toBe(JSON.stringify(mail));
    expect(req.headers).toMatchObject({ 'X-TC-Action': 'SendEmail', 'X-TC-Timestamp': '1700000000', 'X-TC-TraceId': 'fixed', 'X-TC-Version': '2020-10-02' });
    expect(fake.requests).toHaveLength(0);
    expect(client().sign('SendEmail', mail, { timestamp: 1_700_000_000, traceId: 'fixed' }).headers.Authorization).toBe(req.headers.Authorization);
  });
});
