import type { MailMessage, ProviderFailureKind, TransportRequest } from '@postmill/core';
import {
  DOCUMENTED_SENDCLOUD_ERRORS,
  type FakeSendCloud,
  type FakeSendCloudMessage,
  messagesOf,
  type RecordedSendCloudRequest,
  startFakeSendCloud,
} from '@postmill/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSendCloudTransport, type SendCloudTransportOptions } from '../src/sendcloud-transport.ts';
import { closedPort, rejection, requestOf, sampleMessage, withAnswer200 } from './http-provider-support.ts';
import { type ContractHarness, type DeliveredMail, describeTransportContract } from './transport-contract.ts';

/**
 * What SendCloud would deliver for one message of an accepted mail/send: the envelope and the
 * headers it renders (From with fromName, To, Cc, Subject, Reply-To from replyTo) plus those of
 * `headers` (Message-ID included), names lower-cased.
 */
function deliveredFromSendCloud(m: FakeSendCloudMessage): DeliveredMail {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(m.headers)) headers[name.toLowerCase()] = value;
  headers['from'] = m.fromName ? `"${m.fromName}" <${m.from}>` : m.from;
  headers['to'] = m.toHeader.join(', ');
  if (m.ccHeader.length > 0) headers['cc'] = m.ccHeader.join(', ');
  headers['subject'] = m.subject;
  if (m.replyTo.length > 0) headers['reply-to'] = m.replyTo.join(', ');
  return {
    recipients: [...m.recipients],
    from: m.from,
    subject: m.subject,
    ...(m.html !== undefined ? { html: m.html } : {}),
    ...(m.plain !== undefined ? { text: m.plain } : {}),
    attachments: m.attachments.map((a) => ({ filename: a.filename, content: a.content })),
    headers,
  };
}

const accepted = (requests: readonly RecordedSendCloudRequest[]) => requests.filter((r) => r.outcome?.kind === 'accepted' && r.mail);

async function sendCloudHarness(): Promise<ContractHarness> {
  const server = await startFakeSendCloud();
  const t = createSendCloudTransport({ endpoint: server.endpoint, apiUser: server.apiUser, apiKey: server.apiKey, timeoutMs: 5_000 });
  return {
    transport: t,
    delivered: async () => accepted(server.requests).flatMap((r) => (r.mail ? messagesOf(r.mail) : []).map(deliveredFromSendCloud)),
    async cleanup() {
      await t.close();
      await server.close();
    },
  };
}

// mail/send takes attachments as multipart file parts: the contract's byte-for-byte case applies;
// personal messages go together with xsmtpapi: the personal-messages cases apply.
describeTransportContract('sendcloud', sendCloudHarness, { attachments: true, personalised: true });

