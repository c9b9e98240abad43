import { randomBytes } from 'node:crypto';
import { stringify } from 'node:querystring';
import { signV1 } from '@postmill/acs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { acsTimestamp } from './sdk-clients.ts';

describe('DirectMail request bodies', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApiHarness({ limits: { maxRequestBytes: 4096 } });
  });
  afterAll(async () => {
    await api?.close();
  });

  function signedForm(extra: Record<string, string>): string {
    const params: Record<string, string> = {
      Action: 'CreateTag',
      Format: 'JSON',
      AccessKeyId: api.secretId,
      Version: '2015-11-23',
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      SignatureNonce: randomBytes(16).toString('hex'),
      Timestamp: acsTimestamp(Date.now()),
      ...extra,
    };
    params.Signature = signV1(params, { method: 'POST', secret: api.secretKey });
    return stringify(params);
  }

  it('answers a form body over the limit in the DirectMail envelope (400), not in Tencent’s', async () => {
    const res = await fetch(`${api.baseUrl}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: signedForm({ TagName: 'big', TagDescription: 'x'.repeat(8192) }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ Code: 'InvalidParameter', Message: expect.stringContaining('4096 bytes'), HostId: '127.0.0.1' });
  });

  it('reads a chunked form body sent without Content-Length, with + as a space', async () => {
    const body = signedForm({ TagName: `chunked_${randomBytes(3).toString('hex')}`, TagDescription: 'two words' }).replace('two%20words', 'two+words');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        const bytes = Buffer.from(body);
        controller.enqueue(bytes.subarray(0, 40));
        controller.enqueue(bytes.subarray(40));
        controller.close();
      },
    });
    const res = await fetch(`${api.baseUrl}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: stream, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ TagId: expect.any(Number) });
  });
});
