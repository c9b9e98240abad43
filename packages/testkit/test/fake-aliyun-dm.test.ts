import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type DmModule from '@alicloud/dm20151123';
import * as $Dm from '@alicloud/dm20151123';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAliyunClient, DOCUMENTED_DM_ERRORS, type FakeAliyunDm, startFakeAliyunDm } from '../src/index.ts';

// The official SDK is the judge of the wire protocol: what it sends, the fake must accept, and what
// the fake answers, it must read as DirectMail's answers (EnvId on success, its error classes and
// codes on failure). CommonJS with `exports.default = Client`: take the class the CommonJS way.
const DmClient = (createRequire(import.meta.url)('@alicloud/dm20151123') as typeof DmModule).default;

let fake: FakeAliyunDm;
beforeAll(async () => {
  fake = await startFakeAliyunDm();
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

function sdk(o: { secret?: string; signatureAlgorithm?: 'v2'; readTimeout?: number } = {}): InstanceType<typeof DmClient> {
  return new DmClient(
    new $OpenApiUtil.Config({
      accessKeyId: fake.accessKeyId,
      accessKeySecret: o.secret ?? fake.accessKeySecret,
      endpoint: new URL(fake.endpoint).host,
      protocol: 'http',
      ...(o.signatureAlgorithm ? { signatureAlgorithm: o.signatureAlgorithm } : {}),
      ...(o.readTimeout ? { readTimeout: o.readTimeout } : {}),
    }),
  );
}

const mail = (overrides: Partial<$Dm.SingleSendMailRequest> = {}) =>
  new $Dm.SingleSendMailRequest({
    accountName: 'news@mail.example.com',
    addressType: 1,
    replyToAddress: false,
    toAddress: 'alice@example.org, bob@example.org',
    subject: '你好 (Hello) 50% off!',
    htmlBody: '<p>Hi {NickName}</p>',
    textBody: 'Hi',
    fromAlias: 'News',
    tagName: 'spring_2025',
    ...overrides,
  });

/** What the SDK raised: its class name, code and HTTP status. */
async function sdkError(p: Promise<unknown>): Promise<{ name: string; code: string; statusCode: number | undefined }> {
  const err = (await p.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name?: string; code?: string; statusCode?: number } | undefined;
  expect(err).toBeDefined();
  return { name: err?.name ?? '', code: err?.code ?? '', statusCode: err?.statusCode };
}

/**
 * A V3-signed SingleSendMail POST from the testkit client, as bytes (so a test can send exactly the
 * same request twice, or spoil its body).
 */
function signedPost(params: Record<string, string>, o: { nonce?: string } = {}): { headers: Record<string, string>; body: string } {
  const client = createAliyunClient({ baseUrl: fake.endpoint, accessKeyId: fake.accessKeyId, secret: fake.accessKeySecret });
  const signed = client.sign('SingleSendMail', params, { wireEncoding: 'rfc3986', ...(o.nonce === undefined ? {} : { nonce: o.nonce }) });
  return { headers: signed.headers, body: signed.body?.toString('utf8') ?? '' };
}

const wellFormed = {
  AccountName: 'news@mail.example.com',
  AddressType: '1',
  ReplyToAddress: 'false',
  ToAddress: 'alice@example.org',
  Subject: 'Hi',
  TextBody: 'Hi',
};

describe('fake DirectMail, driven by the official @alicloud/dm20151123 SDK', () => {
  it('accepts a default (V3-signed) SingleSendMail, answers an EnvId the SDK reads, and records the mail', async () => {
    const res = await sdk().singleSendMail(mail());
    expect(res.statusCode).toBe(200);
    expect(res.body?.envId).toMatch(/^600000\d{13}$/u);
    expect(res.body?.requestId).toMatch(/^[0-9A-F-]{36}$/u);
    const [r] = fake.requests;
    expect(r?.outcome).toMatchObject({ kind: 'accepted', envId: res.body?.envId, requestId: res.body?.requestId });
    expect(r?.action).toBe('SingleSendMail');
    expect(r?.headers.authorization).toMatch(/^ACS3-HMAC-SHA256 Credential=/u);
    expect(r?.mail).toEqual({
      accountName: 'news@mail.example.com',
      addressType: 1,
      replyToAddress: false,
      toAddress: ['alice@example.org', 'bob@example.org'],
      bccAddress: [],
      subject: '你好 (Hello) 50% off!',
      htmlBody: '<p>Hi {NickName}</p>',
      textBody: 'Hi',
      fromAlias: 'News',
      tagName: 'spring_2025',
      headers: {},
    });
  });

  it('refuses another secret with SignatureDoesNotMatch, HTTP 400, which the SDK raises as a ClientError', async () => {
    const err = await sdkError(sdk({ secret: 'not-the-secret' }).singleSendMail(mail()));
    expect(err).toMatchObject({ code: 'SignatureDoesNotMatch', statusCode: 400 });
    expect(fake.requests[0]?.outcome).toMatchObject({ kind: 'error', code: 'SignatureDoesNotMatch', status: 400 });
  });

  it('refuses a V1 (HMAC-SHA1) request as IncompleteSignature: it speaks V3, as the transport signs', async () => {
    const err = await sdkError(sdk({ signatureAlgorithm: 'v2' }).singleSendMail(mail()));
    expect(err.code).toBe('IncompleteSignature');
  });

  it('answers Missing<Name> for a required parameter the SDK let through, and InvalidToAddress for a bad address', async () => {
    expect((await sdkError(sdk().singleSendMail(mail({ toAddress: undefined as unknown as string })))).code).toBe('MissingToAddress');
    expect((await sdkError(sdk().singleSendMail(mail({ toAddress: 'not-an-address' })))).code).toBe('InvalidToAddress');
    expect((await sdkError(sdk().singleSendMail(mail({ htmlBody: '', textBody: '' })))).code).toBe('InvalidBody');
    expect(fake.requests.map((r) => r.mail)).toEqual([undefined, undefined, undefined]);
  });

  it('answers InvalidAction.NotFound (404) to an action other than SingleSendMail', async () => {
    const err = await sdkError(sdk().createDomain(new $Dm.CreateDomainRequest({ domainName: 'mail.example.com' })));
    expect(err).toMatchObject({ code: 'InvalidAction.NotFound', statusCode: 404 });
  });

  it('answers a scripted Throttling.User, which the SDK raises as its ThrottlingError, then accepts again', async () => {
    fake.failNext('Throttling.User');
    const err = await sdkError(sdk().singleSendMail(mail()));
    expect(err).toMatchObject({ name: 'ThrottlingError', code: 'Throttling.User', statusCode: 400 });
    expect((await sdk().singleSendMail(mail())).body?.envId).toBeDefined();
  });

  it('answers a scripted InternalError with HTTP 500, which the SDK raises as a ServerError', async () => {
    fake.failNext('InternalError');
    expect(await sdkError(sdk().singleSendMail(mail()))).toMatchObject({ name: 'ServerError', code: 'InternalError', statusCode: 500 });
  });

  it('records a mail it accepted after the SDK timed out as accepted, with clientGone', async () => {
    fake.delayNext(600);
    const err = await sdkError(sdk({ readTimeout: 150 }).singleSendMail(mail()));
    expect(err.name).toMatch(/Timeout/u);
    await vi.waitFor(() => expect(fake.requests[0]?.outcome).toMatchObject({ kind: 'accepted' }), { timeout: 2000 });
    expect(fake.requests[0]?.clientGone).toBe(true);
  });
});

describe('fake DirectMail on the wire', () => {
  const post = (req: { headers: Record<string, string>; body: string }) => fetch(`${fake.endpoint}/`, { method: 'POST', headers: req.headers, body: req.body });

  it.each(DOCUMENTED_DM_ERRORS.map((e) => [e.code, e.status] as const))(
    'answers %s with HTTP %i and {RequestId, HostId, Code, Message} when told to',
    async (code, status) => {
      fake.failNext(code);
      const res = await post(signedPost(wellFormed));
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/u);
      const body = (await res.json()) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(['Code', 'HostId', 'Message', 'RequestId']);
      expect(body).toMatchObject({ Code: code, HostId: 'dm.aliyuncs.com', Message: expect.any(String) });
    },
  );

  it('refuses a nonce it has seen with SignatureNonceUsed, but only after the signature verified', async () => {
    const nonce = randomBytes(32).toString('hex');
    const forged = signedPost(wellFormed, { nonce });
    expect((await post({ ...forged, body: `${forged.body}&Subject=x` })).status).toBe(400);
    expect((await post(forged)).status).toBe(200);
    const again = await post(forged);
    expect(again.status).toBe(400);
    expect(((await again.json()) as { Code: string }).Code).toBe('SignatureNonceUsed');
  });

  it('adds Retry-After to a scripted error or bare HTTP answer when told to', async () => {
    fake.failNext('Throttling.User', { retryAfterSeconds: 3 });
    const throttled = await post(signedPost(wellFormed));
    expect(throttled.headers.get('retry-after')).toBe('3');
    fake.respondHttp(503, { retryAfterSeconds: 5 });
    const bare = await post(signedPost(wellFormed));
    expect([bare.status, bare.headers.get('retry-after'), bare.headers.get('content-type')]).toEqual([503, '5', 'text/plain']);
  });

  it('answers what failWhen and respondWith decide per mail, and reads Headers and BccAddress', async () => {
    fake.failWhen((m) => (m.toAddress.includes('bad@example.org') ? 'InvalidToAddress.Spam' : undefined));
    const seen: string[][] = [];
    fake.respondWith((r) => {
      seen.push([...r.recipients]);
      return r.mail.headers['X-Slow'] ? { kind: 'error', code: 'ServiceUnavailable' } : undefined;
    });
    expect((await post(signedPost({ ...wellFormed, ToAddress: 'bad@example.org' }))).status).toBe(400);
    expect((await post(signedPost({ ...wellFormed, BccAddress: 'hidden@example.org', Headers: '{"X-Slow":"1"}' }))).status).toBe(503);
    expect((await post(signedPost({ ...wellFormed, Headers: '{"Message-ID":"<a@b>"}' }))).status).toBe(200);
    expect(seen).toEqual([['alice@example.org', 'hidden@example.org'], ['alice@example.org']]);
    expect(fake.requests[2]?.mail?.headers).toEqual({ 'Message-ID': '<a@b>' });
    const tooMany = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`X-User-${i}`, 'v']));
    const res = await post(signedPost({ ...wellFormed, Headers: JSON.stringify(tooMany) }));
    expect(((await res.json()) as { Code: string }).Code).toBe('InvalidHeaders');
  });

  it('resets the connection without an answer when told to', async () => {
    fake.resetConnectionNext();
    await expect(post(signedPost(wellFormed))).rejects.toThrow();
    expect(fake.requests[0]?.outcome).toEqual({ kind: 'reset' });
  });
});
