import { type FakeTencentSes, startFakeTencentSes } from '@postmill/testkit';
import { ses } from 'tencentcloud-sdk-nodejs-ses';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

// Lives here rather than in packages/testkit because only the `test` package depends on the SDK.
// It proves the fake speaks the wire protocol the official client speaks: TC3 as the Node SDK
// signs it (service `127`, host without port) and the envelope the SDK parses.

let fake: FakeTencentSes;

beforeAll(async () => {
  fake = await startFakeTencentSes();
});
beforeEach(() => {
  // The SDK sends through process.env.http_proxy when set; loopback must not go through a proxy.
  vi.stubEnv('http_proxy', '');
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

function client(secretKey = fake.secretKey): InstanceType<typeof ses.v20201002.Client> {
  return new ses.v20201002.Client({
    credential: { secretId: fake.secretId, secretKey },
    region: 'ap-guangzhou',
    profile: { httpProfile: { protocol: 'http://', endpoint: `127.0.0.1:${fake.port}`, reqTimeout: 10 } },
  });
}

const request = {
  FromEmailAddress: 'Postmill <noreply@mail.example.com>',
  Destination: ['alice@example.com'],
  Subject: 'Hello',
  Simple: { Html: Buffer.from('<p>Hello</p>').toString('base64'), Text: Buffer.from('Hello').toString('base64') },
};

describe('fake Tencent SES driven by the official Node SDK', () => {
  it('accepts SendEmail as the SDK signs it and the SDK reads the MessageId', async () => {
    const res = await client().SendEmail(request);
    expect(res.MessageId).toMatch(/^qcloudses-/u);
    expect(res.RequestId).toMatch(/^[0-9a-f-]{36}$/u);
    expect(fake.requests[0]?.body).toEqual(request);
    expect(fake.requests[0]?.headers['x-tc-region']).toBe('ap-guangzhou');
  });

  it('refuses the SDK with AuthFailure.SignatureFailure when the secret key is wrong, and the SDK surfaces the code', async () => {
    await expect(client('wrong-secret').SendEmail(request)).rejects.toMatchObject({ code: 'AuthFailure.SignatureFailure' });
  });

  it('hands a failNext code to the SDK as a TencentCloudSDKHttpException code with the RequestId', async () => {
    fake.failNext('FailedOperation.FrequencyLimit');
    const err: unknown = await client()
      .SendEmail(request)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'FailedOperation.FrequencyLimit' });
    expect((err as { requestId?: unknown }).requestId).toMatch(/^[0-9a-f-]{36}$/u);
  });
});
