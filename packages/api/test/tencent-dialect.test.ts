import { createUnsubscribeToken } from '@postmill/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness, type TencentAnswer } from './api-harness.ts';

/** An answer read by hand, with the headers the harness does not expose. */
interface RawAnswer {
  readonly status: number;
  readonly contentType: string | null;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary response fields
  readonly body: any;
}

interface RawPost {
  readonly action?: string;
  readonly version?: string;
  readonly contentType?: string;
  /** The bytes sent. */
  readonly body: Buffer | string;
  /** The bytes the signature covers (default: `body`). */
  readonly signedBody?: Buffer | string;
  readonly secretKey?: string;
  readonly timestamp?: number;
  readonly omitAuthorization?: boolean;
  /** Replaces the computed Authorization header. */
  readonly authorization?: string;
  /** Header names left out of the request. */
  readonly omitHeaders?: readonly string[];
}

/** Sends a TC3-signed POST built by hand, so the bytes, headers and signature can each be wrong on purpose. */
async function rawPost(api: ApiHarness, p: RawPost): Promise<RawAnswer> {
  const { headers } = api.client.sign(p.action ?? 'ListEmailIdentities', undefined, {
    rawBody: p.signedBody ?? p.body,
    traceId: false,
    ...(p.contentType === undefined ? {} : { contentType: p.contentType }),
    ...(p.version === undefined ? {} : { version: p.version }),
    ...(p.secretKey === undefined ? {} : { secretKey: p.secretKey }),
    ...(p.timestamp === undefined ? {} : { timestamp: p.timestamp }),
  });
  if (p.omitAuthorization) delete headers.Authorization;
  else if (p.authorization !== undefined) headers.Authorization = p.authorization;
  for (const name of p.omitHeaders ?? []) delete headers[name];
  const res = await fetch(`${api.baseUrl}/`, { method: 'POST', headers, body: p.body });
  return { status: res.status, contentType: res.headers.get('content-type'), body: await res.json() };
}

/** Asserts Tencent's error envelope (HTTP 200, exactly application/json, a RequestId) and answers the code. */
function tencentError(answer: RawAnswer): string {
  expect(answer.status).toBe(200);
  expect(answer.contentType).toBe('application/json');
  expect(answer.body).toEqual({ Response: { Error: { Code: expect.any(String), Message: expect.any(String) }, RequestId: expect.any(String) } });
  return answer.body.Response.Error.Code;
}

