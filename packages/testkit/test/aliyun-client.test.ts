import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type DmModule from '@alicloud/dm20151123';
import * as $Dm from '@alicloud/dm20151123';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { type AcsVerifyResult, decodeWireParams, verifyV1, verifyV3 } from '@postmill/acs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AliyunCallError, type AliyunClient, type AliyunShape, createAliyunClient } from '../src/index.ts';

// The official dm SDK is the judge: for the shapes it sends (V3 by default, V1 with
// signatureAlgorithm 'v2'), the client must send the same request up to nonce and time. pop-core's
// two shapes are checked against the wire notes. CommonJS with `exports.default = Client`.
const DmClient = (createRequire(import.meta.url)('@alicloud/dm20151123') as typeof DmModule).default;

const ACCESS_KEY_ID = 'LTAIclienttest';
const SECRET = 'client-test-secret';

interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

let server: Server;
let baseUrl: string;
let recorded: Recorded[] = [];
let nextAnswer: { status: number; body: string; contentType: string } | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      recorded.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(parts) });
      const answer = nextAnswer ?? { status: 200, body: '{"RequestId":"R1","DomainId":7}', contentType: 'application/json;charset=utf-8' };
      nextAnswer = undefined;
      res.writeHead(answer.status, { 'content-type': answer.contentType }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => {
  recorded = [];
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const client = (shape?: AliyunShape): AliyunClient => createAliyunClient({ baseUrl, accessKeyId: ACCESS_KEY_ID, secret: SECRET, ...(shape ? { shape } : {}) });

function sdk(signatureAlgorithm?: 'v2'): InstanceType<typeof DmClient> {
  return new DmClient(
    new $OpenApiUtil.Config({
      accessKeyId: ACCESS_KEY_ID,
      accessKeySecret: SECRET,
      endpoint: new URL(baseUrl).host,
      protocol: 'http',
      ...(signatureAlgorithm ? { signatureAlgorithm } : {}),
    }),
  );
}

const query = (r: Recorded) => decodeWireParams(r.url.slice(r.url.indexOf('?') + 1 || r.url.length));
const names = (pairs: ReadonlyArray<readonly [string, string]>) => pairs.map(([n]) => n).sort();

/** What the dialect does with a recorded request: V3 when Authorization says so, else V1 over query ∪ form. */
function verify(r: Recorded): AcsVerifyResult {
  const options = { lookupSecret: (id: string) => (id === ACCESS_KEY_ID ? SECRET : undefined), nowMs: Date.now() };
  if (String(r.headers.authorization ?? '').startsWith('ACS3-HMAC-SHA256 ')) {
    return verifyV3({ method: r.method, query: new Map(query(r)), headers: r.headers, body: r.body }, options);
  }
  const form = String(r.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') ? decodeWireParams(r.body.toString('utf8')) : [];
  return verifyV1({ method: r.method, params: new Map([...query(r), ...form]) }, options);
}

/** The parts of a request that do not vary between two sends: method, parameter names and placement, header names, framing. */
function shapeOf(r: Recorded) {
  const ignored = new Set(['user-agent', 'accept', 'connection', 'x-acs-credentials-provider', 'x-acs-date', 'x-acs-signature-nonce']);
  return {
    method: r.method,
    query: names(query(r)),
    form: String(r.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') ? names(decodeWireParams(r.body.toString('utf8'))) : [],
    headers: Object.keys(r.headers)
      .filter((h) => !ignored.has(h))
      .sort(),
    chunked: r.headers['transfer-encoding'] === 'chunked',
    signedHeaders: /SignedHeaders=([^,]+)/u
      .exec(String(r.headers.authorization ?? ''))?.[1]
      ?.split(';')
      .filter((h) => h !== 'x-acs-credentials-provider'),
  };
}

// In the order the SDK writes its fields (by name), so the two bodies can be compared byte for byte.
const mail = {
  AccountName: 'news@mail.example.com',
  AddressType: 1,
  ReplyToAddress: false,
  Subject: 'Hi (you) 50% * off!',
  TextBody: 'a b',
  ToAddress: 'alice@example.org',
};

describe('the testkit DirectMail client', () => {
  for (const [shape, algorithm] of [
    ['v3', undefined],
    ['v1-post', 'v2'],
  ] as const) {
    it(`sends what the dm SDK sends with ${algorithm ? "signatureAlgorithm 'v2'" : 'its default V3 signing'}: same parameters, placement, headers and framing, and it verifies`, async () => {
      await sdk(algorithm).createDomain(new $Dm.CreateDomainRequest({ domainName: 'mail.example.com' }));
      await client(shape).call('CreateDomain', { DomainName: 'mail.example.com' });
      await sdk(algorithm).singleSendMail(
        new $Dm.SingleSendMailRequest({
          accountName: mail.AccountName,
          addressType: mail.AddressType,
          replyToAddress: mail.ReplyToAddress,
          toAddress: mail.ToAddress,
          subject: mail.Subject,
          textBody: mail.TextBody,
        }),
      );
      await client(shape).call('SingleSendMail', mail);
      const [sdkDomain, ourDomain, sdkMail, ourMail] = recorded;
      if (!sdkDomain || !ourDomain || !sdkMail || !ourMail) throw new Error('four requests expected');
      expect(shapeOf(ourDomain)).toEqual(shapeOf(sdkDomain));
      expect(shapeOf(ourMail)).toEqual(shapeOf(sdkMail));
      // Same wire text for the same values: querystring.stringify, `( ) * !` raw.
      expect(ourMail.body.toString()).toBe(sdkMail.body.toString());
      for (const r of recorded) expect(verify(r)).toMatchObject({ ok: true, accessKeyId: ACCESS_KEY_ID });
    });
  }

  it("sends pop-core's POST with everything in a Content-Length form body and no query, and its GET with everything in the query", async () => {
    await client('v1-form').call('CreateDomain', { DomainName: 'mail.example.com' });
    await client('v1-get').call('CreateDomain', { DomainName: 'mail.example.com' });
    const [post, get] = recorded;
    if (!post || !get) throw new Error('two requests expected');
    expect(post.url).toBe('/');
    expect(post.headers['content-length']).toBe(String(post.body.length));
    const form = new Map(decodeWireParams(post.body.toString()));
    expect(form.get('Format')).toBe('JSON');
    expect(form.get('SignatureNonce')).toMatch(/^[0-9a-f]{32}$/u);
    expect([...form.keys()]).toEqual(expect.arrayContaining(['Action', 'DomainName', 'Signature', 'AccessKeyId', 'Timestamp']));
    expect(get.method).toBe('GET');
    expect(get.body.length).toBe(0);
    expect(new Map(query(get)).get('DomainName')).toBe('mail.example.com');
    for (const r of recorded) expect(verify(r)).toMatchObject({ ok: true });
  });

  it('signs duplicates, other encodings and a chosen time, nonce and Format as the server will read them', async () => {
    const c = client('v1-get');
    const at = Date.UTC(2026, 0, 2, 3, 4, 5);
    const pairs: Array<[string, string]> = [
      ['KeyWord', 'first'],
      ['KeyWord', 'a b+c(d)'],
    ];
    await c.call('QueryDomainByParam', pairs, { wireEncoding: 'plus', timestampMs: at, nonce: 'n-1', format: 'XML' });
    await c.call('QueryDomainByParam', pairs, { wireEncoding: 'rfc3986', shape: 'v3', format: 'XML' });
    const [plus, rfc] = recorded;
    if (!plus || !rfc) throw new Error('two requests expected');
    expect(plus.url).toContain('KeyWord=first&KeyWord=a+b%2Bc%28d%29');
    const sent = new Map(query(plus));
    expect([sent.get('Timestamp'), sent.get('SignatureNonce'), sent.get('Format')]).toEqual(['2026-01-02T03:04:05Z', 'n-1', 'XML']);
    expect(rfc.url).toContain('KeyWord=a%20b%2Bc%28d%29');
    const options = { lookupSecret: () => SECRET, nowMs: at };
    expect(verifyV1({ method: 'GET', params: new Map(query(plus)) }, options)).toMatchObject({ ok: true });
    expect(verify(rfc)).toMatchObject({ ok: true });
  });

  it('spoils what it is told to: signature, secret, time, a common parameter, body bytes, headers', async () => {
    const c = client('v1-post');
    await c.call('CreateDomain', { DomainName: 'a.example' }, { signature: 'AAAA' });
    await c.call('CreateDomain', { DomainName: 'a.example' }, { secret: 'wrong' });
    await c.call('CreateDomain', { DomainName: 'a.example' }, { commonOverrides: { SignatureMethod: undefined } });
    await c.call(
      'CreateDomain',
      { DomainName: 'a.example' },
      { shape: 'v3', rawBody: 'x=1', contentType: 'text/plain', chunked: false, unsignedHeaders: { 'x-loose': 'y' } },
    );
    await c.call(
      'CreateDomain',
      { DomainName: 'a.example' },
      { shape: 'v3', signedHeaders: { 'x-acs-credentials-provider': 'static_ak' }, timestampText: 'yesterday' },
    );
    const [badSignature, badSecret, noMethod, rawBody, badTime] = recorded.map(verify);
    expect(badSignature).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(badSecret).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(noMethod).toMatchObject({ ok: false, code: 'MissingSignatureMethod' });
    expect(rawBody).toMatchObject({ ok: true });
    expect(recorded[3]?.headers).toMatchObject({ 'content-type': 'text/plain', 'content-length': '3', 'x-loose': 'y' });
    expect(recorded[3]?.headers.authorization).toContain('SignedHeaders=content-type;host;');
    expect(badTime).toMatchObject({ ok: false, code: 'InvalidTimeStamp.Format' });
    expect(recorded[4]?.headers.authorization).toContain(';x-acs-credentials-provider;');
  });

  it('reads JSON answers as objects and XML as text; request() throws AliyunCallError with the code, status and RequestId', async () => {
    nextAnswer = { status: 200, body: '<?xml version="1.0"?><R><RequestId>X</RequestId></R>', contentType: 'text/xml;charset=utf-8' };
    const xml = await client().call('DescAccountSummary');
    expect(xml).toMatchObject({ status: 200, contentType: 'text/xml;charset=utf-8', body: expect.stringContaining('<RequestId>X</RequestId>') });
    expect((await client().request('CreateDomain', { DomainName: 'a.example' })).DomainId).toBe(7);
    nextAnswer = {
      status: 404,
      body: '{"RequestId":"R2","HostId":"h","Code":"InvalidDomain.NotFound","Message":"no such domain"}',
      contentType: 'application/json',
    };
    const thrown = await client()
      .request('DescDomain', { DomainId: 9 })
      .catch((err: unknown) => err);
    expect(thrown).toBeInstanceOf(AliyunCallError);
    expect(thrown).toMatchObject({ action: 'DescDomain', status: 404, code: 'InvalidDomain.NotFound', requestId: 'R2' });
  });
});
