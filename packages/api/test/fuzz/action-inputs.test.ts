import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TENCENT_ACTIONS } from '../../src/tencent/action-registry.ts';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { actionCases, resolveIds, seededCases } from './action-arbitraries.ts';
import {
  ensureFixtures,
  expectSafeMime,
  expectTencentEnvelope,
  type FuzzFixtures,
  fuzzParameters,
  fuzzRuns,
  fuzzTimeoutMs,
  signedCall,
} from './fuzz-support.ts';

describe('fuzzing every action of the registry with signed requests', () => {
  let api: ApiHarness;
  let fixtures: FuzzFixtures;
  beforeAll(async () => {
    api = await startApiHarness();
    fixtures = await ensureFixtures(api);
  });
  afterAll(async () => {
    await api?.close();
  });

  const runs = fuzzRuns(1000);
  it(`answers ${runs} generated bodies (wrong types, missing and unknown fields, CRLF, markup, 1,000-key TemplateData) in Tencent's envelope, never with a server fault; accepted mail renders without injected headers`, {
    timeout: fuzzTimeoutMs(runs),
  }, async () => {
    let cases = 0;
    let accepted = 0;
    const codes = new Map<string, number>();
    await fc.assert(
      // Half generated from each action's schema, half valid requests with one or two things broken.
      fc.asyncProperty(fc.oneof(actionCases(TENCENT_ACTIONS), seededCases()), async (c) => {
        cases++;
        // Fuzzed Delete* calls remove fixtures now and then; put them back so later cases reach deep code.
        if (cases % 150 === 0) fixtures = await ensureFixtures(api);
        const text = resolveIds(c.body, fixtures);
        const answer = await signedCall(api, c.action, text);
        const code = expectTencentEnvelope(answer, `${c.action} ${text.slice(0, 300)}`);
        const key = code === undefined ? `${c.action}: ok` : code;
        codes.set(key, (codes.get(key) ?? 0) + 1);
        if (code === undefined) {
          accepted++;
          const messageId = JSON.parse(answer.text).Response.MessageId;
          if (c.action === 'SendEmail' && typeof messageId === 'string') await expectSafeMime(api, messageId);
        }
      }),
      fuzzParameters(runs),
    );
    const top = [...codes.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
    const successes = [...codes.entries()].filter(([k]) => k.endsWith(': ok')).map(([k, n]) => `${k.slice(0, -4)} ×${n}`);
    console.info(
      `[fuzz] action inputs: ${cases} cases over ${TENCENT_ACTIONS.length} actions, ${accepted} accepted (${successes.join(', ')}); most frequent answers: ${top.map(([k, n]) => `${k} ×${n}`).join(', ')}`,
    );
    expect(cases).toBeGreaterThanOrEqual(runs);
    expect(accepted).toBeGreaterThan(0);
    // The process is still up and serving.
    expect(expectTencentEnvelope(await signedCall(api, 'ListEmailIdentities', '{}'), 'after the fuzz run')).toBeUndefined();
  });
});