let fake: FakeSendCloud;
beforeAll(async () => {
  fake = await startFakeSendCloud();
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

function transport(overrides: Partial<SendCloudTransportOptions> = {}) {
  return createSendCloudTransport({ endpoint: fake.endpoint, apiUser: fake.apiUser, apiKey: fake.apiKey, ...overrides });
}

const message = (overrides: Partial<MailMessage> = {}): MailMessage => sampleMessage({ subject: 'Spring update 100% off', ...overrides });

function request(msg: MailMessage = message(), recipients?: readonly string[]): TransportRequest {
  return requestOf(msg, recipients);
}

const HEADERS_JSON = JSON.stringify({
  'Message-ID': '<m1.alice@mail.example.com>',
  'X-User-Campaign': 'spring',
  'List-Unsubscribe': '<https://u.example.com/x>',
});

describe('SendCloud transport: the wire request', () => {
  it('posts one urlencoded mail/send with the credentials, sender, ;-separated to/cc/bcc, content, replyTo, headers JSON and respEmailId, in that order', async () => {
    const t = transport();
    await t.send(request(message(), ['alice@example.com', 'dave@example.com', 'carol@example.com', 'bob@example.com']));
    expect(fake.requests).toHaveLength(1);
    const r = fake.requests[0];
    expect([r?.method, r?.path, r?.encoding]).toEqual(['POST', '/apiv2/mail/send', 'urlencoded']);
    expect(r?.headers['content-type']).toBe('application/x-www-form-urlencoded;charset=UTF-8');
    expect(r?.fieldList).toEqual([
      ['apiUser', fake.apiUser],
      ['apiKey', fake.apiKey],
      ['from', 'news@mail.example.com'],
      ['fromName', 'Example News'],
      ['to', 'alice@example.com;bob@example.com'],
      ['cc', 'carol@example.com'],
      ['bcc', 'dave@example.com'],
      ['subject', 'Spring update 100% off'],
      ['html', '<p>Hello 世界</p>'],
      ['plain', 'Hello 世界'],
      ['replyTo', 'support@example.com'],
      ['headers', HEADERS_JSON],
      ['respEmailId', 'true'],
    ]);
    expect(r?.outcome?.kind).toBe('accepted');
    await t.close();
  });

  it('encodes the form as URLSearchParams does: + for a space, %25 for a literal %, UTF-8 percent-escapes', async () => {
    const t = transport();
    await t.send(request());
    const raw = fake.requests[0]?.rawBody ?? '';
    expect(raw).toContain('&subject=Spring+update+100%25+off&');
    expect(raw).toContain(`&plain=Hello+${encodeURIComponent('世界')}&`);
    expect(raw).toContain('&to=alice%40example.com&');
    await t.close();
  });

  it('sends labelId when configured, and never an xsmtpapi field', async () => {
    const t = transport({ labelId: '4321' });
    await t.send(request());
    const names = fake.requests[0]?.fieldList.map(([name]) => name) ?? [];
    expect(fake.requests[0]?.fields.labelId).toBe('4321');
    expect(names.indexOf('labelId')).toBe(names.indexOf('headers') + 1);
    expect(names).not.toContain('xsmtpapi');
    expect(fake.requests[0]?.mail?.labelId).toBe(4321);
    await t.close();
  });

  it('omits fromName, cc, bcc, replyTo, labelId and an absent body, and sends only the Message-ID header when the message has no other', async () => {
    const t = transport();
    const { replyTo: _r, html: _h, ...bare } = message({ headers: {}, from: { address: 'news@mail.example.com' } });
    await t.send(request(bare));
    expect(fake.requests[0]?.fieldList.map(([name]) => name)).toEqual(['apiUser', 'apiKey', 'from', 'to', 'subject', 'plain', 'headers', 'respEmailId']);
    expect(JSON.parse(fake.requests[0]?.fields.headers ?? '{}')).toEqual({ 'Message-ID': '<m1.alice@mail.example.com>' });
    await t.close();
  });

  it('addresses a request with Bcc recipients only To the sender address, keeping them in bcc', async () => {
    const t = transport();
    const result = await t.send(request(message(), ['dave@example.com', 'eve@example.net']));
    expect(fake.requests[0]?.mail).toMatchObject({ to: ['news@mail.example.com'], cc: [], bcc: ['dave@example.com', 'eve@example.net'] });
    expect(result.outcomes.map((o) => [o.recipient, o.accepted])).toEqual([
      ['dave@example.com', true],
      ['eve@example.net', true],
    ]);
    await t.close();
  });

  it('splits more than 100 recipients of a list into calls of at most 100 per list, the other lists riding with the first', async () => {
    const to = Array.from({ length: 150 }, (_, i) => `user${i}@example.org`);
    const t = transport();
    const result = await t.send(request(message({ to, cc: [], bcc: ['dave@example.com'] }), [...to, 'dave@example.com']));
    expect(fake.requests.map((r) => [r.mail?.to.length, r.mail?.cc.length, r.mail?.bcc.length])).toEqual([
      [100, 0, 1],
      [50, 0, 0],
    ]);
    expect(result.outcomes.map((o) => o.recipient)).toEqual([...to, 'dave@example.com']);
    expect(result.outcomes.every((o) => o.accepted)).toBe(true);
    await t.close();
  });

  it('reports the recipients of calls already accepted as accepted when a later call is frequency-limited, and that error for the rest', async () => {
    const to = Array.from({ length: 120 }, (_, i) => `user${i}@example.org`);
    let calls = 0;
    fake.respondWith(() => (++calls === 2 ? { kind: 'error', statusCode: 50001 } : undefined));
    const t = transport();
    const result = await t.send(request(message({ to, cc: [], bcc: [] }), to));
    expect(result.outcomes.slice(0, 100).every((o) => o.accepted)).toBe(true);
    const rest = result.outcomes.slice(100);
    expect(rest).toHaveLength(20);
    for (const o of rest) expect(o.accepted ? undefined : [o.error.code, o.error.kind]).toEqual(['SendCloud.50001', 'throttled']);
    await t.close();
  });

  it('posts multipart/form-data when there are attachments: the same fields in order, then one attachments file part each with its name, type and bytes', async () => {
    const pdf = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x10]);
    const withFiles = message({
      attachments: [
        { filename: 'report.pdf', contentBase64: pdf.toString('base64'), contentType: 'application/pdf' },
        { filename: '说明.txt', contentBase64: Buffer.from('第一行\n').toString('base64') },
      ],
    });
    const t = transport({ labelId: '7' });
    await t.send(request(withFiles, ['alice@example.com']));
    const r = fake.requests[0];
    expect(r?.encoding).toBe('multipart');
    expect(r?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/u);
    expect(r?.fieldList).toEqual([
      ['apiUser', fake.apiUser],
      ['apiKey', fake.apiKey],
      ['from', 'news@mail.example.com'],
      ['fromName', 'Example News'],
      ['to', 'alice@example.com'],
      ['subject', 'Spring update 100% off'],
      ['html', '<p>Hello 世界</p>'],
      ['plain', 'Hello 世界'],
      ['replyTo', 'support@example.com'],
      ['headers', HEADERS_JSON],
      ['labelId', '7'],
      ['respEmailId', 'true'],
    ]);
    expect(r?.files.map((f) => [f.fieldName, f.filename, f.contentType, f.content.toString('hex')])).toEqual([
      ['attachments', 'report.pdf', 'application/pdf', pdf.toString('hex')],
      ['attachments', '说明.txt', 'text/plain', Buffer.from('第一行\n').toString('hex')],
    ]);
    expect(r?.outcome?.kind).toBe('accepted');
    await t.close();
  });

  it('posts an inline image (a contentId) as an embeddedImage part with its id in embeddedCid, ordinary attachments as attachments parts', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x01]);
    const withInline = message({
      html: '<p><img src="cid:logo.1"></p>',
      attachments: [
        { filename: 'terms.txt', contentBase64: Buffer.from('terms').toString('base64') },
        { filename: 'logo.png', contentBase64: png.toString('base64'), contentType: 'image/png', contentId: 'logo.1' },
      ],
    });
    const t = transport();
    await t.send(request(withInline, ['alice@example.com']));
    const r = fake.requests[0];
    expect(r?.fields.embeddedCid).toBe('logo.1');
    expect(r?.files.map((f) => [f.fieldName, f.filename, f.content.toString('hex')])).toEqual([
      ['attachments', 'terms.txt', Buffer.from('terms').toString('hex')],
      ['embeddedImage', 'logo.png', png.toString('hex')],
    ]);
    expect(r?.mail?.embeddedImages.map((i) => [i.cid, i.filename])).toEqual([['logo.1', 'logo.png']]);
    expect(r?.outcome?.kind).toBe('accepted');
    await t.close();
  });

  it('sends the addresses of a Reply-To list as a ;-separated replyTo, display names dropped', async () => {
    const t = transport();
    await t.send(request(message({ replyTo: '"Support, Team" <support@example.com>, help@example.com' })));
    expect(fake.requests[0]?.fields.replyTo).toBe('support@example.com;help@example.com');
    expect(fake.requests[0]?.mail?.replyTo).toEqual(['support@example.com', 'help@example.com']);
    await t.close();
  });

  it('posts to <endpoint>/mail/send whether or not the endpoint ends with a slash', async () => {
    const t = transport({ endpoint: `${fake.endpoint}/` });
    await t.send(request());
    expect(fake.requests[0]?.path).toBe('/apiv2/mail/send');
    await t.close();
  });

  it('warms up without sending anything to the provider, and sends normally afterwards', async () => {
    const t = transport();
    await t.warmUp?.();
    expect(fake.requests).toHaveLength(0);
    await t.send(request());
    expect(fake.requests.map((r) => r.outcome?.kind)).toEqual(['accepted']);
    await t.close();
  });
});

