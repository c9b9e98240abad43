import { request } from 'node:http';
import type { AliyunAnswer, AliyunClient } from '@postmill/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { expectedFormat } from './aliyun-arbitraries.ts';
import { aliyunClientFor, expectAliyunEnvelope, sendAndCheck, Tally } from './aliyun-fuzz-support.ts';
import { authCode, buildWireCase, wireCases } from './aliyun-wire-arbitraries.ts';
import { forceGc, fuzzParameters, fuzzRuns, fuzzTimeoutMs } from './fuzz-support.ts';

describe('fuzzing the DirectMail wire: signatures, times, replays, methods, content types, bodies', () => {
  let api: ApiHarness;
  let client: AliyunClient;
  beforeAll(async () => {
    api = await startApiHarness();
    client = aliyunClientFor(api);
  });
  afterAll(async () => {
    await api?.close();
  });

  const runs = fuzzRuns(800);
  it(`answers ${runs} spoiled requests in the envelope of the dialect they are routed to, never a 5xx; only a rightly signed, fresh, first use of a nonce is ever served, and each signing fault gets the gateway's code`, {
    timeout: fuzzTimeoutMs(runs),
  }, async () => {
    let cases = 0;
    const answers = new Tally();
    await fc.assert(
      fc.asyncProperty(wireCases, async (c) => {
        cases++;
        const { request: req, options, cleanApartFromAuth } = buildWireCase(client, c, api.deps.clock.now());
        const what = `${options.shape} ${c.auth} ${req.method} ${req.path.slice(0, 200)} ${JSON.stringify(req.headers['content-type'])} ${req.body?.toString('latin1').slice(0, 200)}`;
        const format = cleanApartFromAuth ? expectedFormat(options) : undefined;
        const first = await sendAndCheck(client, req, what, { action: c.action, format });
        answers.add(`${c.auth}: ${first.code ?? 'ok'}`);
        // Never served without a valid signature (a Tencent-routed request is always refused: sendAndCheck).
        if (c.auth !== 'signed' && c.auth !== 'replay') expect(first.code, `${what}: served without a valid signature`).toBeDefined();
        const code = authCode(c.auth, options.shape);
        if (cleanApartFromAuth && first.dialect === 'aliyun' && code !== undefined) expect(first.code, what).toBe(code);
        if (c.auth === 'replay') {
          const again = await sendAndCheck(client, req, `${what} (sent again)`, { action: c.action, format });
          expect(again.code, `${what}: a replay was served`).toBeDefined();
          if (first.code === undefined) expect(again.code, `${what} (sent again)`).toBe('SignatureNonceUsed');
        }
      }),
      fuzzParameters(runs),
    );
    console.info(`[fuzz] DirectMail wire inputs: ${cases} cases; answers: ${answers.top(16)}`);
    expect(cases).toBeGreaterThanOrEqual(runs);
    expect(answers.keys().filter((k) => k.startsWith('signed: ok') || k.startsWith('replay: ok')).length).toBeGreaterThan(0);
    expect((await sendAndCheck(client, client.sign('DescAccountSummary'), 'after the run')).code).toBeUndefined();
  });

  it('refuses a reused nonce on another request with SignatureNonceUsed in every shape, and a forged request does not burn a nonce', async () => {
    for (const shape of ['v3', 'v1-post', 'v1-form', 'v1-get'] as const) {
      const nonce = `n${shape}${Date.now()}`;
      const forged = await client.call('DescAccountSummary', {}, { shape, nonce, secret: 'forged' });
      expect(expectAliyunEnvelope(forged, `${shape} forged`).code).toBe('SignatureDoesNotMatch');
      const first = await client.call('QueryTagByParam', {}, { shape, nonce });
      expect(expectAliyunEnvelope(first, `${shape} first use`).code).toBeUndefined();
      const reused = await client.call('DescAccountSummary', {}, { shape, nonce });
      expect(expectAliyunEnvelope(reused, `${shape} reused`)).toMatchObject({ status: 400, code: 'SignatureNonceUsed' });
    }
  });

  it('serves a SaveReceiverDetail of 500 members sent as the dm SDK sends it, with Detail in the query (about 40 KB of URL)', async () => {
    const list = await client.request('CreateReceiver', { ReceiversName: `big${Date.now()}`, ReceiversAlias: 'big@x.example' });
    const detail = JSON.stringify(Array.from({ length: 500 }, (_, i) => ({ e: `member${i}@example.org`, u: `Member ${i}`, n: 'M' })));
    // The typed SDK (saveReceiverDetail) and callApi put every parameter of this action in the query.
    const answer = await client.call('SaveReceiverDetail', { ReceiverId: String(list.ReceiverId), Detail: detail }, { placement: 'query' });
    expect(expectAliyunEnvelope(answer, 'SaveReceiverDetail with 500 members in the query')).toMatchObject({ status: 200, code: undefined });
    expect(answer.body).toMatchObject({ SuccessCount: 500 });
  });

  it("answers a DirectMail request announcing an oversized body with Expect: 100-continue in DirectMail's envelope, not Tencent's", async () => {
    const signed = client.sign('CreateTag', { TagName: 'x' }, { shape: 'v1-post', placement: 'form', chunked: false });
    const answer = await new Promise<AliyunAnswer>((resolve, reject) => {
      const req = request(`${api.baseUrl}${signed.path}`, {
        method: 'POST',
        headers: { ...signed.headers, expect: '100-continue', 'content-length': String(api.deps.limits.maxRequestBytes + 1) },
      });
      req.on('response', (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          const contentType = res.headers['content-type'];
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            contentType,
            text,
            body: contentType?.includes('json') ? (JSON.parse(text) as Record<string, unknown>) : text,
          });
        });
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(expectAliyunEnvelope(answer, 'Expect: 100-continue over the limit')).toMatchObject({ status: 400, code: 'InvalidParameter' });
  });

  it('answers an invalid Format in JSON wherever the request carried it, as answerFormat promises (pop-core sends Format in its form body)', async () => {
    const inQuery = await client.call('DescAccountSummary', {}, { shape: 'v1-get', format: 'yaml' });
    expect(expectAliyunEnvelope(inQuery, 'Format=yaml in the query')).toMatchObject({ code: 'InvalidParameter.Format', format: 'json' });
    const inBody = await client.call('DescAccountSummary', {}, { shape: 'v1-form', format: 'yaml' });
    expect(expectAliyunEnvelope(inBody, 'Format=yaml in a pop-core form body')).toMatchObject({ code: 'InvalidParameter.Format', format: 'json' });
  });
});

