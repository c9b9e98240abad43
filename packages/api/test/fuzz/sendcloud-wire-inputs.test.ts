import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { SendCloudTestClient } from '../sendcloud/sendcloud-client.ts';
import { Tally } from './aliyun-fuzz-support.ts';
import { fuzzParameters, fuzzRuns, fuzzTimeoutMs } from './fuzz-support.ts';
import { buildSendCloudRequest, expectSendCloudEnvelope, sendBuilt, sendCloudWireCases } from './sendcloud-wire-arbitraries.ts';

// Codes a request can get before (or instead of) authenticating: unknown path or method, an
// unreadable or oversized body, authentication itself.
const BEFORE_AUTH = new Set([6001, 40005, 40819, 40867]);

describe('fuzzing the SendCloud wire: paths, methods, credentials, encodings, bodies', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApiHarness();
    await api.deps.engine.domains.create({ name: 'fuzz.sendcloud.example' });
  });
  afterAll(async () => {
    await api?.close();
  });

  const runs = fuzzRuns(600);
  it(`answers ${runs} generated requests with HTTP 200 and the envelope with a documented code, never 501; only the right credential is ever served`, {
    timeout: fuzzTimeoutMs(runs),
  }, async () => {
    let cases = 0;
    const answers = new Tally();
    const credential = { apiUser: api.secretId, apiKey: api.secretKey };
    await fc.assert(
      fc.asyncProperty(sendCloudWireCases, async (c) => {
        cases++;
        const request = buildSendCloudRequest(c, credential);
        const what = `${request.method} ${request.path.slice(0, 200)} ${c.auth} ${c.body} ${JSON.stringify(request.headers)} ${request.body?.toString('latin1').slice(0, 200)}`;
        const code = expectSendCloudEnvelope(await sendBuilt(api.baseUrl, request), what);
        answers.add(`${c.auth}: ${code}`);
        if (c.auth !== 'right' && c.auth !== 'in-query') expect(BEFORE_AUTH.has(code), `${what}: served without the right credential (${code})`).toBe(true);
      }),
      fuzzParameters(runs),
    );
    console.info(`[fuzz] SendCloud wire inputs: ${cases} cases; answers: ${answers.top(16)}`);
    expect(cases).toBeGreaterThanOrEqual(runs);
    expect(answers.keys().some((k) => k.endsWith(': 200'))).toBe(true);
    const after = await new SendCloudTestClient(api.baseUrl, api.secretId, api.secretKey).get('userinfo/get');
    expect(expectSendCloudEnvelope(after, 'after the run')).toBe(200);
  });
});
