import { randomBytes } from 'node:crypto';
import { decodeWireParams } from '@postmill/acs';
import { type AliyunAnswer, type AliyunClient, createAliyunClient, type SignedAliyunRequest } from '@postmill/testkit';
import { expect } from 'vitest';
import type { ApiHarness } from '../api-harness.ts';
import { expectTencentEnvelope } from './fuzz-support.ts';

/** How long any one fuzzed request may take to be answered in full: longer is a hang. */
export const ANSWER_WITHIN_MS = 15_000;

/** The testkit's DirectMail client for a harness, on the harness clock (V3 unless a case says otherwise). */
export function aliyunClientFor(api: ApiHarness): AliyunClient {
  return createAliyunClient({ baseUrl: api.baseUrl, accessKeyId: api.secretId, secret: api.secretKey, nowMs: () => api.deps.clock.now() });
}

/**
 * The dialect the router picks for a request (wire notes, "Choosing V3 or V1"): Alibaba's when
 * `Authorization` is ACS3-HMAC-SHA256 or a `Signature` parameter is in the query or a form body
 * (of a method whose body is read);
 * Tencent's otherwise (an Alibaba request that lost its signature is indistinguishable from one).
 */
export function dialectOf(req: SignedAliyunRequest): 'aliyun' | 'tencent' {
  if ((req.headers.authorization ?? '').startsWith('ACS3-HMAC-SHA256 ')) return 'aliyun';
  const q = req.path.indexOf('?');
  const hasSignature = (text: string) => decodeWireParams(text).some(([name]) => name === 'Signature');
  if (q !== -1 && hasSignature(req.path.slice(q + 1))) return 'aliyun';
  const form = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
  // Fastify reads no body for GET (or HEAD): a form sent with one cannot make a request Alibaba's.
  const bodyRead = req.method !== 'GET' && req.method !== 'HEAD';
  return form && bodyRead && req.body !== undefined && hasSignature(req.body.toString('latin1')) ? 'aliyun' : 'tencent';
}

const JSON_TYPE = 'application/json;charset=utf-8';
const XML_TYPE = 'text/xml;charset=utf-8';
const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/u;
const CODE = /^[A-Z][A-Za-z0-9]*(\.[A-Za-z0-9]+)*$/u;
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
// Characters an XML 1.0 document may hold (tab, LF, CR and everything from U+0020 but the surrogates and U+FFFE/F).
const XML_TEXT = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

/**
 * Checks that `xml` is one well-formed element tree (no attributes, as Alibaba writes answers):
 * tags balance, text holds no raw `<` and only the five predefined entities, and every character
 * is one XML allows. Answers the root element's name and its direct children as [name, text].
 */
export function parseAnswerXml(xml: string, what: string): { root: string; children: Array<[string, string]> } {
  expect(xml.startsWith(XML_DECLARATION), `${what}: XML declaration`).toBe(true);
  const doc = xml.slice(XML_DECLARATION.length);
  expect(XML_TEXT.test(doc), `${what}: a character XML cannot carry`).toBe(true);
  const stack: string[] = [];
  const children: Array<[string, string]> = [];
  let root = '';
  let text = '';
  for (const token of doc.split(/(<[^<>]*>)/u)) {
    if (token === '') continue;
    if (!token.startsWith('<')) {
      expect(stack.length, `${what}: text outside the root element`).toBeGreaterThan(0);
      expect(/&(?!(amp|lt|gt|quot|apos);)/u.test(token), `${what}: a bare & in ${JSON.stringify(token.slice(0, 80))}`).toBe(false);
      expect(token.includes('>') || token.includes('<'), `${what}: a raw < or > in text`).toBe(false);
      text += token;
      continue;
    }
    const close = /^<\/([A-Za-z_][\w.-]*)>$/u.exec(token);
    const open = /^<([A-Za-z_][\w.-]*)>$/u.exec(token);
    expect(close ?? open, `${what}: not a plain tag: ${token.slice(0, 80)}`).not.toBeNull();
    if (open?.[1]) {
      if (stack.length === 0) {
        expect(root, `${what}: a second root element`).toBe('');
        root = open[1];
      }
      stack.push(open[1]);
      text = '';
    } else if (close?.[1]) {
      expect(stack.pop(), `${what}: </${close[1]}> closes another element`).toBe(close[1]);
      if (stack.length === 1) children.push([close[1], text]);
      text = '';
    }
  }
  expect(stack, `${what}: unclosed elements`).toEqual([]);
  expect(root, `${what}: no root element`).not.toBe('');
  return { root, children };
}

/** What a refusal or success looked like, for tallies and later assertions. */
export interface AliyunOutcome {
  readonly dialect: 'aliyun' | 'tencent';
  readonly status: number;
  /** The error code, undefined on success. */
  readonly code: string | undefined;
  readonly format: 'json' | 'xml';
}

