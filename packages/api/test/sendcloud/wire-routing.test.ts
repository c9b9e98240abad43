import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { encodeForm, isEnvelope, SendCloudTestClient, sendRaw } from './sendcloud-client.ts';
import { ACTIONS_WITH_PROBES } from './wire-probe-actions.ts';

describe('the SendCloud wire: routes, methods and the envelope', () => {
  let api: ApiHarness;
  let sc: SendCloudTestClient;
  beforeAll(async () => {
    api = await startApiHarness({ sendCloudActions: ACTIONS_WITH_PROBES });
    sc = new SendCloudTestClient(api.baseUrl, api.secretId, api.secretKey);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers an unknown <module>/<action> with HTTP 200 and 6001 (你没有权限访问) naming the path, before authenticating', async () => {
    for (const path of ['nosuch/thing', 'mail', 'a/b/c']) {
      const answer = await sc.post(path, {}, { credentials: false });
      expect(answer.status, path).toBe(200);
      expect(answer.contentType).toBe('application/json;charset=UTF-8');
      expect(answer.body).toEqual({ result: false, statusCode: 6001, message: `你没有权限访问: no action ${path}`, info: {} });
    }
    const bare = await sendRaw(api.baseUrl, { method: 'GET', path: '/apiv2' });
    expect(bare.body).toMatchObject({ result: false, statusCode: 6001 });
  });

  it('answers GET on a POST-only action with 6001 in the envelope and never runs it', async () => {
    const answer = await sc.get('probe/postonly');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ result: false, statusCode: 6001, message: '你没有权限访问: probe/postonly accepts POST, not GET', info: {} });
    expect((await sc.post('probe/postonly')).body).toMatchObject({ result: true, statusCode: 200, info: { ok: true } });
  });

  it('answers PUT, DELETE, PATCH and OPTIONS with the envelope (6001), not a Fastify 404 page', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const answer = await sendRaw(api.baseUrl, {
        method,
        path: '/apiv2/userinfo/get',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: encodeForm(sc.credentials()),
      });
      expect(answer.status, method).toBe(200);
      expect(answer.body, method).toMatchObject({ result: false, statusCode: 6001 });
      expect(isEnvelope(answer.body)).toBe(true);
    }
  });

  it("answers a SendCloudFailure with its code, the documented message and the action's detail", async () => {
    const answer = await sc.post('probe/refuse', { code: '40216', detail: 'no template named x' });
    expect(answer.body).toEqual({ result: false, statusCode: 40216, message: '模板调用名称对应的模板不存在: no template named x', info: {} });
  });

  it('answers an action that throws a plain Error with 501 (服务器异常) and HTTP 200, never an HTTP 5xx', async () => {
    const answer = await sc.post('probe/crash');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ result: false, statusCode: 501, message: '服务器异常', info: {} });
  });

  it('answers userinfo/get with the account fields flat in info, userName being the apiUser, unknown quotas null', async () => {
    const answer = await sc.get('userinfo/get');
    expect(answer.body).toMatchObject({ result: true, statusCode: 200, message: '请求成功' });
    expect(answer.body.info).toMatchObject({ userName: api.secretId, quota: null, todayUsedQuota: null, balance: null, avaliableBalance: null });
  });

  it('leaves the Tencent and DirectMail dialects on / untouched', async () => {
    const tencent = await api.call('ListEmailIdentities', {});
    expect(tencent.status).toBe(200);
    expect(tencent.body.Response.Error).toBeUndefined();
  });
});