describe('SendCloud transport: answers', () => {
  it('accepts every recipient of the request, each with the emailId SendCloud listed for it as the response', async () => {
    const t = transport();
    const result = await t.send(request(message(), ['carol@example.com', 'Alice@Example.com']));
    const outcome = fake.requests[0]?.outcome;
    const ids = outcome?.kind === 'accepted' ? outcome.emailIds : [];
    expect(ids).toHaveLength(2);
    expect(ids[0]).toMatch(/^\d+_\d+_\d+_\d+\.sc-[\d_]+-inbound0\$Alice@Example\.com$/u);
    expect(result.outcomes).toEqual([
      { recipient: 'carol@example.com', accepted: true, response: `accepted by SendCloud as emailId ${ids[1]}` },
      { recipient: 'Alice@Example.com', accepted: true, response: `accepted by SendCloud as emailId ${ids[0]}` },
    ]);
    await t.close();
  });

  /** The kind each documented code must get (sendcloud-classify.ts decides; this is the expectation). */
  const expectedKind: Readonly<Record<number, ProviderFailureKind>> = {
    50001: 'throttled',
    501: 'transient',
    40901: 'transient',
    40902: 'transient',
    40904: 'transient',
    40867: 'transient',
    40911: 'transient',
  };
  const documented = DOCUMENTED_SENDCLOUD_ERRORS.map((e) => [e.statusCode, expectedKind[e.statusCode] ?? 'permanent', e.message] as const);

  it.each(documented)('surfaces statusCode %i as SendCloud.<code>, classified %s, with the published message', async (statusCode, kind, published) => {
    fake.failNext(statusCode);
    const t = transport();
    const err = await rejection(t.send(request()));
    expect([err.code, err.kind, err.message, err.httpStatus, err.context]).toEqual([`SendCloud.${statusCode}`, kind, published, undefined, { statusCode }]);
    await t.close();
  });

  it("surfaces a wrong apiKey as the fake's own 40005 (认证失败), a permanent error, and sends nothing further", async () => {
    const err = await rejection(transport({ apiKey: 'not-the-key' }).send(request()));
    expect([err.code, err.kind, err.message]).toEqual(['SendCloud.40005', 'permanent', '认证失败']);
    expect(fake.requests[0]?.mail).toBeUndefined();
  });

  it("surfaces an invalid recipient as the fake's own 40806, a permanent error", async () => {
    const err = await rejection(transport().send(request(message({ to: ['not-an-address'] }), ['not-an-address'])));
    expect([err.code, err.kind]).toEqual(['SendCloud.40806', 'permanent']);
  });

  it('surfaces bare HTTP answers as HTTP.<status> with httpStatus: 429 throttled with Retry-After, 503 transient, 403 permanent', async () => {
    fake.respondHttp(429, { retryAfterSeconds: 7 });
    fake.respondHttp(503);
    fake.respondHttp(403);
    const t = transport();
    const seen = [];
    for (let i = 0; i < 3; i++) {
      const err = await rejection(t.send(request()));
      seen.push([err.code, err.httpStatus, err.kind, err.retryAfterMs]);
    }
    expect(seen).toEqual([
      ['HTTP.429', 429, 'throttled', 7000],
      ['HTTP.503', 503, 'transient', undefined],
      ['HTTP.403', 403, 'permanent', undefined],
    ]);
    await t.close();
  });

  it('surfaces an endpoint without the /apiv2 base as HTTP.404, a permanent error', async () => {
    const err = await rejection(transport({ endpoint: `http://127.0.0.1:${fake.port}` }).send(request()));
    expect([err.code, err.httpStatus, err.kind]).toEqual(['HTTP.404', 404, 'permanent']);
  });

  it('surfaces an answer slower than timeoutMs as Network.Timeout, a transient error', async () => {
    fake.delayNext(5_000);
    const err = await rejection(transport({ timeoutMs: 100 }).send(request()));
    expect([err.code, err.kind]).toEqual(['Network.Timeout', 'transient']);
  });

  it('surfaces a reset connection as a transient Network error, keeping the cause', async () => {
    fake.resetConnectionNext();
    const err = await rejection(transport().send(request()));
    expect(err.code).toMatch(/^Network\./u);
    expect(err.kind).toBe('transient');
    expect(err.cause).toBeDefined();
  });

  it('surfaces a refused connection as Network.ECONNREFUSED, a transient error', async () => {
    const port = await closedPort();
    const err = await rejection(transport({ endpoint: `http://127.0.0.1:${port}/apiv2` }).send(request()));
    expect([err.code, err.kind]).toEqual(['Network.ECONNREFUSED', 'transient']);
  });

  /** Runs `fn` against a loopback server answering every request HTTP 200 with `body`. */
  async function withAnswer(body: string, fn: (endpoint: string) => Promise<void>): Promise<void> {
    await withAnswer200(body, 'application/json', (origin) => fn(`${origin}/apiv2`));
  }

  it('surfaces an HTTP 200 that is not the envelope as Network.InvalidResponse, a transient error', async () => {
    for (const body of ['<html>gateway</html>', 'null', '{"statusCode":200}', '{"result":false,"message":"no code"}']) {
      await withAnswer(body, async (endpoint) => {
        const t = transport({ endpoint });
        const err = await rejection(t.send(request()));
        expect([err.code, err.kind, err.httpStatus, err.context.httpStatus], body).toEqual(['Network.InvalidResponse', 'transient', undefined, 200]);
        await t.close();
      });
    }
  });

  it('accepts a result:true answer that lists no emailId, saying so in the response', async () => {
    await withAnswer('{"result":true,"statusCode":200,"message":"请求成功","info":{}}', async (endpoint) => {
      const t = transport({ endpoint });
      const result = await t.send(request());
      expect(result.outcomes).toEqual([{ recipient: 'alice@example.com', accepted: true, response: 'accepted by SendCloud (no emailId listed)' }]);
      await t.close();
    });
  });
});

describe('SendCloud transport: lifecycle', () => {
  it('waits for in-flight sends on close, is idempotent, and refuses sends afterwards as Network.TransportClosed', async () => {
    fake.delayNext(100);
    const t = transport();
    let settled = false;
    const sending = t.send(request()).then(() => {
      settled = true;
    });
    await expect.poll(() => fake.requests.length).toBe(1);
    await t.close();
    expect(settled).toBe(true);
    await t.close();
    const err = await rejection(t.send(request()));
    expect([err.code, err.kind]).toEqual(['Network.TransportClosed', 'transient']);
    await sending;
  });
});
