import { classifyProviderError, type Disposition, type MailMessage, ManualClock, type TransportRequest } from '@postmill/core';
import { type FakeTencentSes, type RecordedTencentRequest, type SendEmailBody, startFakeTencentSes } from '@postmill/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTencentSesTransport, type TencentSesTransportOptions } from '../src/tencent-ses-transport.ts';
import { closedPort, rejection, requestOf, withAnswer200 } from './http-provider-support.ts';
import { type ContractHarness, type DeliveredMail, describeTransportContract } from './transport-contract.ts';

const fromBase64 = (value: string): Buffer => Buffer.from(value, 'base64');

/**
 * What Tencent would deliver for one accepted SendEmail: the envelope is Destination ∪ Cc ∪ Bcc
 * from the address in FromEmailAddress; the headers Tencent renders (From, To, Cc, Subject,
 * Reply-To, Message-ID from SmtpMessageId) plus SmtpHeaders, all names lower-cased.
 */
function deliveredFromSendEmail(body: SendEmailBody): DeliveredMail {
  const from = /<([^<>]+)>$/u.exec(body.FromEmailAddress)?.[1] ?? body.FromEmailAddress;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(JSON.parse(body.SmtpHeaders ?? '{}') as Record<string, string>)) {
    headers[name.toLowerCase()] = value;
  }
  headers['from'] = body.HeaderFrom ?? body.FromEmailAddress;
  if (body.Destination?.length) headers['to'] = body.Destination.join(', ');
  if (body.Cc?.length) headers['cc'] = body.Cc.join(', ');
  headers['subject'] = body.Subject;
  if (body.SmtpMessageId !== undefined) headers['message-id'] = body.SmtpMessageId;
  if (body.ReplyToAddresses !== undefined) headers['reply-to'] = body.ReplyToAddresses;
  return {
    recipients: [...(body.Destination ?? []), ...(body.Cc ?? []), ...(body.Bcc ?? [])],
    from,
    subject: body.Subject,
    ...(body.Simple?.Html !== undefined ? { html: fromBase64(body.Simple.Html).toString('utf8') } : {}),
    ...(body.Simple?.Text !== undefined ? { text: fromBase64(body.Simple.Text).toString('utf8') } : {}),
    attachments: (body.Attachments ?? []).map((a) => ({ filename: a.FileName, content: fromBase64(a.Content ?? '') })),
    headers,
  };
}

const acceptedBodies = (requests: readonly RecordedTencentRequest[]): SendEmailBody[] =>
  requests.flatMap((r) => (r.outcome?.kind === 'accepted' && r.body ? [r.body] : []));

async function tencentHarness(): Promise<ContractHarness> {
  const server = await startFakeTencentSes();
  const t = createTencentSesTransport({
    endpoint: server.endpoint,
    secretId: server.secretId,
    secretKey: server.secretKey,
    region: 'ap-guangzhou',
    timeoutMs: 5_000,
  });
  return {
    transport: t,
    delivered: async () => acceptedBodies(server.requests).map(deliveredFromSendEmail),
    async cleanup() {
      await t.close();
      await server.close();
    },
  };
}

describeTransportContract('tencent-ses', tencentHarness);

let fake: FakeTencentSes;

