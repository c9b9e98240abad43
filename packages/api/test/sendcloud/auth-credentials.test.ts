import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { encodeForm, SendCloudTestClient, sendRaw } from './sendcloud-client.ts';
import { ACTIONS_WITH_PROBES } from './wire-probe-actions.ts';

const AUTH_FAILED = { result: false, statusCode: 40005, message: '认证失败', info: {} };

describe('SendCloud authentication with apiUser and apiKey', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApiHarness({ sendCloudActions: ACTIONS_WITH_PROBES });
  });
  afterAll(async () => {
    await api?.close();
  });

  it("serves Postmill's built-in credential (POSTMILL_SECRET_ID as apiUser, POSTMILL_SECRET_KEY as apiKey) as an apiUser of both types", async () => {
    const answer = await new SendCloudTestClient(api.baseUrl, api.secretId, api.secretKey).post('probe/echo');
    expect(answer.body).toMatchObject({ result: true, statusCode: 200, info: { apiUser: api.secretId, apiUserType: 'both' } });
  });

  it('answers a wrong apiKey for the built-in apiUser with 40005 认证失败', async () => {
    const answer = await new SendCloudTestClient(api.baseUrl, api.secretId, `${api.secretKey}x`).post('probe/echo');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(AUTH_FAILED);
  });

  it('answers an unknown apiUser with 40005, the same answer as a wrong key', async () => {
    for (const apiUser of ['nobody_here', 'AKIDunknown', 'x', '中文用户']) {
      const answer = await new SendCloudTestClient(api.baseUrl, apiUser, api.secretKey).post('probe/echo');
      expect(answer.body, apiUser).toEqual(AUTH_FAILED);
    }
  });

  it('answers a missing or empty apiUser or apiKey with 40005', async () => {
    const missingKey = await sendRaw(api.baseUrl, {
      method: 'POST',
      path: '/apiv2/probe/echo',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: encodeForm({ apiUser: api.secretId }),
    });
    expect(missingKey.body.statusCode).toBe(40005);
    const emptyUser = await new SendCloudTestClient(api.baseUrl, '', api.secretKey).get('probe/echo');
    expect(emptyUser.body.statusCode).toBe(40005);
    const nothing = await sendRaw(api.baseUrl, { method: 'GET', path: '/apiv2/userinfo/get' });
    expect(nothing.body).toMatchObject({ result: false, statusCode: 40005 });
  });

  it('authenticates from the body when the query carries other (wrong) credentials: the body wins', async () => {
    const answer = await sendRaw(api.baseUrl, {
      method: 'POST',
      path: `/apiv2/probe/echo?${encodeForm({ apiUser: api.secretId, apiKey: 'wrong' })}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: encodeForm({ apiUser: api.secretId, apiKey: api.secretKey }),
    });
    expect(answer.body).toMatchObject({ result: true, statusCode: 200 });
  });
});

describe('SendCloud per-apiUser request rate limit (API_RATE_LIMIT_PER_SECOND)', () => {
  let api: ApiHarness;
  let now = Date.parse('2026-12-07T10:00:00.250Z');
  beforeAll(async () => {
    api = await startApiHarness({ sendCloudActions: ACTIONS_WITH_PROBES, limits: { apiRequestsPerSecond: 3 }, clock: { now: () => now } });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers the request over the per-second budget of one apiUser and action with 50001 (536 Frequency limited), counted apart per action, and admits again in the next second', async () => {
    const sc = new SendCloudTestClient(api.baseUrl, api.secretId, api.secretKey);
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await sc.post('probe/echo')).body.statusCode);
    expect(codes).toEqual([200, 200, 200, 50001]);
    const throttled = await sc.post('probe/echo');
    expect(throttled.body).toMatchObject({ result: false, statusCode: 50001 });
    expect(throttled.body.message).toMatch(/^536 Frequency limited: at most 3 requests/u);
    expect((await sc.get('userinfo/get')).body.statusCode).toBe(200);
    now += 1000;
    expect((await sc.post('probe/echo')).body.statusCode).toBe(200);
  });

  it('does not count requests that fail authentication', async () => {
    now += 5000;
    const wrong = new SendCloudTestClient(api.baseUrl, api.secretId, 'wrong');
    for (let i = 0; i < 5; i++) expect((await wrong.post('probe/echo')).body.statusCode).toBe(40005);
    expect((await new SendCloudTestClient(api.baseUrl, api.secretId, api.secretKey).post('probe/echo')).body.statusCode).toBe(200);
  });
});
