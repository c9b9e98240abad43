import type { AliyunClient, AliyunRequestOptions, SignedAliyunRequest } from '@postmill/testkit';
import fc from 'fast-check';
import { type Framing, framings, optionsFor, paramsFor, withShortPrint } from './aliyun-arbitraries.ts';

/**
 * DirectMail requests spoiled on the wire: every way a signature can be wrong or missing, stale or
 * future times, replays, odd methods and content types, chunked or not, and bodies that are not
 * forms (random bytes, invalid UTF-8, a form cut short).
 */

/** How a generated request is signed (or not). */
export type AuthMode =
  | 'signed'
  | 'wrong-secret'
  | 'unknown-key'
  | 'bad-signature'
  | 'no-signature'
  | 'stale'
  | 'future'
  | 'malformed-time'
  | 'no-nonce'
  | 'no-timestamp'
  | 'bad-signature-method'
  | 'wrong-version'
  | 'garbage-authorization'
  | 'replay';

/** The code a request spoiled only in its signing must get (`undefined`: any, e.g. a replay's first send). */
export function authCode(auth: AuthMode, shape: string | undefined): string | undefined {
  // V3 has no SignatureMethod parameter: the case spoils the Authorization's form instead.
  if (auth === 'bad-signature-method' && (shape ?? 'v3') === 'v3') return 'IncompleteSignature';
  return AUTH_CODES[auth];
}

const AUTH_CODES: Readonly<Record<AuthMode, string | undefined>> = {
  signed: undefined,
  'wrong-secret': 'SignatureDoesNotMatch',
  'unknown-key': 'InvalidAccessKeyId.NotFound',
  'bad-signature': 'SignatureDoesNotMatch',
  'no-signature': undefined,
  stale: 'InvalidTimeStamp.Expired',
  future: 'InvalidTimeStamp.Expired',
  'malformed-time': 'InvalidTimeStamp.Format',
  'no-nonce': 'MissingSignatureNonce',
  'no-timestamp': 'MissingTimestamp',
  'bad-signature-method': 'InvalidSignatureMethod',
  'wrong-version': 'InvalidVersion',
  'garbage-authorization': 'IncompleteSignature',
  replay: undefined,
};

export interface AliyunWireCase {
  readonly action: string;
  readonly params: Array<[string, string]>;
  readonly framing: Framing;
  readonly auth: AuthMode;
  /** Sent instead of the shape's method. */
  readonly method: string | undefined;
  /** Sent (and signed, for V3) instead of the form's content type. */
  readonly contentType: string | undefined;
  /** Sent (and hashed, for V3) instead of the form. */
  readonly body: Uint8Array | undefined;
}

/** Byte sequences that are not UTF-8: stray continuation, overlong '/', CESU surrogate, truncated 4-byte, 0xFF. */
const BAD_UTF8 = [[0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x98], [0xff], [0xc3, 0x28]].map((b) => Buffer.from(b));

const bodies: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 400 }),
  // A form with bytes that are not UTF-8 in a value.
  fc
    .tuple(fc.constantFrom(...BAD_UTF8), fc.string({ maxLength: 20 }))
    .map(([bad, s]) => new Uint8Array(Buffer.concat([Buffer.from(`KeyWord=${encodeURIComponent(s)}`), bad]))),
  // A form cut short, or with stray `%`, `&`, `=` and `+`.
  fc
    .constantFrom('KeyWord=%', 'KeyWord=%E9%82', '=&=&&', 'a', '%%%', '+=+', 'KeyWord==x=y', `${'a=1&'.repeat(5000)}`)
    .map((s) => new Uint8Array(Buffer.from(s))),
  // JSON, as a Tencent client would send.
  fc.jsonValue({ maxDepth: 2 }).map((v) => new Uint8Array(Buffer.from(JSON.stringify(v)))),
  fc.string({ unit: 'grapheme', maxLength: 100 }).map((s) => new Uint8Array(Buffer.from(s))),
);

const headerText = fc.string({ maxLength: 60 }).map((s) => s.trim()); // fetch and node:http refuse CR/LF; they trim

// Actions whose requests are cheap and need few parameters: the wire is what varies here.
const WIRE_ACTIONS = [
  'DescAccountSummary',
  'QueryDomainByParam',
  'QueryTagByParam',
  'CreateTag',
  'SingleSendMail',
  'QueryTemplateByParam',
  'DescDomain',
  'NoSuchAction',
];

