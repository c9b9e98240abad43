import type { AliyunClient } from '@postmill/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALIYUN_ACTIONS } from '../../src/aliyun/action-registry.ts';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { actionCases, expectedFormat, optionsFor, seededCases } from './aliyun-arbitraries.ts';
import { type AliyunFixtures, aliyunClientFor, ensureAliyunFixtures, resolveFixtures, sendAndCheck, Tally } from './aliyun-fuzz-support.ts';
import { expectSafeMime, fuzzParameters, fuzzRuns, fuzzTimeoutMs } from './fuzz-support.ts';

// The codes of a signature the gateway could not match or parse.
const SIGNATURE_FAULTS = ['SignatureDoesNotMatch', 'IncompleteSignature'];

describe('fuzzing every DirectMail action with signed requests in every shape', () => {
  let api: ApiHarness;
  let client: AliyunClient;
  let fixtures: AliyunFixtures;
  beforeAll(async () => {
    api = await startApiHarness();
    client = aliyunClientFor(api);
    fixtures = await ensureAliyunFixtures(client);
  });
  afterAll(async () => {
    await api?.close();
  });

  const runs = fuzzRuns(1000);
  it(`answers ${runs} generated requests (any action, unknown and repeated parameters, unicode, huge and malformed values, every shape, encoding and Format) with 200 or a 4xx in DirectMail's envelope, never a 5xx nor a signature fault; accepted mail renders without injected headers`, {
    timeout: fuzzTimeoutMs(runs),
  }, async () => {
    let cases = 0;
    const answers = new Tally();
    await fc.assert(
      // Half generated from each action's parameter names, half valid requests with one or two things broken.
      fc.asyncProperty(fc.oneof(actionCases, seededCases), async (c) => {
        cases++;
        // Fuzzed Delete* calls remove fixtures now and then; put them back so later cases reach deep code.
        if (cases % 150 === 0) fixtures = await ensureAliyunFixtures(client);
        const params = c.params.map(([n, v]): [string, string] => [n, resolveFixtures(v, fixtures)]);
        const options = optionsFor({ params, framing: c.framing });
        const what = `${options.shape} ${c.action} ${JSON.stringify(params).slice(0, 400)}`;
        const outcome = await sendAndCheck(client, client.sign(c.action, params, options), what, { action: c.action, format: expectedFormat(options) });
        expect(outcome.dialect, what).toBe('aliyun');
        // Every case here is rightly signed: however odd its action and parameters, it is never refused for its signature.
        expect(SIGNATURE_FAULTS, what).not.toContain(outcome.code);
        answers.add(outcome.code ?? `${c.action}: ok`);
        const envId = typeof outcome.answer.body === 'object' ? outcome.answer.body.EnvId : undefined;
        if (c.action === 'SingleSendMail' && outcome.code === undefined && typeof envId === 'string') await expectSafeMime(api, envId);
      }),
      fuzzParameters(runs),
    );
    const successes = answers.keys().filter((k) => k.endsWith(': ok'));
    console.info(
      `[fuzz] DirectMail action inputs: ${cases} cases over ${ALIYUN_ACTIONS.length} actions; accepted ${successes.map((k) => `${k.slice(0, -4)} ×${answers.get(k)}`).join(', ')}; most frequent answers: ${answers.top(12)}`,
    );
    expect(cases).toBeGreaterThanOrEqual(runs);
    // The property reached the actions themselves, sending included.
    expect(successes.length).toBeGreaterThan(ALIYUN_ACTIONS.length / 3);
    expect(answers.get('SingleSendMail: ok')).toBeGreaterThan(0);
    // Still up and serving.
    expect((await sendAndCheck(client, client.sign('DescAccountSummary'), 'after the run')).code).toBeUndefined();
  });
});
