import { randomUUID } from 'node:crypto';
import { tc3Authorization } from '@postmill/tc3';
import fc from 'fast-check';
import { TENCENT_ACTIONS } from '../../src/tencent/action-registry.ts';
import type { ApiHarness } from '../api-harness.ts';

/** How a generated request is authorised. */
export type AuthMode = 'signed' | 'wrong-key' | 'none' | { readonly garbage: string };

/** One request as bytes and headers, before signing. */
export interface WireCase {
  readonly method: string;
  readonly contentType: string | undefined;
  readonly action: string | undefined;
  readonly version: string | undefined;
  readonly timestamp: 'now' | 'skewed' | string;
  readonly auth: AuthMode;
  readonly body: Uint8Array;
}

const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/** Byte sequences that are not UTF-8: stray continuation, overlong '/', CESU surrogate, truncated 4-byte, 0xFF. */
const BAD_UTF8 = [[0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x98], [0xff], [0xc3, 0x28]].map((b) => new Uint8Array(b));

const validJson = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ EmailIdentity: 'mail.example.com', Offset: 0, Limit: 10, x: v }));

const bodies: fc.Arbitrary<Uint8Array> = fc.oneof(
  // Random bytes.
  fc.uint8Array({ maxLength: 400 }),
  // Valid JSON cut short or with a stray character inserted.
  fc.tuple(validJson, fc.nat(), fc.constantFrom('', ',', '}', '"', '\\', '\u0000', ']')).map(([json, at, ch]) => {
    const i = at % (json.length + 1);
    return utf8(ch === '' ? json.slice(0, i) : json.slice(0, i) + ch + json.slice(i));
  }),
  // Valid JSON with bytes that are not UTF-8 inside a string.
  fc
    .tuple(fc.constantFrom(...BAD_UTF8), fc.string({ maxLength: 20 }))
    .map(([bad, s]) => concat(utf8(`{"EmailIdentity":"${s.replace(/["\\]/gu, '')}`), bad, utf8('.example.com"}'))),
  // A UTF-8 BOM, then JSON.
  validJson.map((j) => concat(new Uint8Array([0xef, 0xbb, 0xbf]), utf8(j))),
  // JSON that is not an object, or is deeply nested.
  fc.constantFrom('null', '[]', '"x"', '1e999', 'true', '{"a":1}{"b":2}', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"x":1}}}').map(utf8),
  fc.integer({ min: 1, max: 20_000 }).map((depth) => utf8(`{"Destination":${'['.repeat(depth)}${']'.repeat(depth)}}`)),
  fc.integer({ min: 1, max: 20_000 }).map((depth) => utf8(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`)),
  // Arbitrary text.
  fc.string({ unit: 'grapheme', maxLength: 200 }).map(utf8),
);

const headerText = fc.string({ maxLength: 60 }); // printable ASCII: what fetch lets through as a header value

/** Requests with random bytes, broken JSON, invalid UTF-8, odd methods and headers, any kind of authorisation. */
export const wireCases: fc.Arbitrary<WireCase> = fc.record({
  method: fc.oneof({ arbitrary: fc.constant('POST'), weight: 12 }, { arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'), weight: 1 }),
  contentType: fc.oneof(
    { arbitrary: fc.constant('application/json'), weight: 8 },
    {
      arbitrary: fc.constantFrom(
        undefined,
        '',
        'application/json; charset=utf-8',
        'APPLICATION/JSON',
        'application/json;;;',
        'application/jsonx',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
      ),
      weight: 2,
    },
    { arbitrary: headerText, weight: 1 },
  ),
  action: fc.oneof(
    { arbitrary: fc.constantFrom(...TENCENT_ACTIONS.map((a) => a.name)), weight: 8 },
    { arbitrary: fc.constantFrom(undefined, '', 'sendemail', 'SendEmail ', '__proto__', 'constructor', 'toString', 'hasOwnProperty'), weight: 1 },
    { arbitrary: headerText, weight: 1 },
  ),
  version: fc.oneof(
    { arbitrary: fc.constant('2020-10-02'), weight: 10 },
    { arbitrary: fc.constantFrom(undefined, '', '2017-03-12'), weight: 1 },
    { arbitrary: headerText, weight: 1 },
  ),
  timestamp: fc.oneof(
    { arbitrary: fc.constant('now' as const), weight: 10 },
    { arbitrary: fc.constant('skewed' as const), weight: 1 },
    { arbitrary: headerText, weight: 1 },
  ),
  auth: fc.oneof(
    { arbitrary: fc.constant('signed' as const), weight: 8 },
    { arbitrary: fc.constantFrom('wrong-key' as const, 'none' as const), weight: 2 },
    {
      arbitrary: fc
        .oneof(
          headerText,
          headerText.map((s) => `TC3-HMAC-SHA256 ${s}`),
        )
        .map((garbage) => ({ garbage })),
      weight: 2,
    },
  ),
  body: bodies,
});

/** Sends a generated case: signed over its exact bytes and headers unless the case says otherwise. */
export async function sendWireCase(api: ApiHarness, c: WireCase): Promise<Response> {
  const host = new URL(api.baseUrl).host;
  const nowSeconds = Math.floor(api.deps.clock.now() / 1000);
  const timestamp = c.timestamp === 'now' ? String(nowSeconds) : c.timestamp === 'skewed' ? String(nowSeconds - 3600) : c.timestamp;
  const traceId = randomUUID();
  const headers: Record<string, string> = { 'X-TC-Timestamp': timestamp, 'X-TC-Region': 'ap-guangzhou', 'X-TC-TraceId': traceId };
  if (c.contentType !== undefined) headers['Content-Type'] = c.contentType;
  if (c.action !== undefined) headers['X-TC-Action'] = c.action;
  if (c.version !== undefined) headers['X-TC-Version'] = c.version;
  if (c.auth === 'signed' || c.auth === 'wrong-key') {
    headers.Authorization = tc3Authorization({
      secretId: api.secretId,
      secretKey: c.auth === 'signed' ? api.secretKey : 'wrong-key',
      timestamp: /^\d{1,12}$/u.test(timestamp) ? Number(timestamp) : nowSeconds,
      service: 'ses',
      // fetch trims header values; sign what the server will see.
      signedHeaders: { 'content-type': (c.contentType ?? '').trim(), host, 'x-tc-traceid': traceId },
      body: Buffer.from(c.body),
    });
  } else if (c.auth !== 'none') {
    headers.Authorization = c.auth.garbage;
  }
  const hasBody = c.method !== 'GET';
  return fetch(`${api.baseUrl}/`, { method: c.method, headers, ...(hasBody ? { body: c.body } : {}) });
}
