import type { AliyunClient } from '@postmill/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { actionCases, expectedFormat, optionsFor, seededCases } from './aliyun-arbitraries.ts';
import { type AliyunFixtures, aliyunClientFor, ensureAliyunFixtures, resolveFixtures, sendAndCheck } from './aliyun-fuzz-support.ts';
import { buildWireCase, wireCases } from './aliyun-wire-arbitraries.ts';
import { forceGc, fuzzRuns, fuzzTimeoutMs } from './fuzz-support.ts';

// Heap the whole process (API server and this test's client) may keep after a run, whatever its
// length: connection pools, compiled code, caches that fill once, Redis replies. A per-request
// leak of 2 KiB crosses it within the full profile (FUZZ_RUNS=20000).
const HEAP_GROWTH_BOUND = 32 * 1024 * 1024;

describe('memory under DirectMail fuzzing', () => {
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

  /** Sends `count` generated cases of every kind (actions, broken valid requests, spoiled wire), in a fixed order, answering each. */
  async function run(count: number, seed: number): Promise<void> {
    const all = fc.oneof(
      actionCases.map((c) => ({ kind: 'action' as const, c })),
      seededCases.map((c) => ({ kind: 'action' as const, c })),
      wireCases.map((c) => ({ kind: 'wire' as const, c })),
    );
    const samples = fc.sample(all, { numRuns: count, seed });
    for (const [i, s] of samples.entries()) {
      if (i % 150 === 149) fixtures = await ensureAliyunFixtures(client);
      if (s.kind === 'action') {
        const params = s.c.params.map(([n, v]): [string, string] => [n, resolveFixtures(v, fixtures)]);
        const options = optionsFor({ params, framing: s.c.framing });
        await sendAndCheck(client, client.sign(s.c.action, params, options), `case ${i}`, { action: s.c.action, format: expectedFormat(options) });
      } else {
        const { request } = buildWireCase(client, s.c, api.deps.clock.now());
        await sendAndCheck(client, request, `case ${i}`);
        if (s.c.auth === 'replay') await sendAndCheck(client, request, `case ${i} (sent again)`);
      }
    }
  }

  const runs = fuzzRuns(800);
  it(`keeps the heap flat over ${runs} DirectMail fuzz cases after a warm-up`, { timeout: fuzzTimeoutMs(runs * 1.3) }, async () => {
    await run(Math.max(200, Math.floor(runs / 4)), 1);
    forceGc();
    const before = process.memoryUsage().heapUsed;
    await run(runs, 2);
    forceGc();
    const after = process.memoryUsage().heapUsed;
    const growth = after - before;
    console.info(
      `[fuzz] DirectMail memory: ${runs} cases after warm-up; heap ${(before / 1024 / 1024).toFixed(1)} → ${(after / 1024 / 1024).toFixed(1)} MiB (${growth >= 0 ? '+' : ''}${(growth / 1024).toFixed(0)} KiB)`,
    );
    expect(growth).toBeLessThan(HEAP_GROWTH_BOUND);
    expect((await sendAndCheck(client, client.sign('DescAccountSummary'), 'after the run')).code).toBeUndefined();
  });
});