function harnessError(answer: TencentAnswer): string | undefined {
  expect(answer.status).toBe(200);
  expect(typeof answer.body.Response.RequestId).toBe('string');
  return answer.body.Response.Error?.Code;
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

describe('the Tencent dialect on POST /', () => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await startApiHarness();
  });
  afterEach(async () => {
    await api.close();
  });

  it('answers a correctly signed request in the success envelope as application/json', async () => {
    const res = await rawPost(api, { body: '{}' });
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('application/json');
    expect(res.body.Response).toMatchObject({ EmailIdentities: [], Total: 0, RequestId: expect.any(String) });
  });

  it('answers InvalidParameter for a body that is not JSON', async () => {
    expect(harnessError(await api.call('ListEmailIdentities', undefined, { rawBody: '{"Offset":' }))).toBe('InvalidParameter');
    expect(tencentError(await rawPost(api, { body: '{"Offset": 0,}' }))).toBe('InvalidParameter');
  });

  it('answers InvalidParameter for a body that is not valid UTF-8, signed over its exact bytes', async () => {
    const body = Buffer.concat([Buffer.from('{"EmailIdentity":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('.example.com"}')]);
    expect(tencentError(await rawPost(api, { action: 'CreateEmailIdentity', body }))).toBe('InvalidParameter');
    expect(harnessError(await api.call('ListEmailIdentities', {}))).toBeUndefined();
  });

  it('answers InvalidParameter for a JSON body that is an array, a string or null', async () => {
    for (const body of ['[]', '[{"Offset":0}]', '"x"', 'null', '42']) {
      expect(tencentError(await rawPost(api, { body })), body).toBe('InvalidParameter');
    }
  });

  it('answers InvalidAction for an action it does not know, names being case-sensitive', async () => {
    expect(tencentError(await rawPost(api, { action: 'SendMail', body: '{}' }))).toBe('InvalidAction');
    expect(tencentError(await rawPost(api, { action: 'listEmailIdentities', body: '{}' }))).toBe('InvalidAction');
  });

  it('answers NoSuchVersion for an X-TC-Version other than 2020-10-02', async () => {
    expect(tencentError(await rawPost(api, { version: '2019-01-01', body: '{}' }))).toBe('NoSuchVersion');
  });

  it('answers UnsupportedProtocol to GET, PUT, DELETE, PATCH and OPTIONS /', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const res = await fetch(`${api.baseUrl}/`, { method });
      expect(tencentError({ status: res.status, contentType: res.headers.get('content-type'), body: await res.json() }), method).toBe('UnsupportedProtocol');
    }
  });

  it('answers AuthFailure.SignatureFailure for a request signed with the wrong key', async () => {
    expect(harnessError(await api.call('ListEmailIdentities', {}, { secretKey: 'not-the-key' }))).toBe('AuthFailure.SignatureFailure');
    expect(tencentError(await rawPost(api, { body: '{}', secretKey: 'not-the-key' }))).toBe('AuthFailure.SignatureFailure');
  });

  it('answers AuthFailure.SecretIdNotFound for an unknown SecretId', async () => {
    expect(harnessError(await api.call('ListEmailIdentities', {}, { secretId: 'AKIDunknown' }))).toBe('AuthFailure.SecretIdNotFound');
  });

  it('answers AuthFailure.SignatureExpire for a timestamp six minutes off, in the past or the future', async () => {
    const now = Math.floor(api.deps.clock.now() / 1000);
    expect(harnessError(await api.call('ListEmailIdentities', {}, { timestamp: now - 360 }))).toBe('AuthFailure.SignatureExpire');
    expect(harnessError(await api.call('ListEmailIdentities', {}, { timestamp: now + 360 }))).toBe('AuthFailure.SignatureExpire');
  });

  it('answers AuthFailure.InvalidAuthorization without an Authorization header', async () => {
    expect(tencentError(await rawPost(api, { body: '{}', omitAuthorization: true }))).toBe('AuthFailure.InvalidAuthorization');
  });

  it('answers AuthFailure.InvalidAuthorization for an Authorization that is not TC3-HMAC-SHA256 or without X-TC-Timestamp', async () => {
    expect(tencentError(await rawPost(api, { body: '{}', authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }))).toBe(
      'AuthFailure.InvalidAuthorization',
    );
    expect(tencentError(await rawPost(api, { body: '{}', omitHeaders: ['X-TC-Timestamp'] }))).toBe('AuthFailure.InvalidAuthorization');
  });

  it('answers MissingParameter without X-TC-Action or X-TC-Version', async () => {
    expect(tencentError(await rawPost(api, { body: '{}', omitHeaders: ['X-TC-Action'] }))).toBe('MissingParameter');
    expect(tencentError(await rawPost(api, { body: '{}', omitHeaders: ['X-TC-Version'] }))).toBe('MissingParameter');
  });

  it('treats an empty body as an empty request', async () => {
    const res = await rawPost(api, { body: '' });
    expect(res.body.Response).toMatchObject({ Total: 0, RequestId: expect.any(String) });
  });

  it('answers UnknownParameter for a __proto__ field instead of failing', async () => {
    expect(tencentError(await rawPost(api, { body: '{"__proto__":{"Limit":1}}' }))).toBe('UnknownParameter');
  });

  it('answers InternalError, not a store code, when a stored record cannot be read', async () => {
    expect(harnessError(await api.call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' }))).toBeUndefined();
    await api.deps.redis.hset(api.deps.keys.addresses, 'news@mail.example.com', 'not json');
    const res = await rawPost(api, {
      action: 'SendEmail',
      body: JSON.stringify({ FromEmailAddress: 'news@mail.example.com', Destination: ['a@example.org'], Subject: 'Hi', Simple: { Text: 'aGk=' } }),
    });
    expect(tencentError(res)).toBe('InternalError');
    expect(res.body.Response.Error.Message).not.toContain('stored');
  });

  it('answers AuthFailure.SignatureFailure for a body other than the one signed, and does not apply it', async () => {
    const signedBody = JSON.stringify({ EmailIdentity: 'good.example.com' });
    const body = JSON.stringify({ EmailIdentity: 'evil.example.com' });
    expect(tencentError(await rawPost(api, { action: 'CreateEmailIdentity', body, signedBody }))).toBe('AuthFailure.SignatureFailure');
    expect(await api.deps.identities.get('evil.example.com')).toBeUndefined();
  });

  it('answers UnsupportedOperation for a form-encoded request', async () => {
    expect(tencentError(await rawPost(api, { contentType: 'application/x-www-form-urlencoded', body: 'Action=ListEmailIdentities' }))).toBe(
      'UnsupportedOperation',
    );
  });

  it('accepts a charset parameter on the JSON content type', async () => {
    const res = await rawPost(api, { contentType: 'application/json; charset=utf-8', body: '{}' });
    expect(res.body.Response.Error).toBeUndefined();
  });
});

describe('the Tencent dialect with a 1 KiB request limit', () => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await startApiHarness({ limits: { maxRequestBytes: 1024 } });
  });
  afterEach(async () => {
    await api.close();
  });

  it('answers RequestSizeLimitExceeded for a larger body and keeps serving afterwards', async () => {
    const big = JSON.stringify({ EmailIdentity: `${'a'.repeat(2_000)}.example.com` });
    expect(tencentError(await rawPost(api, { action: 'CreateEmailIdentity', body: big }))).toBe('RequestSizeLimitExceeded');
    expect(harnessError(await api.call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' }))).toBeUndefined();
    expect(harnessError(await api.call('GetEmailIdentity', { EmailIdentity: 'mail.example.com' }))).toBeUndefined();
  });
});

