import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness, type TencentAnswer } from './api-harness.ts';
import { errorCode, ok } from './tencent-answer.ts';

const SENDER = 'news@mail.example.com';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

interface CallOptions {
  /** The X-Postmill-Idempotency-Key to send. */
  readonly key?: string;
  /** Sign the key (list it in SignedHeaders). Default true. */
  readonly signKey?: boolean;
}

/**
 * Calls an action signed as the SDKs sign (content-type;host, no trace id: identical calls in one
 * second carry one signature), plus the idempotency key, signed unless told otherwise.
 */
async function call(api: ApiHarness, action: string, body: unknown, o: CallOptions = {}): Promise<TencentAnswer> {
  const keyHeader: Record<string, string> = o.key === undefined ? {} : { 'X-Postmill-Idempotency-Key': o.key };
  const { status, body: answer } = await api.client.call(action, body, {
    traceId: false,
    region: false,
    ...(o.signKey === false ? { unsignedHeaders: keyHeader } : { signedHeaders: keyHeader }),
  });
  return { status, body: answer };
}

const mail = (to = 'alice@example.org') => ({ FromEmailAddress: SENDER, Destination: [to], Subject: 'Receipt', Simple: { Text: b64('Thank you') } });

describe('SendEmail with X-Postmill-Idempotency-Key', () => {
  let api: ApiHarness;

  beforeEach(async () => {
    api = await startApiHarness();
    ok(await api.call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' }));
    ok(await api.call('CreateEmailAddress', { EmailAddress: SENDER }));
  });

  afterEach(async () => {
    await api.close();
  });

  /** Messages accepted so far (the harness runs no worker, so each stays in the delivery intake). */
  const accepted = () => api.deps.redis.llen(api.deps.keys.deliveryIntake);

  it('answers the first MessageId to the same key and parameters sent again, and queues one message', async () => {
    const key = randomUUID();
    const first = ok(await call(api, 'SendEmail', mail(), { key }));
    const again = ok(await call(api, 'SendEmail', mail(), { key }));
    expect(again.MessageId).toBe(first.MessageId);
    expect(await accepted()).toBe(1);
    // Without a key, the same call is served twice (as Tencent does).
    const a = ok(await call(api, 'SendEmail', mail()));
    const b = ok(await call(api, 'SendEmail', mail()));
    expect(a.MessageId).not.toBe(b.MessageId);
    expect(await accepted()).toBe(3);
  });

  it('accepts one message for 10 concurrent requests with one key, and answers all 10 with its MessageId', async () => {
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 10 }, () => call(api, 'SendEmail', mail(), { key })));
    const ids = new Set(answers.map((a) => ok(a).MessageId));
    expect(ids.size).toBe(1);
    expect(await accepted()).toBe(1);
  });

  it('answers InvalidParameterValue to the key sent with other parameters, and queues nothing new', async () => {
    const key = randomUUID();
    ok(await call(api, 'SendEmail', mail(), { key }));
    const other = await call(api, 'SendEmail', mail('bob@example.org'), { key });
    expect(errorCode(other)).toBe('InvalidParameterValue');
    expect(other.body.Response.Error.Message).toMatch(/already used for a SendEmail with other parameters/u);
    expect(await accepted()).toBe(1);
  });

  it('takes parameters in another key order for the same parameters', async () => {
    const key = randomUUID();
    const first = ok(await call(api, 'SendEmail', mail(), { key }));
    const { Simple, Subject, Destination, FromEmailAddress } = mail();
    expect(ok(await call(api, 'SendEmail', { Simple, Subject, Destination, FromEmailAddress }, { key })).MessageId).toBe(first.MessageId);
  });

  it('frees the key when the request is refused, so a corrected retry with it is accepted', async () => {
    const key = randomUUID();
    expect(errorCode(await call(api, 'SendEmail', { ...mail(), FromEmailAddress: 'nobody@mail.example.com' }, { key }))).toBe(
      'InvalidParameterValue.NoSuchSender',
    );
    expect(ok(await call(api, 'SendEmail', mail(), { key })).MessageId).toEqual(expect.any(String));
    expect(await accepted()).toBe(1);
  });

  it('refuses a key the signature does not cover with AuthFailure.InvalidAuthorization, and queues nothing', async () => {
    const answer = await call(api, 'SendEmail', mail(), { key: randomUUID(), signKey: false });
    expect(errorCode(answer)).toBe('AuthFailure.InvalidAuthorization');
    expect(answer.body.Response.Error.Message).toMatch(/SignedHeaders/u);
    expect(await accepted()).toBe(0);
  });

  it('refuses the key on any other action with InvalidParameter, and a malformed key with InvalidParameterValue', async () => {
    expect(errorCode(await call(api, 'ListEmailTemplates', { Offset: 0, Limit: 10 }, { key: randomUUID() }))).toBe('InvalidParameter');
    expect(errorCode(await call(api, 'SendEmail', mail(), { key: 'k'.repeat(256) }))).toBe('InvalidParameterValue');
    expect(await accepted()).toBe(0);
  });

  it('keeps the key under its own hash tag, hashed, for IDEMPOTENCY_WINDOW_SECONDS', async () => {
    await api.close();
    api = await startApiHarness({ limits: { idempotencyWindowSeconds: 120 } });
    ok(await api.call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' }));
    ok(await api.call('CreateEmailAddress', { EmailAddress: SENDER }));
    const key = `order-${randomUUID()}`;
    ok(await call(api, 'SendEmail', mail(), { key }));
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await api.deps.redis.scan(cursor, 'MATCH', api.deps.keys.idempotency('*'), 'COUNT', 1000);
      cursor = next;
      found.push(...batch);
    } while (cursor !== '0');
    expect(found).toHaveLength(1);
    const [record = ''] = found;
    expect(record).toMatch(new RegExp(`^${api.deps.keys.prefix}:\\{i:[A-Za-z0-9_-]{22}\\}:idem$`, 'u'));
    expect(record).not.toContain(key);
    const ttl = await api.deps.redis.pttl(record);
    expect(ttl).toBeGreaterThan(110_000);
    expect(ttl).toBeLessThanOrEqual(120_000);
  });
});
