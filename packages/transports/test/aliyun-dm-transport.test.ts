import { type MailMessage, ManualClock, type ProviderFailureKind, type TransportRequest } from '@postmill/core';
import { DOCUMENTED_DM_ERRORS, type FakeAliyunDm, type FakeSingleSendMail, type RecordedDmRequest, startFakeAliyunDm } from '@postmill/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AliyunDmTransportOptions, createAliyunDmTransport } from '../src/aliyun-dm-transport.ts';
import { closedPort, rejection, requestOf, sampleMessage, withAnswer200 } from './http-provider-support.ts';
import { type ContractHarness, type DeliveredMail, describeTransportContract } from './transport-contract.ts';

/**
 * What DirectMail would deliver for one accepted SingleSendMail: the envelope is ToAddress ∪
 * BccAddress from AccountName; the headers it renders (From with FromAlias, To, Subject, Reply-To
 * from ReplyAddress) plus those of `Headers` (Message-ID included), names lower-cased.
 */
function deliveredFromSingleSendMail(mail: FakeSingleSendMail): DeliveredMail {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(mail.headers)) headers[name.toLowerCase()] = value;
  headers['from'] = mail.fromAlias ? `"${mail.fromAlias}" <${mail.accountName}>` : mail.accountName;
  headers['to'] = mail.toAddress.join(', ');
  headers['subject'] = mail.subject;
  if (mail.replyAddress !== undefined) headers['reply-to'] = mail.replyAddressAlias ? `"${mail.replyAddressAlias}" <${mail.replyAddress}>` : mail.replyAddress;
  return {
    recipients: [...mail.toAddress, ...mail.bccAddress],
    from: mail.accountName,
    subject: mail.subject,
    ...(mail.htmlBody !== undefined ? { html: mail.htmlBody } : {}),
    ...(mail.textBody !== undefined ? { text: mail.textBody } : {}),
    attachments: [],
    headers,
  };
}

const acceptedMails = (requests: readonly RecordedDmRequest[]): FakeSingleSendMail[] =>
  requests.flatMap((r) => (r.outcome?.kind === 'accepted' && r.mail ? [r.mail] : []));

async function dmHarness(): Promise<ContractHarness> {
  const server = await startFakeAliyunDm();
  const t = createAliyunDmTransport({ endpoint: server.endpoint, accessKeyId: server.accessKeyId, accessKeySecret: server.accessKeySecret, timeoutMs: 5_000 });
  return {
    transport: t,
    delivered: async () => acceptedMails(server.requests).map(deliveredFromSingleSendMail),
    async cleanup() {
      await t.close();
      await server.close();
    },
  };
}

// DirectMail's SingleSendMail takes no attachment content (only files uploaded to Alibaba OSS first).
describeTransportContract('aliyun-dm', dmHarness, { attachments: false });