/**
 * The property every answer of the DirectMail dialect must have: HTTP 200 with `{RequestId, …}`
 * (no `Code`: pop-core would take the success for an error) and the root `<{Action}Response>` in
 * XML, or a 4xx with exactly `{RequestId, HostId, Code, Message}` (JSON, or `<Error>` with those
 * four children in XML); the content type is exactly the one the SDKs parse; never a 5xx.
 * `expectedFormat`, when the request's Format can be predicted, must be the answer's.
 */
export function expectAliyunEnvelope(
  answer: AliyunAnswer,
  what: string,
  expected: { action?: string | undefined; format?: 'json' | 'xml' | undefined } = {},
): AliyunOutcome {
  const brief = `${what} → HTTP ${answer.status} ${answer.text.slice(0, 300)}`;
  expect(answer.status === 200 || (answer.status >= 400 && answer.status < 500), `${brief}: status`).toBe(true);
  expect([JSON_TYPE, XML_TYPE], `${brief}: content type`).toContain(answer.contentType);
  const format = answer.contentType === XML_TYPE ? 'xml' : 'json';
  if (expected.format !== undefined) expect(format, `${brief}: answer format`).toBe(expected.format);
  if (format === 'json') {
    expect(typeof answer.body, `${brief}: JSON body`).toBe('object');
    const body = typeof answer.body === 'object' ? answer.body : {};
    expect(body.RequestId, `${brief}: RequestId`).toMatch(REQUEST_ID);
    if (answer.status === 200) {
      expect(Object.keys(body)[0], `${brief}: RequestId first`).toBe('RequestId');
      expect(body.Code, `${brief}: a success carries no Code`).toBeUndefined();
      return { dialect: 'aliyun', status: 200, code: undefined, format };
    }
    expect(Object.keys(body), `${brief}: error keys`).toEqual(['RequestId', 'HostId', 'Code', 'Message']);
    expect(typeof body.HostId === 'string' && body.HostId.length > 0, `${brief}: HostId`).toBe(true);
    expect(body.Code, `${brief}: Code`).toMatch(CODE);
    expect(typeof body.Message === 'string' && body.Message.length > 0, `${brief}: Message`).toBe(true);
    return { dialect: 'aliyun', status: answer.status, code: String(body.Code), format };
  }
  const { root, children } = parseAnswerXml(answer.text, brief);
  if (answer.status === 200) {
    if (expected.action !== undefined) expect(root, `${brief}: root`).toBe(`${expected.action}Response`);
    expect(children[0]?.[0], `${brief}: RequestId first`).toBe('RequestId');
    expect(children[0]?.[1], `${brief}: RequestId`).toMatch(REQUEST_ID);
    expect(
      children.some(([n]) => n === 'Code'),
      `${brief}: a success carries no Code`,
    ).toBe(false);
    return { dialect: 'aliyun', status: 200, code: undefined, format };
  }
  expect(root, `${brief}: root`).toBe('Error');
  expect(
    children.map(([n]) => n),
    `${brief}: error elements`,
  ).toEqual(['RequestId', 'HostId', 'Code', 'Message']);
  const [requestId, hostId, code, message] = children.map(([, v]) => v);
  expect(requestId, `${brief}: RequestId`).toMatch(REQUEST_ID);
  expect(hostId?.length ?? 0, `${brief}: HostId`).toBeGreaterThan(0);
  expect(code, `${brief}: Code`).toMatch(CODE);
  expect(message?.length ?? 0, `${brief}: Message`).toBeGreaterThan(0);
  return { dialect: 'aliyun', status: answer.status, code, format };
}

/**
 * Sends a request and checks its answer in the envelope of the dialect the router picks for it:
 * DirectMail's (above), or Tencent's for a request without any Alibaba signature (always an error
 * then: no Tencent credential signed it). Fails a request not answered within ANSWER_WITHIN_MS.
 */
export async function sendAndCheck(
  client: AliyunClient,
  req: SignedAliyunRequest,
  what: string,
  expected: { action?: string | undefined; format?: 'json' | 'xml' | undefined } = {},
): Promise<AliyunOutcome & { answer: AliyunAnswer }> {
  const answer = await client.send(req, { timeoutMs: ANSWER_WITHIN_MS });
  if (dialectOf(req) === 'aliyun') return { ...expectAliyunEnvelope(answer, what, expected), answer };
  const code = expectTencentEnvelope({ status: answer.status, contentType: answer.contentType ?? null, text: answer.text }, `${what} (Tencent-shaped)`);
  expect(code, `${what}: an unsigned request answered as a success`).toBeDefined();
  return { dialect: 'tencent', status: answer.status, code, format: 'json', answer };
}

/**
 * What the fuzzed requests can reach: a domain, two sender addresses (trigger and batch) and a third
 * one to modify or delete (`mailAddressId`), a template, a tag and a list with members, and a spare
 * template, list and tag to delete.
 */
