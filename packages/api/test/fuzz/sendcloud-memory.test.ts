import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { SendCloudTestClient } from '../sendcloud/sendcloud-client.ts';
import { forceGc, fuzzRuns, fuzzTimeoutMs } from './fuzz-support.ts';
import { buildSendCloudRequest, expectSendCloudEnvelope, sendBuilt, sendCloudWireCases } from './sendcloud-wire-arbitraries.ts';

// Heap the whole process (API server and this test's client) may keep after a run, whatever its
// length: connection pools, compiled code, caches that fill once. A per-request leak of 2 KiB
// crosses it within the full profile (FUZZ_RUNS=20000).
const HEAP_GROWTH_BOUND = 32 * 1024 * 1024;

describe('memory under SendCloud wire fuzzing', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApiHarness();
  });
  afterAll(async () => {
    await api?.close();
  });

  async function run(count: number, seed: number): Promise<void> {
    const credential = { apiUser: api.secretId, apiKey: api.secretKey };
    for (const [i, c] of fc.sample(sendCloudWireCases, { numRuns: count, seed }).entries()) {
      expectSendCloudEnvelope(await sendBuilt(api.baseUrl, buildSendCloudRequest(c, credential)), `case ${i}`);
    }
  }

  const runs = fuzzRuns(800);
  it(`keeps the heap flat over ${runs} SendCloud wire cases after a warm-up`, { timeout: fuzzTimeoutMs(runs * 1.3) }, async () => {
    await run(Math.max(200, Math.floor(runs / 4)), 1);
    forceGc();
    const before = process.memoryUsage().heapUsed;
    await run(runs, 2);
    forceGc();
    const after = process.memoryUsage().heapUsed;
    const growth = after - before;
    console.info(
      `[fuzz] SendCloud memory: ${runs} cases after warm-up; heap ${(before / 1024 / 1024).toFixed(1)} → ${(after / 1024 / 1024).toFixed(1)} MiB (${growth >= 0 ? '+' : ''}${(growth / 1024).toFixed(0)} KiB)`,
    );
    expect(growth).toBeLessThan(HEAP_GROWTH_BOUND);
    const answer = await new SendCloudTestClient(api.baseUrl, api.secretId, api.secretKey).get('userinfo/get');
    expect(expectSendCloudEnvelope(answer, 'after the run')).toBe(200);
  });
});