let fake: FakeAliyunDm;
beforeAll(async () => {
  fake = await startFakeAliyunDm();
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

function transport(overrides: Partial<AliyunDmTransportOptions> = {}) {
  return createAliyunDmTransport({ endpoint: fake.endpoint, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, ...overrides });
}

const message = sampleMessage;

function request(msg: MailMessage = message(), recipients?: readonly string[]): TransportRequest {
  return requestOf(msg, recipients);
}

describe('DirectMail transport: the wire request', () => {
  it('sends one SingleSendMail form POST per request, V3-signed so the fake verifies it, with a fresh 64-hex nonce each', async () => {
    const t = transport();
    await t.send(request());
    await t.send(request());
    expect(fake.requests.map((r) => r.outcome?.kind)).toEqual(['accepted', 'accepted']);
    const [a, b] = fake.requests;
    expect(a?.method).toBe('POST');
    expect(a?.headers['x-acs-action']).toBe('SingleSendMail');
    expect(a?.headers['x-acs-version']).toBe('2015-11-23');
    expect(a?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(a?.headers.authorization).toMatch(
      /^ACS3-HMAC-SHA256 Credential=LTAI[^,]+,SignedHeaders=content-type;host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=[0-9a-f]{64}$/u,
    );
    expect(a?.headers['x-acs-signature-nonce']).toMatch(/^[0-9a-f]{64}$/u);
    expect(a?.headers['x-acs-signature-nonce']).not.toBe(b?.headers['x-acs-signature-nonce']);
    await t.close();
  });

  it('takes x-acs-date from the injected clock, at one-second resolution', async () => {
    const clock = new ManualClock(Date.UTC(2025, 2, 1, 8, 30, 15, 640));
    // The fake checks the 15-minute window against its own clock: answer aside, the header is what counts.
    await transport({ clock })
      .send(request())
      .catch(() => undefined);
    expect(fake.requests[0]?.headers['x-acs-date']).toBe('2025-03-01T08:30:15Z');
  });

  it('sends sender, alias, subject, both bodies, reply-to, tag and headers with the Message-ID as DirectMail names them', async () => {
    const t = transport({ tagName: 'spring_2025' });
    await t.send(request(message(), ['alice@example.com', 'carol@example.com']));
    expect(fake.requests[0]?.params).toEqual({
      AccountName: 'news@mail.example.com',
      AddressType: '1',
      ReplyToAddress: 'false',
      Subject: 'Spring update',
      FromAlias: 'Example News',
      HtmlBody: '<p>Hello 世界</p>',
      TextBody: 'Hello 世界',
      ReplyAddress: 'support@example.com',
      ReplyAddressAlias: 'Support',
      TagName: 'spring_2025',
      Headers: JSON.stringify({ 'Message-ID': '<m1.alice@mail.example.com>', 'X-User-Campaign': 'spring', 'List-Unsubscribe': '<https://u.example.com/x>' }),
      ToAddress: 'alice@example.com,carol@example.com',
    });
    await t.close();
  });

  it('omits FromAlias, ReplyAddress, TagName and an absent body, and sends only the Message-ID header when the message has no other', async () => {
    const t = transport();
    const { replyTo: _unused, html: _html, ...bare } = message({ headers: {}, from: { address: 'news@mail.example.com' } });
    await t.send(request(bare));
    const params = fake.requests[0]?.params ?? {};
    expect(Object.keys(params).sort()).toEqual(['AccountName', 'AddressType', 'Headers', 'ReplyToAddress', 'Subject', 'TextBody', 'ToAddress']);
    expect(JSON.parse(params.Headers ?? '{}')).toEqual({ 'Message-ID': '<m1.alice@mail.example.com>' });
    await t.close();
  });

  it('puts To and Cc recipients in ToAddress and every other recipient in BccAddress, in one call', async () => {
    const t = transport();
    await t.send(request(message(), ['bob@example.com', 'dave@example.com', 'carol@example.com', 'eve@example.net']));
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.mail).toMatchObject({ toAddress: ['bob@example.com', 'carol@example.com'], bccAddress: ['dave@example.com', 'eve@example.net'] });
    await t.close();
  });

  it('addresses a request with Bcc recipients only To the sender address, keeping them in BccAddress', async () => {
    const t = transport();
    const result = await t.send(request(message(), ['dave@example.com']));
    expect(fake.requests[0]?.mail).toMatchObject({ toAddress: ['news@mail.example.com'], bccAddress: ['dave@example.com'] });
    expect(result.outcomes.map((o) => [o.recipient, o.accepted])).toEqual([['dave@example.com', true]]);
    await t.close();
  });

  it('splits more than 100 To recipients into calls of at most 100, Bcc riding with the first', async () => {
    const to = Array.from({ length: 150 }, (_, i) => `user${i}@example.org`);
    const t = transport();
    const result = await t.send(request(message({ to, cc: [], bcc: ['dave@example.com'] }), [...to, 'dave@example.com']));
    expect(fake.requests.map((r) => [r.mail?.toAddress.length, r.mail?.bccAddress.length])).toEqual([
      [100, 1],
      [50, 0],
    ]);
    expect(result.outcomes.map((o) => o.recipient)).toEqual([...to, 'dave@example.com']);
    expect(result.outcomes.every((o) => o.accepted)).toBe(true);
    await t.close();
  });

  it('reports the recipients of calls already accepted as accepted when a later call fails, and the error for the rest', async () => {
    const to = Array.from({ length: 120 }, (_, i) => `user${i}@example.org`);
    let calls = 0;
    fake.respondWith(() => (++calls === 2 ? { kind: 'error', code: 'Throttling.User' } : undefined));
    const t = transport();
    const result = await t.send(request(message({ to, cc: [], bcc: [] }), to));
    expect(result.outcomes.slice(0, 100).every((o) => o.accepted)).toBe(true);
    const rest = result.outcomes.slice(100);
    expect(rest).toHaveLength(20);
    for (const o of rest) expect(o.accepted ? undefined : [o.error.code, o.error.kind]).toEqual(['Throttling.User', 'throttled']);
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

describe('DirectMail transport: answers', () => {
  it('accepts every recipient of the request with the EnvId DirectMail answered', async () => {
    const t = transport();
    const result = await t.send(request(message(), ['alice@example.com', 'carol@example.com']));
    const outcome = fake.requests[0]?.outcome;
    const envId = outcome?.kind === 'accepted' ? outcome.envId : 'missing';
    expect(result.outcomes).toEqual([
      { recipient: 'alice@example.com', accepted: true, response: `accepted by DirectMail as EnvId ${envId}` },
      { recipient: 'carol@example.com', accepted: true, response: `accepted by DirectMail as EnvId ${envId}` },
    ]);
    await t.close();
  });

  /** The kind each documented code must get (aliyun-dm-classify.ts decides; this is the expectation). */
  const expectedKind: Readonly<Record<string, ProviderFailureKind>> = {
    'InvalidTimeStamp.Expired': 'transient',
    SignatureNonceUsed: 'transient',
    Throttling: 'throttled',
    'Throttling.User': 'throttled',
    'Throttling.Api': 'throttled',
    InternalError: 'transient',
    ServiceUnavailable: 'transient',
  };
  const documented = DOCUMENTED_DM_ERRORS.map((e) => [e.code, e.status, expectedKind[e.code] ?? 'permanent'] as const);

  it.each(documented)('surfaces %s (HTTP %i) as a ProviderError with that exact code, classified %s', async (code, status, kind) => {
    fake.failNext(code);
    const t = transport();
    const err = await rejection(t.send(request()));
    expect(err.code).toBe(code);
    expect(err.kind).toBe(kind);
    expect(err.httpStatus).toBeUndefined();
    const outcome = fake.requests[0]?.outcome;
    expect(err.context).toMatchObject({ httpStatus: status, requestId: outcome?.kind === 'error' ? outcome.requestId : 'missing', hostId: 'dm.aliyuncs.com' });
    await t.close();
  });

  it('surfaces a throttling answer with Retry-After as throttled with retryAfterMs', async () => {
    fake.failNext('Throttling.User', { retryAfterSeconds: 4 });
    const err = await rejection(transport().send(request()));
    expect([err.code, err.kind, err.retryAfterMs]).toEqual(['Throttling.User', 'throttled', 4000]);
  });

  it('surfaces a wrong secret as SignatureDoesNotMatch, a permanent error', async () => {
    const err = await rejection(transport({ accessKeySecret: 'not-the-secret' }).send(request()));
    expect([err.code, err.kind]).toEqual(['SignatureDoesNotMatch', 'permanent']);
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

  it('surfaces an HTTP 200 without an EnvId as Network.InvalidResponse, a transient error', async () => {
    for (const body of ['<html>gateway</html>', '{"RequestId":"x","Code":"Throttling.User"}']) {
      await withAnswer200(body, 'application/json', async (origin) => {
        const t = transport({ endpoint: origin });
        try {
          const err = await rejection(t.send(request()));
          expect([err.code, err.kind, err.httpStatus, err.context.httpStatus]).toEqual(['Network.InvalidResponse', 'transient', undefined, 200]);
        } finally {
          await t.close();
        }
      });
    }
  });

  it('surfaces a refused connection as Network.ECONNREFUSED, a transient error', async () => {
    const port = await closedPort();
    const err = await rejection(transport({ endpoint: `http://127.0.0.1:${port}` }).send(request()));
    expect([err.code, err.kind]).toEqual(['Network.ECONNREFUSED', 'transient']);
  });

  it('refuses a message with attachments as Transport.AttachmentsUnsupported, permanent, before any request', async () => {
    const withFile = message({ attachments: [{ filename: 'a.txt', contentBase64: Buffer.from('x').toString('base64') }] });
    const err = await rejection(transport().send(request(withFile)));
    expect([err.code, err.kind]).toEqual(['Transport.AttachmentsUnsupported', 'permanent']);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('DirectMail transport: lifecycle', () => {
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