describe('the outbox pages', () => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await startApiHarness();
  });
  afterEach(async () => {
    await api.close();
  });

  it('answer 401 with a Basic challenge without credentials or with a wrong secret', async () => {
    for (const authorization of [undefined, basic(api.secretId, 'wrong'), basic('AKIDother', api.secretKey), 'Bearer x']) {
      for (const path of ['/outbox', '/outbox/abc.eml']) {
        const res = await fetch(`${api.baseUrl}${path}`, { headers: authorization ? { authorization } : {} });
        expect(res.status, `${path} ${authorization}`).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Basic /u);
      }
    }
  });

  it('list captured mail with SecretId:SecretKey, escaping what the mail says', async () => {
    const id = await api.deps.outbox.add(
      { postmillMessageId: 'pm-1', from: 'news@mail.example.com', recipients: ['alice@example.org'], subject: '<script>x</script>' },
      Buffer.from('Subject: hi\r\n\r\nbody\r\n'),
    );
    const auth = { authorization: basic(api.secretId, api.secretKey) };
    const html = await fetch(`${api.baseUrl}/outbox`, { headers: auth });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/u);
    const page = await html.text();
    expect(page).toContain(`/outbox/${id}.eml`);
    expect(page).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(page).not.toContain('<script>x</script>');

    const json = await fetch(`${api.baseUrl}/outbox`, { headers: { ...auth, accept: 'application/json' } });
    expect(await json.json()).toMatchObject({ total: 1, items: [{ id, postmillMessageId: 'pm-1', recipients: ['alice@example.org'] }] });
  });

  it('serve the exact MIME of a captured message and 404 for an unknown one', async () => {
    const mime = Buffer.from('Subject: hi\r\n\r\nbody\r\n');
    const id = await api.deps.outbox.add({ postmillMessageId: 'pm-1', from: 'news@mail.example.com', recipients: ['alice@example.org'], subject: 'hi' }, mime);
    const auth = { authorization: basic(api.secretId, api.secretKey) };
    const found = await fetch(`${api.baseUrl}/outbox/${id}.eml`, { headers: auth });
    expect(found.status).toBe(200);
    expect(found.headers.get('content-type')).toMatch(/^message\/rfc822/u);
    expect(Buffer.from(await found.arrayBuffer())).toEqual(mime);
    expect((await fetch(`${api.baseUrl}/outbox/unknown0.eml`, { headers: auth })).status).toBe(404);
  });
});

describe('the unsubscribe endpoint', () => {
  const SECRET = 'harness-unsubscribe-secret';
  const sender = 'news@mail.example.com';
  const recipient = 'alice.longname+newsletter@example.org';
  let api: ApiHarness;
  let token: string;
  beforeEach(async () => {
    api = await startApiHarness();
    token = createUnsubscribeToken({ sender, recipient, messageId: 'pm-date-20260315020000-AbCdEfGhIjKlMnOp' }, SECRET);
  });
  afterEach(async () => {
    await api.close();
  });

  it('shows a confirmation form on GET and unsubscribes nobody', async () => {
    expect(token.length).toBeGreaterThan(100);
    const res = await fetch(`${api.baseUrl}/unsubscribe/${token}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<form method="post">');
    expect(page).toContain(recipient);
    expect(await api.deps.suppressions.isUnsubscribed(sender, recipient)).toBe(false);
  });

  it('records the unsubscribe on an RFC 8058 one-click POST', async () => {
    const res = await fetch(`${api.baseUrl}/unsubscribe/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    expect(await api.deps.suppressions.isUnsubscribed(sender, recipient)).toBe(true);
  });

  it('counts an unsubscribe once in the statistics, however often the link is posted', async () => {
    for (let i = 0; i < 2; i++) expect((await fetch(`${api.baseUrl}/unsubscribe/${token}`, { method: 'POST' })).status).toBe(200);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(api.deps.clock.now());
    const report = await api.deps.statistics.report({ startDate: today, endDate: today });
    expect(report.overall.unsubscribeCount).toBe(1);
  });

  it('records the unsubscribe on the confirmation form POST without a body', async () => {
    expect((await fetch(`${api.baseUrl}/unsubscribe/${token}`, { method: 'POST' })).status).toBe(200);
    expect(await api.deps.suppressions.isUnsubscribed(sender, recipient)).toBe(true);
  });

  it('answers 400 for a tampered token and records nothing', async () => {
    const [payload, mac] = token.split('.');
    const forged = `${Buffer.from(`${sender}\nvictim@example.org\npm-x`, 'utf8').toString('base64url')}.${mac}`;
    for (const bad of [forged, `${payload}.${'A'.repeat(mac?.length ?? 24)}`, 'garbage']) {
      expect((await fetch(`${api.baseUrl}/unsubscribe/${bad}`)).status).toBe(400);
      const res = await fetch(`${api.baseUrl}/unsubscribe/${bad}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      expect(res.status).toBe(400);
    }
    expect(await api.deps.suppressions.isUnsubscribed(sender, 'victim@example.org')).toBe(false);
    expect(await api.deps.suppressions.isUnsubscribed(sender, recipient)).toBe(false);
  });
});
