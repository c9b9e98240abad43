import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type DmModule from '@alicloud/dm20151123';
import * as $Dm from '@alicloud/dm20151123';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import RPCClient from '@alicloud/pop-core';
import * as $dara from '@darabonba/typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AcsVerifyResult, decodeWireParams, verifyV1, verifyV3 } from '../src/index.ts';

// The real official SDKs sign requests to a loopback server that only records them; each recorded
// request must verify with this package, and stop verifying once one byte of meaning changes.
// Values carry what the wire encodes differently from the signature: ( ) * ! ' raw on the wire,
// spaces, `+`, `~`, non-ASCII.

const accessKeyId = 'LTAI5tAcsSdkCapture';
const secret = 'acs-sdk-capture-secret';
const lookupSecret = (id: string): string | undefined => (id === accessKeyId ? secret : undefined);
const tricky = "<p>Hi ({NickName})! 50% * 'off' ~ a+b 邮件</p>";

interface Captured {
  readonly method: string;
  readonly query: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

// The SDK is CommonJS with `exports.default = Client`; how a default import of it resolves differs
// between Node and vitest, so take the class the CommonJS way.
const DmClient = (createRequire(import.meta.url)('@alicloud/dm20151123') as typeof DmModule).default;

function isForm(c: Captured): boolean {
  return (c.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}

/** Verifies a captured request the way the dialect chooses: V3 by its Authorization, else V1. */
function verifyCaptured(c: Captured): AcsVerifyResult {
  const query = Object.fromEntries(decodeWireParams(c.query));
  const options = { lookupSecret, nowMs: Date.now() };
  if ((c.headers.authorization ?? '').startsWith('ACS3-HMAC-SHA256 ')) {
    return verifyV3({ method: c.method, query, headers: c.headers, body: c.body }, options);
  }
  const form = isForm(c) ? Object.fromEntries(decodeWireParams(c.body.toString('utf8'))) : {};
  return verifyV1({ method: c.method, params: { ...query, ...form } }, options);
}

/** The same request with one parameter's value changed, wherever it travelled. */
function tamper(c: Captured, name: string, value: string): Captured {
  const rewrite = (text: string): string =>
    text
      .split('&')
      .map((seg) => (seg.startsWith(`${name}=`) ? `${name}=${encodeURIComponent(value)}` : seg))
      .join('&');
  if (c.query.includes(`${name}=`)) return { ...c, query: rewrite(c.query) };
  return { ...c, body: Buffer.from(rewrite(c.body.toString('utf8'))) };
}

describe('signatures from the official Alibaba Cloud SDKs', () => {
  let server: Server;
  let port: number;
  const captured: Captured[] = [];

  const lastCaptured = (): Captured => {
    const c = captured.at(-1);
    if (!c) throw new Error('the SDK sent nothing');
    return c;
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const url = req.url ?? '/';
        const q = url.indexOf('?');
        captured.push({ method: req.method ?? 'GET', query: q === -1 ? '' : url.slice(q + 1), headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/json;charset=utf-8' });
        res.end(JSON.stringify({ RequestId: 'capture', EnvId: '1', DomainId: 1 }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const dmClient = (signatureAlgorithm?: 'v2'): InstanceType<typeof DmClient> =>
    new DmClient(
      new $OpenApiUtil.Config({
        accessKeyId,
        accessKeySecret: secret,
        endpoint: `127.0.0.1:${port}`,
        protocol: 'http',
        ...(signatureAlgorithm ? { signatureAlgorithm } : {}),
      }),
    );

  const singleSend = new $Dm.SingleSendMailRequest({
    accountName: 'news@mail.example.com',
    addressType: 1,
    replyToAddress: false,
    toAddress: 'alice@example.org,bob@example.org',
    subject: tricky,
    htmlBody: tricky,
    fromAlias: 'News ~',
  });

  for (const [label, algorithm] of [
    ['dm SDK with its default V3 (ACS3-HMAC-SHA256)', undefined],
    ["dm SDK with signatureAlgorithm 'v2' (V1, HMAC-SHA1)", 'v2'],
  ] as const) {
    describe(label, () => {
      it('verifies SingleSendMail, whose fields travel in a chunked form body', async () => {
        await dmClient(algorithm).singleSendMail(singleSend);
        const c = lastCaptured();
        expect(c.method).toBe('POST');
        expect(c.headers['content-length']).toBeUndefined();
        expect(c.body.toString('utf8')).toContain('HtmlBody=');
        expect(verifyCaptured(c)).toMatchObject({ ok: true, algorithm: algorithm ? 'v1' : 'v3', accessKeyId });
        expect(verifyCaptured(tamper(c, 'ToAddress', 'mallory@example.org'))).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
      });

      it('verifies CreateDomain, a query parameter with an empty body', async () => {
        await dmClient(algorithm).createDomain(new $Dm.CreateDomainRequest({ domainName: 'mail.example.com' }));
        const c = lastCaptured();
        expect(c.query).toContain('DomainName=mail.example.com');
        expect(verifyCaptured(c)).toMatchObject({ ok: true });
        expect(verifyCaptured(tamper(c, 'DomainName', 'evil.example.com'))).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
      });

      it("verifies CreateTemplate sent through callApi, with ( ) * ! ' raw in the query", async () => {
        const params = new $OpenApiUtil.Params({
          action: 'CreateTemplate',
          version: '2015-11-23',
          protocol: 'HTTP',
          pathname: '/',
          method: 'POST',
          authType: 'AK',
          style: 'RPC',
          reqBodyType: 'formData',
          bodyType: 'json',
        });
        const request = new $OpenApiUtil.OpenApiRequest({ query: { TemplateName: 'welcome', TemplateText: tricky } });
        await dmClient(algorithm).callApi(params, request, new $dara.RuntimeOptions({}));
        const c = lastCaptured();
        expect(c.query).toContain('(%7BNickName%7D)!');
        expect(verifyCaptured(c)).toMatchObject({ ok: true });
        expect(verifyCaptured(tamper(c, 'TemplateText', 'changed'))).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
      });

      it('is refused with SignatureDoesNotMatch when signed with another secret', async () => {
        const other = new DmClient(
          new $OpenApiUtil.Config({
            accessKeyId,
            accessKeySecret: 'not-the-secret',
            endpoint: `127.0.0.1:${port}`,
            protocol: 'http',
            ...(algorithm ? { signatureAlgorithm: algorithm } : {}),
          }),
        );
        await other.singleSendMail(singleSend);
        expect(verifyCaptured(lastCaptured())).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
      });
    });
  }

  for (const method of ['GET', 'POST'] as const) {
    it(`verifies pop-core ${method} requests (everything in the ${method === 'GET' ? 'query' : 'form body'}) and refuses a tampered one`, async () => {
      const client = new RPCClient({ endpoint: `http://127.0.0.1:${port}`, apiVersion: '2015-11-23', accessKeyId, accessKeySecret: secret });
      await client.request(
        'SingleSendMail',
        { AccountName: 'news@mail.example.com', AddressType: 1, ReplyToAddress: false, ToAddress: 'alice@example.org', Subject: tricky, HtmlBody: tricky },
        { method },
      );
      const c = lastCaptured();
      expect(c.method).toBe(method);
      if (method === 'POST') expect(c.query).toBe('');
      else expect(c.query).toContain('Signature=');
      expect(verifyCaptured(c)).toMatchObject({ ok: true, algorithm: 'v1', accessKeyId });
      expect(verifyCaptured(tamper(c, 'Subject', 'changed'))).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    });
  }
});
