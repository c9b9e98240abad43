import { randomBytes } from 'node:crypto';
import { stringify } from 'node:querystring';
import { signV1, signV3 } from '@postmill/acs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALIYUN_ACTIONS } from '../../src/aliyun/action-registry.ts';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { forceGc, fuzzParameters, fuzzRuns, fuzzTimeoutMs } from '../fuzz/fuzz-support.ts';
import { acsTimestamp } from './sdk-clients.ts';

const PARAM_NAMES = [
  'AccountName', 'AddressType', 'ToAddress', 'Subject', 'HtmlBody', 'TextBody', 'TemplateName', 'ReceiversName', 'ReceiverId', 'Detail',
  'CustomDetail', 'MailAddressId', 'DomainId', 'DomainName', 'TemplateId', 'TemplateText', 'TagName', 'TagId', 'KeyWord', 'PageNo', 'PageSize',
  'NextStart', 'Status', 'StartTime', 'EndTime', 'Length', 'Sendtype', 'ReplyAddress', 'Password', 'Ticket', 'Template', 'Headers', 'Format',
  'SuppressionIds', 'Address', 'MailFrom', 'NotifyUrl', 'ReplyToAddress', 'ClickTrace', '__proto__', 'constructor',
];

const value = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.integer().map(String),
  fc.constantFrom('', '0', '1', '-1', '99999999999999999999', 'true', 'a@b.example', '[]', '[{"e":"x@y.example"}]', '{"TemplateId":1}', '2026-01-01', 'json', 'XML', 'Signature'),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
);

/** One DirectMail-shaped request: action (known or not), parameters, signing and placement. */
const cases = fc.record({
  action: fc.oneof({ arbitrary: fc.constantFrom(...ALIYUN_ACTIONS.map((a) => a.name)), weight: 8 }, { arbitrary: fc.string({ maxLength: 20 }), weight: 1 }),
  params: fc.dictionary(fc.constantFrom(...PARAM_NAMES), value, { maxKeys: 6 }),
  signing: fc.constantFrom('v1-get', 'v1-post-form', 'v1-post-query', 'v3', 'v1-bad-secret', 'v3-garbage-auth', 'v1-stale'),
  method: fc.oneof({ arbitrary: fc.constant(undefined), weight: 8 }, { arbitrary: fc.constantFrom('PUT', 'DELETE', 'PATCH'), weight: 1 }),
});

type Case = typeof cases extends fc.Arbitrary<infer T> ? T : never;

async function send(api: ApiHarness, c: Case): Promise<Response> {
  const host = new URL(api.baseUrl).host;
  const secret = c.signing === 'v1-bad-secret' ? 'wrong' : api.secretKey;
  const business: Record<string, string> = Object.fromEntries(Object.entries(c.params));
  if (c.signing === 'v3' || c.signing === 'v3-garbage-auth') {
    const body = stringify(business);
    const headers = signV3(
      { method: c.method ?? 'POST', host, action: c.action, version: '2015-11-23', date: acsTimestamp(Date.now()), nonce: randomBytes(32).toString('hex'), body },
      { accessKeyId: api.secretId, secret },
    );
    if (c.signing === 'v3-garbage-auth') headers.authorization = `ACS3-HMAC-SHA256 ${randomBytes(8).toString('hex')}`;
    return fetch(`${api.baseUrl}/`, { method: c.method ?? 'POST', headers, body });
  }
  const method = c.method ?? (c.signing === 'v1-get' ? 'GET' : 'POST');
  const all: Record<string, string> = {
    ...business,
    Action: c.action,
    AccessKeyId: api.secretId,
    Version: '2015-11-23',
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: randomBytes(16).toString('hex'),
    Timestamp: acsTimestamp(c.signing === 'v1-stale' ? Date.now() - 3_600_000 : Date.now()),
  };
  all.Signature = signV1(all, { method, secret });
  const wire = stringify(all);
  if (method === 'GET' || c.signing === 'v1-post-query') return fetch(`${api.baseUrl}/?${wire}`, { method });
  return fetch(`${api.baseUrl}/`, { method, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: wire });
}

/** Checks the vendor's answer shape; returns the Code (or `ok`). */
function expectVendorShape(status: number, contentType: string, text: string): string {
  expect(status, text).toBeLessThan(500);
  if (contentType.startsWith('text/xml')) {
    expect(text).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?><(\w+Response|Error)><RequestId>/u);
    return /<Code>([^<]*)<\/Code>/u.exec(text)?.[1] ?? 'ok';
  }
  expect(contentType).toBe('application/json;charset=utf-8');
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(body.RequestId).toEqual(expect.any(String));
  if (status >= 400) {
    expect(body).toMatchObject({ HostId: expect.any(String), Code: expect.any(String), Message: expect.any(String) });
    return String(body.Code);
  }
  expect(body.Code).toBeUndefined();
  return 'ok';
}

// Random DirectMail-shaped requests, signed and not: never a 5xx, always the vendor's shape, and
// memory flat across the run.
describe('DirectMail dialect under random input', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApiHarness();
  });
  afterAll(async () => {
    await api?.close();
  });

  const runs = fuzzRuns(300);
  it(
    'answers every random request below 500 in the vendor envelope (JSON or XML), verifies every correctly signed one, and keeps serving',
    async () => {
      const codes = new Map<string, number>();
      forceGc();
      const before = process.memoryUsage().heapUsed;
      await fc.assert(
        fc.asyncProperty(cases, async (c) => {
          const res = await send(api, c);
          const code = expectVendorShape(res.status, res.headers.get('content-type') ?? '', await res.text());
          // However odd its parameters, a correctly signed request is never refused for its signature.
          if (['v1-get', 'v1-post-form', 'v1-post-query', 'v3'].includes(c.signing)) expect(['SignatureDoesNotMatch', 'IncompleteSignature']).not.toContain(code);
          codes.set(code, (codes.get(code) ?? 0) + 1);
        }),
        fuzzParameters(runs),
      );
      forceGc();
      expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
      const top = [...codes].sort((a, b) => b[1] - a[1]).slice(0, 10);
      console.info(`[fuzz] DirectMail: ${runs} cases; answers: ${top.map(([k, n]) => `${k} ×${n}`).join(', ')}`);
      expect(codes.size).toBeGreaterThan(3);
    },
    fuzzTimeoutMs(runs),
  );
});
