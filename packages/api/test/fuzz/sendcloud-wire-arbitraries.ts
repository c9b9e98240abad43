import fc from 'fast-check';
import { expect } from 'vitest';
import { isSuccessCode } from '../../src/sendcloud/envelope.ts';
import { SENDCLOUD_STATUS_MESSAGES } from '../../src/sendcloud/status-codes.ts';
import { encodeForm, encodeMultipart, type FilePart, isEnvelope, type SendCloudAnswer, sendRaw } from '../sendcloud/sendcloud-client.ts';

/**
 * SendCloud requests as clients send them and spoiled on the wire: real and unknown paths in any
 * case, every method, right/wrong/missing credentials in the body or the query, parameters of every
 * action with random values (Unicode, `%` sequences, `;` lists), and bodies urlencoded with `+` or
 * `%20`, multipart (Java or Python style, with attachments, or cut short), JSON, random bytes,
 * invalid UTF-8, or none.
 */

/** How the credentials are sent. */
export type SendCloudAuth = 'right' | 'wrong-key' | 'unknown-user' | 'missing' | 'in-query';

export type SendCloudBodyKind =
  | 'form-plus'
  | 'form-percent20'
  | 'multipart-java'
  | 'multipart-python'
  | 'multipart-cut'
  | 'json'
  | 'bytes'
  | 'latin1-form'
  | 'none';

export interface SendCloudWireCase {
  readonly method: string;
  readonly path: string;
  readonly auth: SendCloudAuth;
  readonly params: ReadonlyArray<readonly [string, string]>;
  readonly queryParams: ReadonlyArray<readonly [string, string]>;
  readonly body: SendCloudBodyKind;
  readonly files: readonly FilePart[];
  readonly randomBytes: Uint8Array;
  readonly contentTypeCase: 'as-is' | 'upper' | 'no-charset' | 'gbk';
}

const KNOWN_PATHS = [
  'apiuser/add',
  'apiuser/list',
  'userinfo/get',
  'apiUser/List',
  'mail/send',
  'mail/sendtemplate',
  'template/list',
  'addresslist/add',
  'addressmember/add',
  'label/add',
  'domain/list',
];

const PARAM_NAMES = [
  'name',
  'emailType',
  'cType',
  'domainName',
  'open',
  'click',
  'unsubscribe',
  'to',
  'from',
  'subject',
  'html',
  'plain',
  'xsmtpapi',
  'start',
  'limit',
  'days',
  'invokeName',
  'address',
  'members',
  'vars',
  '__proto__',
  'constructor',
  'apiUser',
];

const value = fc.oneof(
  fc.constantFrom(
    '',
    '0',
    '1',
    '2',
    '-1',
    'true',
    'x'.repeat(300),
    'valid_name_1',
    'mail.example.org',
    '%name%',
    '100%',
    '%zz',
    'a;b;;c',
    '{"to":["a@b.c"]}',
    '中文',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

const param = fc.tuple(fc.oneof(fc.constantFrom(...PARAM_NAMES), fc.string({ minLength: 1, maxLength: 12 })), value);

const path = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...KNOWN_PATHS) },
  { weight: 1, arbitrary: fc.constantFrom('', 'mail', 'a/b/c', 'probe/../userinfo/get', 'userinfo%2Fget', 'USERINFO/GET/', 'mail/send.json') },
  { weight: 1, arbitrary: fc.tuple(fc.stringMatching(/^[a-z]{1,8}$/u), fc.stringMatching(/^[a-zA-Z0-9]{1,8}$/u)).map(([m, a]) => `${m}/${a}`) },
);

const file: fc.Arbitrary<FilePart> = fc.record({
  filename: fc.oneof(fc.constantFrom('a.txt', 'report.pdf', '报告.pdf', 'no"quote.bin'), fc.stringMatching(/^[a-zA-Z0-9._-]{1,16}$/u)),
  content: fc.uint8Array({ maxLength: 3000 }).map((b) => Buffer.from(b)),
});