beforeAll(async () => {
  fake = await startFakeTencentSes();
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

function transport(overrides: Partial<TencentSesTransportOptions> = {}) {
  return createTencentSesTransport({
    endpoint: fake.endpoint,
    secretId: fake.secretId,
    secretKey: fake.secretKey,
    region: 'ap-guangzhou',
    ...overrides,
  });
}

function message(overrides: Partial<MailMessage> = {}): MailMessage {
  return {
    from: { address: 'news@mail.example.com', name: 'Example News' },
    to: ['alice@example.com', 'bob@example.com'],
    cc: ['carol@example.com'],
    bcc: ['dave@example.com'],
    replyTo: 'support@example.com',
    subject: 'Spring update',
    html: '<p>Hello 世界</p>',
    text: 'Hello 世界',
    attachments: [{ filename: 'a.txt', contentBase64: Buffer.from('attached').toString('base64') }],
    messageId: '<m1.alice@mail.example.com>',
    headers: { 'X-Campaign': 'spring' },
    dateMs: Date.UTC(2025, 2, 1),
    ...overrides,
  };
}

function request(msg: MailMessage = message(), recipients?: readonly string[]): TransportRequest {
  return requestOf(msg, recipients, 'qcloudses-30-1-date-20250301000000-abc');
}

describe('Tencent SES transport: the wire request', () => {
  it('sends one SendEmail POST per request, signed so the fake verifyTc3 accepts it', async () => {
    const t = transport();
    await t.send(request());
    expect(fake.requests).toHaveLength(1);
    const [r] = fake.requests;
    expect(r?.outcome?.kind).toBe('accepted');
    expect(r?.method).toBe('POST');
    expect(r?.headers['x-tc-action']).toBe('SendEmail');
    expect(r?.headers['x-tc-version']).toBe('2020-10-02');
    expect(r?.headers['x-tc-region']).toBe('ap-guangzhou');
    expect(r?.headers.host).toBe(new URL(fake.endpoint).host);
    expect(r?.headers.authorization).toMatch(/^TC3-HMAC-SHA256 Credential=[^/]+\/\d{4}-\d{2}-\d{2}\/ses\/tc3_request, SignedHeaders=content-type;host, /u);
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

  it('takes X-TC-Timestamp from the injected clock', async () => {
    const clock = new ManualClock(Date.now() - 120_000);
    const t = transport({ clock });
    await t.send(request());
    expect(fake.requests[0]?.headers['x-tc-timestamp']).toBe(String(Math.floor(clock.now() / 1000)));
    await t.close();
  });

  it('puts each request recipient in Destination, Cc or Bcc by where the message lists it', async () => {
    const t = transport();
    await t.send(request(message(), ['bob@example.com', 'dave@example.com', 'carol@example.com']));
    const body = fake.requests[0]?.body;
    expect(body?.Destination).toEqual(['bob@example.com']);
    expect(body?.Cc).toEqual(['carol@example.com']);
    expect(body?.Bcc).toEqual(['dave@example.com']);
    await t.close();
  });

  it('sends rendered content as base64 Simple, with attachments, reply-to, SmtpMessageId, SmtpHeaders and HeaderFrom', async () => {
    const t = transport();
    await t.send(request(message({ headerFrom: 'News <news@mail.example.com>' })));
    const body = fake.requests[0]?.body;
    expect(body?.FromEmailAddress).toBe('Example News <news@mail.example.com>');
    expect(body?.Subject).toBe('Spring update');
    expect(Buffer.from(body?.Simple?.Html ?? '', 'base64').toString('utf8')).toBe('<p>Hello 世界</p>');
    expect(Buffer.from(body?.Simple?.Text ?? '', 'base64').toString('utf8')).toBe('Hello 世界');
    expect(body?.Attachments).toEqual([{ FileName: 'a.txt', Content: Buffer.from('attached').toString('base64') }]);
    expect(body?.ReplyToAddresses).toBe('support@example.com');
    expect(body?.SmtpMessageId).toBe('<m1.alice@mail.example.com>');
    expect(JSON.parse(body?.SmtpHeaders ?? '{}')).toEqual({ 'X-Campaign': 'spring' });
    expect(body?.HeaderFrom).toBe('News <news@mail.example.com>');
    await t.close();
  });

  it('omits SmtpHeaders, Attachments and ReplyToAddresses when the message has none', async () => {
    const t = transport();
    const { replyTo: _unused, ...bare } = message({ headers: {}, attachments: [], from: { address: 'news@mail.example.com' } });
    await t.send(request(bare));
    const body = fake.requests[0]?.body;
    expect(body?.FromEmailAddress).toBe('news@mail.example.com');
    expect(body).not.toHaveProperty('SmtpHeaders');
    expect(body).not.toHaveProperty('Attachments');
    expect(body).not.toHaveProperty('ReplyToAddresses');
    expect(body).not.toHaveProperty('HeaderFrom');
    await t.close();
  });
});

describe('Tencent SES transport: answers', () => {
  it('accepts every recipient of the request with the MessageId Tencent answered', async () => {
    const t = transport();
    const result = await t.send(request(message(), ['alice@example.com', 'carol@example.com']));
    const outcome = fake.requests[0]?.outcome;
    const messageId = outcome?.kind === 'accepted' ? outcome.messageId : 'missing';
    expect(result.outcomes).toEqual([
      { recipient: 'alice@example.com', accepted: true, response: `accepted by Tencent SES as ${messageId}` },
      { recipient: 'carol@example.com', accepted: true, response: `accepted by Tencent SES as ${messageId}` },
    ]);
    await t.close();
  });

  const documented: readonly [string, Disposition['kind']][] = [
    ['FailedOperation.TemporaryBlocked', 'hold-domain'],
    ['FailedOperation.FrequencyLimit', 'backoff-recipient'],
    ['RequestLimitExceeded', 'throttle-transport'],
    ['InternalError', 'transient'],
    ['FailedOperation.IncorrectEmail', 'permanent'],
    ['FailedOperation.EmailAddrInBlacklist', 'permanent'],
    ['FailedOperation.ReceiverHasUnsubscribed', 'permanent'],
    ['FailedOperation.RejectedByRecipients', 'permanent'],
    ['FailedOperation.WithOutPermission', 'permanent'],
  ];

  it.each(documented)('surfaces %s as a ProviderError with that exact code, classified %s', async (code, kind) => {
    fake.failNext(code);
    const t = transport();
    const err = await rejection(t.send(request()));
    expect(err.code).toBe(code);
    expect(err.httpStatus).toBeUndefined();
    const outcome = fake.requests[0]?.outcome;
    expect(err.context.requestId).toBe(outcome?.kind === 'error' ? outcome.requestId : 'missing');
    expect(classifyProviderError(err).kind).toBe(kind);
    await t.close();
  });

  it('surfaces a wrong secret key as AuthFailure.SignatureFailure, a permanent error', async () => {
    const t = transport({ secretKey: 'not-the-secret' });
    const err = await rejection(t.send(request()));
    expect(err.code).toBe('AuthFailure.SignatureFailure');
    expect(classifyProviderError(err).kind).toBe('permanent');
    await t.close();
  });

  it('surfaces HTTP 429 with Retry-After as HTTP.429 with httpStatus and retryAfterMs, which throttles the transport', async () => {
    fake.respondHttp(429, { retryAfterSeconds: 7 });
    const t = transport();
    const err = await rejection(t.send(request()));
    expect(err.code).toBe('HTTP.429');
    expect(err.httpStatus).toBe(429);
    expect(err.retryAfterMs).toBe(7000);
    expect(classifyProviderError(err)).toEqual({ kind: 'throttle-transport', delayMs: 7000 });
    await t.close();
  });

  it('surfaces HTTP 503 as HTTP.503, a transient error', async () => {
    fake.respondHttp(503);
    const t = transport();
    const err = await rejection(t.send(request()));
    expect(err.code).toBe('HTTP.503');
    expect(err.httpStatus).toBe(503);
    expect(err.retryAfterMs).toBeUndefined();
    expect(classifyProviderError(err).kind).toBe('transient');
    await t.close();
  });

  it('surfaces an answer slower than timeoutMs as Network.Timeout, a transient error', async () => {
    fake.delayNext(5_000);
    const t = transport({ timeoutMs: 100 });
    const err = await rejection(t.send(request()));
    expect(err.code).toBe('Network.Timeout');
    expect(classifyProviderError(err).kind).toBe('transient');
    await t.close();
  });

  it('surfaces a reset connection as a Network error, a transient one', async () => {
    fake.resetConnectionNext();
    const t = transport();
    const err = await rejection(t.send(request()));
    expect(err.code).toMatch(/^Network\./u);
    expect(err.cause).toBeDefined();
    expect(classifyProviderError(err).kind).toBe('transient');
    await t.close();
  });

  it('surfaces an HTTP 200 that is not JSON as Network.InvalidResponse, a transient error', async () => {
    await withAnswer200('<html>gateway</html>', 'text/html', async (origin) => {
      const t = transport({ endpoint: origin });
      try {
        const err = await rejection(t.send(request()));
        expect(err.code).toBe('Network.InvalidResponse');
        expect(err.httpStatus).toBeUndefined();
        expect(err.context.httpStatus).toBe(200);
        expect(classifyProviderError(err).kind).toBe('transient');
      } finally {
        await t.close();
      }
    });
  });

  it('surfaces a refused connection as Network.ECONNREFUSED', async () => {
    const port = await closedPort();
    const t = transport({ endpoint: `http://127.0.0.1:${port}` });
    const err = await rejection(t.send(request()));
    expect(err.code).toBe('Network.ECONNREFUSED');
    await t.close();
  });
});

describe('Tencent SES transport: lifecycle', () => {
  it('waits for in-flight sends on close, is idempotent, and refuses sends afterwards', async () => {
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
    expect(err.code).toBe('Network.TransportClosed');
    await sending;
  });
});