export const wireCases: fc.Arbitrary<AliyunWireCase> = fc
  .record({
    action: fc.constantFrom(...WIRE_ACTIONS),
    framing: framings,
    auth: fc.oneof(
      { arbitrary: fc.constant('signed' as const), weight: 6 },
      {
        arbitrary: fc.constantFrom<AuthMode>(
          'wrong-secret',
          'unknown-key',
          'bad-signature',
          'no-signature',
          'stale',
          'future',
          'malformed-time',
          'no-nonce',
          'no-timestamp',
          'bad-signature-method',
          'wrong-version',
          'garbage-authorization',
          'replay',
        ),
        weight: 6,
      },
    ),
    method: fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 10 },
      { arbitrary: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'GET', 'POST'), weight: 1 },
    ),
    contentType: fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 10 },
      {
        arbitrary: fc.constantFrom(
          'application/x-www-form-urlencoded; charset=UTF-8',
          'APPLICATION/X-WWW-FORM-URLENCODED',
          'application/x-www-form-urlencoded;;',
          'application/x-www-form-urlencodedx',
          'text/plain',
          'application/json',
          'multipart/form-data; boundary=x',
          'text/xml',
        ),
        weight: 3,
      },
      { arbitrary: headerText, weight: 1 },
    ),
    body: fc.oneof({ arbitrary: fc.constant(undefined), weight: 8 }, { arbitrary: bodies, weight: 2 }),
  })
  .chain((c) => paramsFor(c.action).map((params): AliyunWireCase => withShortPrint({ ...c, params })));

// A V3 signature of the right form (64 hex) that is not the right one; V1 a base64 one.
const WRONG_V3_SIGNATURE = 'f'.repeat(64);
const WRONG_V1_SIGNATURE = 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** The request a case describes, signed and then spoiled as it says, and whether it was spoiled only in its signing. */
export function buildWireCase(
  client: AliyunClient,
  c: AliyunWireCase,
  nowMs: number,
): { request: SignedAliyunRequest; options: AliyunRequestOptions; cleanApartFromAuth: boolean } {
  const base = optionsFor({ params: c.params, framing: c.framing });
  const v3 = base.shape === 'v3';
  const auth: AliyunRequestOptions = (() => {
    switch (c.auth) {
      case 'wrong-secret':
        return { secret: 'not-the-secret' };
      case 'unknown-key':
        return { accessKeyId: 'LTAInobodyhasthis' };
      case 'bad-signature':
        return { signature: v3 ? WRONG_V3_SIGNATURE : WRONG_V1_SIGNATURE };
      case 'stale':
        return { timestampMs: nowMs - 16 * 60_000 };
      case 'future':
        return { timestampMs: nowMs + 16 * 60_000 };
      case 'malformed-time':
        return { timestampText: '2026-02-30 12:00:00' };
      case 'no-nonce':
        return v3 ? { nonce: '' } : { commonOverrides: { SignatureNonce: undefined } };
      case 'no-timestamp':
        return v3 ? { timestampText: '' } : { commonOverrides: { Timestamp: undefined } };
      case 'bad-signature-method':
        return v3 ? {} : { commonOverrides: { SignatureMethod: 'HMAC-SHA256' } };
      case 'wrong-version':
        return { version: '2017-06-22' };
      default:
        return {};
    }
  })();
  const options: AliyunRequestOptions = {
    ...base,
    ...auth,
    ...(c.method === undefined ? {} : { method: c.method }),
    ...(c.contentType === undefined ? {} : { contentType: c.contentType }),
    ...(c.body === undefined ? {} : { rawBody: Buffer.from(c.body) }),
  };
  let request = client.sign(c.action, c.params, options);
  const headers = { ...request.headers };
  if (c.auth === 'no-signature') {
    delete headers.authorization;
    const unsign = (text: string) => text.replace(/(^|[?&])Signature=[^&]*/u, '$1X=');
    const body = request.body === undefined || c.body !== undefined ? request.body : Buffer.from(unsign(request.body.toString('utf8')));
    request = { ...request, headers, path: unsign(request.path), body };
  } else if (c.auth === 'garbage-authorization') {
    request = { ...request, headers: { ...headers, authorization: 'ACS3-HMAC-SHA256 Credential=x,Signature=y' } };
  } else if (c.auth === 'bad-signature-method' && v3) {
    request = { ...request, headers: { ...headers, authorization: (headers.authorization ?? '').replace('ACS3-HMAC-SHA256', 'ACS3-HMAC-SHA256 ') } };
  }
  const cleanApartFromAuth =
    c.method === undefined &&
    c.contentType === undefined &&
    c.body === undefined &&
    (c.framing.format === undefined || /^(json|xml)$/iu.test(String(c.framing.format)));
  return { request, options, cleanApartFromAuth };
}