/**
 * POSTs a V1 form of up to `offered` bytes until the server answers: chunked, or with a
 * Content-Length of `offered` when `declareLength`. Its query carries `Signature`, so the router
 * takes it for Alibaba's before reading the body. Keeps reading the answer while still writing.
 */
function upload(baseUrl: string, offered: number, options: { declareLength: boolean }): Promise<{ answer: AliyunAnswer; sent: number }> {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(`${baseUrl}/?Action=DescAccountSummary&Format=JSON&Signature=x`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(options.declareLength ? { 'content-length': String(offered) } : {}) },
    });
    req.on('response', (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        const contentType = res.headers['content-type'];
        const body = contentType?.includes('json') ? (JSON.parse(text) as Record<string, unknown>) : text;
        resolve({ answer: { status: res.statusCode ?? 0, headers: res.headers, contentType, text, body }, sent });
      });
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

describe('DirectMail bodies at and over the 8 MiB limit', () => {
  let api: ApiHarness;
  let client: AliyunClient;
  beforeAll(async () => {
    api = await startApiHarness();
    client = aliyunClientFor(api);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers a declared or chunked V1 form over the limit with InvalidParameter in the envelope, without buffering it or reading more than 8× the limit, and keeps serving', {
    timeout: 60_000,
  }, async () => {
    const limit = api.deps.limits.maxRequestBytes;
    const declared = await upload(api.baseUrl, limit + 1, { declareLength: true });
    expect(expectAliyunEnvelope(declared.answer, 'declared 8 MiB + 1')).toMatchObject({ status: 400, code: 'InvalidParameter' });
    forceGc();
    const before = process.memoryUsage();
    // The refused rest is read (and dropped) up to 8× the limit past it, so the client reads the
    // answer instead of a reset; an upload longer than that is answered before it ends.
    const offered = 10 * limit;
    for (let i = 0; i < 5; i++) {
      const { answer, sent } = await upload(api.baseUrl, offered, { declareLength: false });
      expect(expectAliyunEnvelope(answer, 'chunked 10 × the limit')).toMatchObject({ status: 400, code: 'InvalidParameter' });
      expect(sent).toBeLessThan(offered);
    }
    forceGc();
    const after = process.memoryUsage();
    expect(after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers)).toBeLessThan(32 * 1024 * 1024);
    expect((await sendAndCheck(client, client.sign('DescAccountSummary'), 'after the uploads')).code).toBeUndefined();
  });

  it('answers a client still uploading an oversized body (which has not ended it) at once, as the Tencent dialect does, not when the 30 s drain gives up', {
    timeout: 20_000,
  }, async () => {
    // The client ends its body only once it has an answer: a server that waits for the end (or
    // for its drain to give up after OVERSIZED_BODY_DRAIN_MS) runs into this test's timeout.
    const answer = await new Promise<AliyunAnswer>((resolve, reject) => {
      const req = request(`${api.baseUrl}/?Action=DescAccountSummary&Format=JSON&Signature=x`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      req.on('response', (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => {
          req.destroy();
          const text = Buffer.concat(parts).toString('utf8');
          const contentType = res.headers['content-type'];
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            contentType,
            text,
            body: contentType?.includes('json') ? (JSON.parse(text) as Record<string, unknown>) : text,
          });
        });
      });
      req.on('error', reject);
      req.write(Buffer.alloc(api.deps.limits.maxRequestBytes + 1024 * 1024, 0x61));
    });
    expect(expectAliyunEnvelope(answer, 'an oversized body not yet ended')).toMatchObject({ status: 400, code: 'InvalidParameter' });
  });

  it('serves a signed V1 form of nearly 8 MiB in every shape that carries a body, and keeps serving', { timeout: 120_000 }, async () => {
    // 6 MiB of text that percent-encoding leaves alone, so the form stays under the limit.
    const text = 'x'.repeat(6 * 1024 * 1024);
    for (const shape of ['v1-form', 'v1-post', 'v3'] as const) {
      const startedMs = Date.now();
      const answer = await client.call(
        'CreateTag',
        { TagName: `big_${shape.replace('-', '_')}`, TagDescription: text },
        { shape, placement: 'form', timeoutMs: 60_000 },
      );
      // The description is over its 500 characters: refused, after the whole form was read and verified.
      expect(expectAliyunEnvelope(answer, `${shape} 6 MiB form`)).toMatchObject({ status: 400, code: 'InvalidTagDescription' });
      console.info(`[fuzz] a 6 MiB ${shape} form was answered in ${Date.now() - startedMs} ms`);
    }
    expect((await sendAndCheck(client, client.sign('DescAccountSummary'), 'after the big forms')).code).toBeUndefined();
  });
});
