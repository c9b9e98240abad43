import { randomUUID } from 'node:crypto';
import { createTencentClient } from '@postmill/testkit';
import { ses } from 'tencentcloud-sdk-nodejs-ses';
import { afterEach, describe, expect, it } from 'vitest';
import { type PostmillStack, SECRET_ID, SECRET_KEY, setUpSender, startPostmillStack } from './support/postmill-stack.ts';

// Tencent's SDKs sign only content-type and host, so the same call made twice in one second
// carries the same signature. Tencent serves both; so must Postmill (unless told otherwise).

type Client = InstanceType<typeof ses.v20201002.Client>;

const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(Date.now());

function sdkClient(stack: PostmillStack): Client {
  return new ses.v20201002.Client({
    credential: { secretId: SECRET_ID, secretKey: SECRET_KEY },
    region: 'ap-guangzhou',
    profile: { httpProfile: { protocol: 'http://', endpoint: `127.0.0.1:${stack.port}` } },
  });
}

/**
 * Runs `calls` right after a second starts and checks they all ran within that second, so every SDK
 * request among them carried the same X-TC-Timestamp (the SDK signs the whole seconds).
 */
async function inOneSecond<T>(calls: () => Promise<T>): Promise<T> {
  await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
  const before = Date.now();
  const result = await calls();
  expect(Math.floor(Date.now() / 1000), 'the calls took longer than the rest of the second').toBe(Math.floor(before / 1000));
  return result;
}

/** The SDK's error code for a rejected call, or undefined when it succeeded. */
async function codeOf(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

const opened: PostmillStack[] = [];
afterEach(async () => {
  while (opened.length > 0) await opened.pop()?.close();
});

async function stackWithSender(overrides: Record<string, string> = {}): Promise<{ stack: PostmillStack; client: Client; TemplateID: number }> {
  const stack = await startPostmillStack(overrides);
  opened.push(stack);
  const TemplateID = await setUpSender(stack);
  return { stack, client: sdkClient(stack), TemplateID };
}

const mail = (TemplateID: number) => ({
  FromEmailAddress: 'news@mail.example.com',
  Destination: ['alice@example.org'],
  Subject: 'Your code',
  Template: { TemplateID, TemplateData: JSON.stringify({ name: 'Alice', code: '4821' }) },
});

describe('identical requests through the official SDK (API_REPLAY_PROTECTION unset: TC3 default, off)', () => {
  it('serves the same SendEmail twice in one second: two MessageIds, two mails', { timeout: 20_000 }, async () => {
    const { stack, client, TemplateID } = await stackWithSender();
    const [first, second] = await inOneSecond(async () => [await client.SendEmail(mail(TemplateID)), await client.SendEmail(mail(TemplateID))]);
    expect(first?.MessageId).not.toBe(second?.MessageId);
    const mails = await stack.smtp.waitFor(2, 10_000);
    expect(mails.map((m) => m.envelope.to)).toEqual([['alice@example.org'], ['alice@example.org']]);
  });

  it('serves the same GetSendEmailStatus and the same ListEmailTemplates twice in one second', { timeout: 20_000 }, async () => {
    const { client, TemplateID } = await stackWithSender();
    const { MessageId = '' } = await client.SendEmail(mail(TemplateID));
    const status = { RequestDate: today(), MessageId, Offset: 0, Limit: 10 };
    const answers = await inOneSecond(async () => [
      (await client.GetSendEmailStatus(status)).EmailStatusList?.[0]?.ToEmailAddress,
      (await client.GetSendEmailStatus(status)).EmailStatusList?.[0]?.ToEmailAddress,
      (await client.ListEmailTemplates({ Offset: 0, Limit: 10 })).TotalCount,
      (await client.ListEmailTemplates({ Offset: 0, Limit: 10 })).TotalCount,
    ]);
    expect(answers).toEqual(['alice@example.org', 'alice@example.org', 1, 1]);
  });
});

describe('identical requests through the official SDK with API_REPLAY_PROTECTION=on', () => {
  it('refuses the second of two identical calls in one second as a replay, and sends one mail', { timeout: 20_000 }, async () => {
    const { stack, client, TemplateID } = await stackWithSender({ API_REPLAY_PROTECTION: 'on' });
    const codes = await inOneSecond(async () => [await codeOf(client.SendEmail(mail(TemplateID))), await codeOf(client.SendEmail(mail(TemplateID)))]);
    expect(codes).toEqual([undefined, 'AuthFailure.SignatureFailure']);
    const list = await inOneSecond(async () => [
      await codeOf(client.ListEmailTemplates({ Offset: 0, Limit: 10 })),
      await codeOf(client.ListEmailTemplates({ Offset: 0, Limit: 10 })),
    ]);
    expect(list).toEqual([undefined, 'AuthFailure.SignatureFailure']);
    await stack.smtp.waitFor(1, 10_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(stack.smtp.messages).toHaveLength(1);
  });
});

describe('SendEmail with a signed X-Postmill-Idempotency-Key', () => {
  /** SendEmail signed as the SDK signs it, plus the idempotency key in SignedHeaders (the SDK cannot add it). */
  async function sendWithKey(stack: PostmillStack, body: unknown, key: string): Promise<{ MessageId?: string; Error?: { Code: string } }> {
    const tencent = createTencentClient({ baseUrl: `http://127.0.0.1:${stack.port}`, secretId: SECRET_ID, secretKey: SECRET_KEY });
    const answer = await tencent.call('SendEmail', body, {
      traceId: false,
      region: false,
      signedHost: '127.0.0.1',
      signedHeaders: { 'X-Postmill-Idempotency-Key': key },
    });
    return answer.body.Response;
  }

  it('answers one MessageId to the same key sent twice and to 10 sent at once, and one mail goes out for each key', { timeout: 20_000 }, async () => {
    const { stack, TemplateID } = await stackWithSender();
    const key = randomUUID();
    const first = await sendWithKey(stack, mail(TemplateID), key);
    const again = await sendWithKey(stack, mail(TemplateID), key);
    expect(first.MessageId).toEqual(expect.any(String));
    expect(again.MessageId).toBe(first.MessageId);
    const burstKey = randomUUID();
    const burst = await Promise.all(Array.from({ length: 10 }, () => sendWithKey(stack, { ...mail(TemplateID), Destination: ['bob@example.org'] }, burstKey)));
    expect(new Set(burst.map((b) => b.MessageId)).size).toBe(1);
    expect(burst[0]?.MessageId).toEqual(expect.any(String));
    await stack.smtp.waitFor(2, 10_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(stack.smtp.messages.map((m) => m.envelope.to[0]).sort()).toEqual(['alice@example.org', 'bob@example.org']);
  });

  it('answers InvalidParameterValue to the key with another body, and refuses the key the SDK sends unsigned', { timeout: 20_000 }, async () => {
    const { stack, client, TemplateID } = await stackWithSender();
    const key = randomUUID();
    expect((await sendWithKey(stack, mail(TemplateID), key)).MessageId).toEqual(expect.any(String));
    expect((await sendWithKey(stack, { ...mail(TemplateID), Subject: 'Another subject' }, key)).Error?.Code).toBe('InvalidParameterValue');
    // The SDK's documented per-call headers are sent, but it signs only content-type and host.
    const unsigned = client.request('SendEmail', mail(TemplateID), { headers: { 'X-Postmill-Idempotency-Key': randomUUID() } });
    expect(await codeOf(unsigned)).toBe('AuthFailure.InvalidAuthorization');
    await stack.smtp.waitFor(1, 10_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(stack.smtp.messages).toHaveLength(1);
  });
});
