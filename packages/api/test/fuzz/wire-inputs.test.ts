import { request } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { expectTencentEnvelope, forceGc, fuzzParameters, fuzzRuns, fuzzTimeoutMs, readAnswer, signedCall, type WireAnswer } from './fuzz-support.ts';
import { sendWireCase, wireCases } from './wire-arbitraries.ts';

describe('fuzzing the wire: bytes, headers and signatures', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApiHarness();
  });
  afterAll(async () => {
    await api?.close();
  });

  const runs = fuzzRuns(800);
  it(`answers ${runs} malformed requests (random bytes, broken JSON, invalid UTF-8, odd headers, unsigned and wrongly signed) in Tencent's envelope, never with a server fault`, {
    timeout: fuzzTimeoutMs(runs),
  }, async () => {
    let count = 0;
    const codes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(wireCases, async (c) => {
        count++;
        const answer = await readAnswer(await sendWireCase(api, c));
        const what = `${c.method} ${c.action} ${JSON.stringify(c.contentType)} ${typeof c.auth === 'string' ? c.auth : 'garbage'} ${Buffer.from(c.body).toString('latin1').slice(0, 200)}`;
        const code = expectTencentEnvelope(answer, what) ?? 'ok';
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }),
      fuzzParameters(runs),
    );
    const top = [...codes.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10);
    console.info(`[fuzz] wire inputs: ${count} cases; answers: ${top.map(([k, n]) => `${k} ×${n}`).join(', ')}`);
    expect(count).toBeGreaterThanOrEqual(runs);
    expect(expectTencentEnvelope(await signedCall(api, 'ListEmailIdentities', '{}'), 'after the fuzz run')).toBeUndefined();
  });
});

/**
 * POSTs up to `offered` bytes until the server answers: chunked, or with `Content-Length: offered`
 * when `declareLength`. The answer can arrive while the body is still being written; the server
 * keeps reading (and discarding) the rest, so the answer is never lost to a connection reset and
 * no attempt is repeated.
 */
function upload(baseUrl: string, offered: number, options: { declareLength: boolean }): Promise<{ answer: WireAnswer; sent: number }> {
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(`${baseUrl}/`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-TC-Action': 'ListEmailIdentities',
        'X-TC-Version': '2020-10-02',
        ...(options.declareLength ? { 'Content-Length': String(offered) } : {}),
      },
    });
    req.on('response', (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () =>
        resolve({
          answer: { status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? null, text: Buffer.concat(parts).toString('utf8') },
          sent,
        }),
      );
      res.on('error', reject);
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    const write = (): void => {
      while (!answered && sent < offered) {
        const piece = chunk.subarray(0, Math.min(chunk.length, offered - sent));
        sent += piece.length;
        if (!req.write(piece)) {
          req.once('drain', write);
          return;
        }
      }
      if (!answered) req.end();
    };
    write();
  });
}

describe('bodies over the 8 MiB limit', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApiHarness();
  });
  afterAll(async () => {
    await api?.close();
  });

  const limit = 8 * 1024 * 1024;
  /** A JSON body of exactly `bytes` bytes. */
  const jsonOf = (bytes: number) => `{"EmailIdentity":"${'a'.repeat(bytes - 20)}"}`;

  it('answers RequestSizeLimitExceeded for a declared length over the limit, and reads a body of exactly the limit', async () => {
    const { answer } = await upload(api.baseUrl, limit + 1, { declareLength: true });
    expect(expectTencentEnvelope(answer, '8 MiB + 1')).toBe('RequestSizeLimitExceeded');
    expect(jsonOf(limit).length).toBe(limit);
    expect(expectTencentEnvelope(await signedCall(api, 'GetEmailIdentity', jsonOf(limit)), '8 MiB')).not.toBe('RequestSizeLimitExceeded');
  });

  it('answers RequestSizeLimitExceeded to a chunked upload that never ends in time, without buffering it, and keeps serving', { timeout: 60_000 }, async () => {
    const offered = 64 * 1024 * 1024;
    forceGc();
    const before = process.memoryUsage();
    for (let i = 0; i < 10; i++) {
      const { answer, sent } = await upload(api.baseUrl, offered, { declareLength: false });
      expect(expectTencentEnvelope(answer, 'chunked 64 MiB')).toBe('RequestSizeLimitExceeded');
      // The server stopped reading soon after 8 MiB (what is in flight in socket buffers aside).
      expect(sent).toBeLessThan(offered);
    }
    forceGc();
    const after = process.memoryUsage();
    const growth = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
    console.info(`[fuzz] 10 chunked 64 MiB uploads: heap + array buffers grew ${(growth / 1024 / 1024).toFixed(1)} MiB`);
    expect(growth).toBeLessThan(32 * 1024 * 1024);
    expect(expectTencentEnvelope(await signedCall(api, 'ListEmailIdentities', '{}'), 'after the uploads')).toBeUndefined();
  });
});