export interface AliyunFixtures {
  readonly domain: string;
  readonly domainId: string;
  readonly triggerAddress: string;
  readonly batchAddress: string;
  readonly mailAddressId: string;
  readonly templateId: string;
  readonly templateName: string;
  readonly receiverId: string;
  readonly receiversName: string;
  readonly tagId: string;
  readonly tagName: string;
  /** Made to be deleted, so deleting them leaves the ones above for the sends. */
  readonly spareTemplateId: string;
  readonly spareReceiverId: string;
  readonly spareTagId: string;
}

const FIXTURE_DOMAIN = 'dm.fuzz.example';

/**
 * (Re)creates the fixtures through the dialect itself. Idempotent: fuzzed Delete* calls may remove
 * any of them, so runs call this now and then; "already exists" answers are expected. A new
 * template, tag and list are made each time (names must be unique), so ids always name live things.
 */
export async function ensureAliyunFixtures(client: AliyunClient): Promise<AliyunFixtures> {
  const suffix = randomBytes(4).toString('hex');
  await client.call('CreateDomain', { DomainName: FIXTURE_DOMAIN });
  const domains = await client.request('QueryDomainByParam', { KeyWord: FIXTURE_DOMAIN });
  const domainId = String(domains.data?.domain?.[0]?.DomainId ?? 0);
  const triggerAddress = `news@${FIXTURE_DOMAIN}`;
  const batchAddress = `bulk@${FIXTURE_DOMAIN}`;
  await client.call('CreateMailAddress', { AccountName: triggerAddress, Sendtype: 'trigger', ReplyAddress: `reply@${FIXTURE_DOMAIN}` });
  await client.call('CreateMailAddress', { AccountName: batchAddress, Sendtype: 'batch' });
  const victim = await client.call('CreateMailAddress', {
    AccountName: `v${suffix}@${FIXTURE_DOMAIN}`,
    Sendtype: 'trigger',
    ReplyAddress: `reply@${FIXTURE_DOMAIN}`,
  });
  const templateName = `fz${suffix}`;
  const template = await client.call('CreateTemplate', {
    TemplateName: templateName,
    TemplateSubject: 'Hi {UserName}',
    TemplateText: '<p>Hello {UserName} ({NickName})</p>',
  });
  const tagName = `fz_${suffix}`;
  const tag = await client.call('CreateTag', { TagName: tagName, TagDescription: 'fuzz' });
  const receiversName = `fz${suffix}`;
  const receiver = await client.call('CreateReceiver', { ReceiversName: receiversName, ReceiversAlias: `fz${suffix}@x.example`, Desc: 'fuzz' });
  const receiverId = String(typeof receiver.body === 'object' ? (receiver.body.ReceiverId ?? 0) : 0);
  await client.call('SaveReceiverDetail', {
    ReceiverId: receiverId,
    Detail: JSON.stringify([
      { e: 'alice@example.org', u: 'Alice', n: 'Al' },
      { e: 'bob@example.net', u: '<b>Bob</b>', n: 'B\r\nBcc: x@evil.example' },
    ]),
  });
  const spareTemplate = await client.call('CreateTemplate', { TemplateName: `fs${suffix}`, TemplateText: '<p>spare</p>' });
  const spareReceiver = await client.call('CreateReceiver', { ReceiversName: `fs${suffix}`, ReceiversAlias: `fs${suffix}@x.example` });
  const spareTag = await client.call('CreateTag', { TagName: `fs_${suffix}` });
  const field = (a: AliyunAnswer, name: string) => String(typeof a.body === 'object' ? (a.body[name] ?? 0) : 0);
  return {
    domain: FIXTURE_DOMAIN,
    domainId,
    triggerAddress,
    batchAddress,
    mailAddressId: field(victim, 'MailAddressId'),
    spareTemplateId: field(spareTemplate, 'TemplateId'),
    spareReceiverId: field(spareReceiver, 'ReceiverId'),
    spareTagId: field(spareTag, 'TagId'),
    templateId: field(template, 'TemplateId'),
    templateName,
    receiverId,
    receiversName,
    tagId: field(tag, 'TagId'),
    tagName,
  };
}

/** Replaces the `$fixture` placeholders the arbitraries write (`$templateId`, `$tagName`, …) with live values. */
export function resolveFixtures(value: string, fixtures: AliyunFixtures): string {
  if (!value.includes('$')) return value;
  return value.replace(/\$([a-zA-Z]+)/gu, (whole, name: string) => (Object.hasOwn(fixtures, name) ? String(fixtures[name as keyof AliyunFixtures]) : whole));
}

/** Counts by key, printed as the most frequent first. */
export class Tally {
  private readonly counts = new Map<string, number>();
  add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }
  keys(): string[] {
    return [...this.counts.keys()];
  }
  top(n: number): string {
    return [...this.counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, c]) => `${k} ×${c}`)
      .join(', ');
  }
}
