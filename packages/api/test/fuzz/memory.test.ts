import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TENCENT_ACTIONS } from '../../src/tencent/action-registry.ts';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { actionCases, resolveIds, seededCases } from './action-arbitraries.ts';
import { ensureFixtures, expectTencentEnvelope, type FuzzFixtures, forceGc, fuzzRuns, fuzzTimeoutMs, readAnswer, signedCall } from './fuzz-support.ts';
import { sendWireCase, wireCases } from './wire-arbitraries.ts';

// Heap the whole process (API server and this test's client) may keep after a run, whatever its
// length: connection pools, compiled code, caches that fill once. A per-request leak of 2 KiB
// crosses it within the full profile (FUZZ_RUNS=20000).
const HEAP_GROWTH_BOUND = 32 * 1024 * 1024;

describe('memory under fuzzing', () => {
  let api: ApiHarness;
  let fixtures: FuzzFixtures;
  beforeAll(async () => {
    api = await startApiHarness();
    fixtures = await ensureFixtures(api);
  });
  afterAll(async () => {
    await api?.close();
  });

  /** Sends `count` generated cases of every kind, in a fixed order (seeded), answering each. */
  async function run(count: number, seed: number): Promise<void> {
    const all = fc.oneof(
      actionCases(TENCENT_ACTIONS).map((c) => ({ kind: 'action' as const, c })),
      seededCases().map((c) => ({ kind: 'action' as const, c })),
      wireCases.map((c) => ({ kind: 'wire' as const, c })),
    );
    const samples = fc.sample(all, { numRuns: count, seed });
    for (const [i, s] of samples.entries()) {
      if (i % 150 === 149) fixtures = await ensureFixtures(api);
      const answer = s.kind === 'action' ? await signedCall(api, s.c.action, resolveIds(s.c.body, fixtures)) : await readAnswer(await sendWireCase(api, s.c));
      expectTencentEnvelope(answer, `case ${i}`);
    }
  }

  const runs = fuzzRuns(800);
  it(`keeps the heap flat over ${runs} fuzz cases after a warm-up`, { timeout: fuzzTimeoutMs(runs * 1.3) }, async () => {
    await run(Math.max(200, Math.floor(runs / 4)), 1);
    forceGc();
    const before = process.memoryUsage().heapUsed;
    await run(runs, 2);
    forceGc();
    const after = process.memoryUsage().heapUsed;
    const growth = after - before;
    console.info(
      `[fuzz] memory: ${runs} cases after warm-up; heap ${(before / 1024 / 1024).toFixed(1)} → ${(after / 1024 / 1024).toFixed(1)} MiB (${growth >= 0 ? '+' : ''}${(growth / 1024).toFixed(0)} KiB)`,
    );
    expect(growth).toBeLessThan(HEAP_GROWTH_BOUND);
    expect(expectTencentEnvelope(await signedCall(api, 'ListEmailIdentities', '{}'), 'after the run')).toBeUndefined();
  });
});
