import { WebhookEndpointStore } from '@postmill/store';
import { createTencentClient } from '@postmill/testkit';
import { TargetPolicy } from '@postmill/webhooks';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApiServer } from '../src/server.ts';
import { type ApiHarness, startApiHarness } from './api-harness.ts';
import { errorCode, ok } from './tencent-answer.ts';

const SENDER = 'news@mail.example.com';

// The extension actions on the real API against the test Redis: signed Tencent calls, and the
// endpoint store the webhook worker reads checked directly.
describe('Tencent callback URL extension actions', () => {
  let api: ApiHarness;
  let endpoints: WebhookEndpointStore;
  const apps: FastifyInstance[] = [];

  beforeEach(async () => {
    api = await startApiHarness();
    endpoints = new WebhookEndpointStore({ redis: api.deps.redis, keys: api.deps.keys });
    ok(await api.call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' }));
    ok(await api.call('CreateEmailAddress', { EmailAddress: SENDER }));
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    await api.close();
  });

  it('stores the account URL and a sender URL where the webhook worker finds them, the sender one winning for its address', async () => {
    ok(await api.call('PostmillSetCallbackUrl', { CallbackUrl: 'https://hooks.example.com/account' }));
    ok(await api.call('PostmillSetCallbackUrl', { CallbackUrl: 'http://10.0.0.7:8080/news', EmailAddress: 'news@Mail.Example.com' }));
    expect(await endpoints.urlFor(SENDER)).toBe('http://10.0.0.7:8080/news');
    expect(await endpoints.urlFor('other@mail.example.com')).toBe('https://hooks.example.com/account');
    expect(ok(await api.call('PostmillGetCallbackUrl', {}))).toMatchObject({
      CallbackUrl: 'https://hooks.example.com/account',
      EffectiveCallbackUrl: 'https://hooks.example.com/account',
    });
    expect(ok(await api.call('PostmillGetCallbackUrl', { EmailAddress: SENDER }))).toMatchObject({
      CallbackUrl: 'http://10.0.0.7:8080/news',
      EffectiveCallbackUrl: 'http://10.0.0.7:8080/news',
    });
    expect(ok(await api.call('PostmillListCallbackUrls', {}))).toMatchObject({
      AccountCallbackUrl: 'https://hooks.example.com/account',
      SenderCallbackUrls: [{ EmailAddress: SENDER, CallbackUrl: 'http://10.0.0.7:8080/news' }],
    });
  });

  it('removes a URL set to the empty string, after which the sender falls back to the account URL', async () => {
    ok(await api.call('PostmillSetCallbackUrl', { CallbackUrl: 'https://hooks.example.com/account' }));
    ok(await api.call('PostmillSetCallbackUrl', { CallbackUrl: 'https://hooks.example.com/news', EmailAddress: SENDER }));
    ok(await api.call('PostmillSetCallbackUrl', { CallbackUrl: '', EmailAddress: SENDER }));
    expect(ok(await api.call('PostmillGetCallbackUrl', { EmailAddress: SENDER }))).toMatchObject({
      CallbackUrl: '',
      EffectiveCallbackUrl: 'https://hooks.example.com/account',
    });
    ok(await api.call('PostmillSetCallbackUrl', { CallbackUrl: '' }));
    expect(await endpoints.urlFor(SENDER)).toBeUndefined();
  });

  it('refuses a sender address that was never created with InvalidParameterValue.NoSuchSender and stores nothing', async () => {
    expect(errorCode(await api.call('PostmillSetCallbackUrl', { CallbackUrl: 'https://hooks.example.com/x', EmailAddress: 'nobody@mail.example.com' }))).toBe(
      'InvalidParameterValue.NoSuchSender',
    );
    expect(errorCode(await api.call('PostmillGetCallbackUrl', { EmailAddress: 'nobody@mail.example.com' }))).toBe('InvalidParameterValue.NoSuchSender');
    expect(await endpoints.list()).toEqual({ senders: [] });
  });

  it.each([
    ['not a URL', 'hooks.example.com/cb', 'not an absolute URL'],
    ['another scheme', 'ftp://hooks.example.com/cb', 'http:// or https://'],
    ['the metadata service', 'http://169.254.169.254/latest/meta-data', 'metadata'],
    ['the metadata service spelled as a decimal number', 'http://2852039166/', 'metadata'],
    ['loopback', 'http://127.0.0.1:8080/cb', 'WEBHOOK_ALLOW_CIDRS'],
    ['link-local', 'http://[fe80::1]/cb', 'loopback, link-local'],
  ])('refuses %s with InvalidParameterValue.IllegalCallbackUrl and a message saying why, storing nothing', async (_what, CallbackUrl, why) => {
    for (const body of [{ CallbackUrl }, { CallbackUrl, EmailAddress: SENDER }]) {
      const answer = await api.call('PostmillSetCallbackUrl', body);
      expect(errorCode(answer)).toBe('InvalidParameterValue.IllegalCallbackUrl');
      expect(answer.body.Response.Error.Message).toContain(why);
    }
    expect(await endpoints.list()).toEqual({ senders: [] });
  });

  it("applies the process's configured target policy: an allowed loopback CIDR is accepted, a denied private range refused", async () => {
    const policy = new TargetPolicy({ allowCidrs: ['127.0.0.0/8'], denyCidrs: ['10.0.0.0/8'] });
    const webhooks = {
      policy,
      deadLetters: { list: async () => ({ total: 0, letters: [] }), get: async () => undefined },
      publisher: { replay: async () => false, replayAll: async () => 0 },
    };
    const app = buildApiServer({ ...api.deps, webhooks });
    apps.push(app);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const client = createTencentClient({
      baseUrl: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
      secretId: api.secretId,
      secretKey: api.secretKey,
    });
    expect((await client.call('PostmillSetCallbackUrl', { CallbackUrl: 'http://127.0.0.1:9000/cb' })).body.Response.Error).toBeUndefined();
    expect(await endpoints.urlFor(SENDER)).toBe('http://127.0.0.1:9000/cb');
    const refused = await client.call('PostmillSetCallbackUrl', { CallbackUrl: 'http://10.1.2.3/cb', EmailAddress: SENDER });
    expect(refused.body.Response.Error).toMatchObject({
      Code: 'InvalidParameterValue.IllegalCallbackUrl',
      Message: expect.stringContaining('WEBHOOK_DENY_CIDRS'),
    });
  });

  it('refuses unknown fields as every Tencent action does', async () => {
    expect(errorCode(await api.call('PostmillSetCallbackUrl', { CallbackUrl: 'https://hooks.example.com/x', Url: 'x' }))).toMatch(
      /^(UnknownParameter|InvalidParameter)/u,
    );
  });
});