export const sendCloudWireCases: fc.Arbitrary<SendCloudWireCase> = fc.record({
  method: fc.oneof({ weight: 8, arbitrary: fc.constantFrom('GET', 'POST') }, { weight: 1, arbitrary: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS') }),
  path,
  auth: fc.constantFrom<SendCloudAuth>('right', 'right', 'right', 'wrong-key', 'unknown-user', 'missing', 'in-query'),
  params: fc.array(param, { maxLength: 8 }),
  queryParams: fc.array(param, { maxLength: 3 }),
  body: fc.constantFrom<SendCloudBodyKind>(
    'form-plus',
    'form-percent20',
    'multipart-java',
    'multipart-python',
    'multipart-cut',
    'json',
    'bytes',
    'latin1-form',
    'none',
  ),
  files: fc.array(file, { maxLength: 3 }),
  randomBytes: fc.uint8Array({ maxLength: 400 }),
  contentTypeCase: fc.constantFrom('as-is', 'upper', 'no-charset', 'gbk'),
});

/** A request ready to send. */
export interface BuiltRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer | undefined;
}

function formType(c: SendCloudWireCase): string {
  switch (c.contentTypeCase) {
    case 'upper':
      return 'Application/X-WWW-FORM-URLENCODED; Charset=UTF-8';
    case 'no-charset':
      return 'application/x-www-form-urlencoded';
    case 'gbk':
      return 'application/x-www-form-urlencoded;charset=GBK';
    default:
      return 'application/x-www-form-urlencoded;charset=UTF-8';
  }
}

/** Builds the request of a case for an API whose built-in credential is (apiUser, apiKey). */
export function buildSendCloudRequest(c: SendCloudWireCase, credential: { apiUser: string; apiKey: string }): BuiltRequest {
  const creds: [string, string][] =
    c.auth === 'missing'
      ? []
      : [
          ['apiUser', c.auth === 'unknown-user' ? 'nobody_knows_me' : credential.apiUser],
          ['apiKey', c.auth === 'wrong-key' ? `${credential.apiKey}!` : credential.apiKey],
        ];
  const inQuery = c.auth === 'in-query' || c.method !== 'POST';
  const query = [...(inQuery ? creds : []), ...c.queryParams];
  const bodyParams = [...(inQuery ? [] : creds), ...c.params];
  const params = (pairs: ReadonlyArray<readonly [string, string]>) => {
    // Repeated names as arrays, in order (the first wins on the server).
    const o: Record<string, string[]> = Object.create(null);
    for (const [n, v] of pairs) {
      const list = o[n] ?? [];
      list.push(v);
      o[n] = list;
    }
    return o;
  };
  const queryText = encodeForm(params(c.method === 'POST' ? query : [...query, ...c.params]));
  const url = `/apiv2/${c.path}${queryText === '' ? '' : `?${queryText}`}`;
  if (c.method === 'GET' || c.method === 'OPTIONS') return { method: c.method, path: url, headers: {}, body: undefined };
  switch (c.body) {
    case 'form-plus':
    case 'form-percent20':
      return {
        method: c.method,
        path: url,
        headers: { 'content-type': formType(c) },
        body: Buffer.from(encodeForm(params(bodyParams), c.body === 'form-plus' ? 'plus' : 'percent20')),
      };
    case 'latin1-form':
      return {
        method: c.method,
        path: url,
        headers: { 'content-type': formType(c) },
        body: Buffer.from(encodeForm(params(bodyParams)).replace(/%C3%A9/giu, 'é'), 'latin1'),
      };
    case 'multipart-java':
    case 'multipart-python':
    case 'multipart-cut': {
      const m = encodeMultipart(params(bodyParams), c.files, c.body === 'multipart-python' ? 'python' : 'java');
      const body = c.body === 'multipart-cut' ? m.body.subarray(0, Math.floor(m.body.length / 2)) : m.body;
      return { method: c.method, path: url, headers: { 'content-type': m.contentType }, body };
    }
    case 'json':
      return {
        method: c.method,
        path: url,
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify(Object.fromEntries(bodyParams))),
      };
    case 'bytes':
      return { method: c.method, path: url, headers: { 'content-type': formType(c) }, body: Buffer.from(c.randomBytes) };
    case 'none':
      return { method: c.method, path: url, headers: {}, body: undefined };
  }
}

/** Sends a built request. */
export function sendBuilt(baseUrl: string, r: BuiltRequest): Promise<SendCloudAnswer> {
  return sendRaw(baseUrl, { method: r.method, path: r.path, headers: r.headers, ...(r.body === undefined ? {} : { body: r.body }) });
}

/**
 * The property every SendCloud answer must have: HTTP 200, `application/json;charset=UTF-8`, the
 * four-key envelope, a documented code whose documented message starts the message, `result`
 * true exactly for success codes, and never 501 (a server fault) for anything a caller sent.
 * Returns the code.
 */
export function expectSendCloudEnvelope(answer: SendCloudAnswer, what: string): number {
  expect(answer.status, what).toBe(200);
  expect(answer.contentType, what).toBe('application/json;charset=UTF-8');
  expect(isEnvelope(answer.body), `${what}: ${answer.text.slice(0, 300)}`).toBe(true);
  const code = answer.body.statusCode as keyof typeof SENDCLOUD_STATUS_MESSAGES;
  expect(SENDCLOUD_STATUS_MESSAGES[code], `${what}: undocumented code ${code}`).toBeDefined();
  expect((answer.body.message as string).startsWith(SENDCLOUD_STATUS_MESSAGES[code]), what).toBe(true);
  expect(answer.body.result, what).toBe(isSuccessCode(code));
  expect(code, `${what}: a server fault (${answer.body.message})`).not.toBe(501);
  return code;
}
