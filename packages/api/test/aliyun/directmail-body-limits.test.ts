import { randomBytes } from 'node:crypto';
import { type AliyunClient, createAliyunClient } from '@postmill/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';

// pop-core's POST shape: every parameter, Signature included, in a V1 form body.
describe('DirectMail request bodies', () => {
  let api: ApiHarness;
  let client: AliyunClient;
  beforeAll(async () => {
    api = await startApiHarness({ limits: { maxRequestBytes: 4096 } });
    client = createAliyunClient({ baseUrl: api.baseUrl, accessKeyId: api.secretId, secret: api.secretKey, shape: 'v1-form' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers a form body over the limit in the DirectMail envelope (400), not in Tencent’s', async () => {
    const signed = client.sign('CreateTag', { TagName: 'big', TagDescription: 'x'.repeat(8192) });
    expect(signed.chunked).toBe(false);
    const answer = await client.send(signed);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ Code: 'InvalidParameter', Message: expect.stringContaining('4096 bytes'), HostId: '127.0.0.1' });
  });

  it('reads a chunked form body sent without Content-Length, with + as a space', async () => {
    const signed = client.sign(
      'CreateTag',
      { TagName: `chunked_${randomBytes(3).toString('hex')}`, TagDescription: 'two words' },
      { chunked: true, wireEncoding: 'plus' },
    );
    expect(signed.body?.toString()).toContain('TagDescription=two+words');
    // The client writes a chunked body in two chunks, as a streaming client does.
    expect(signed.chunked).toBe(true);
    const answer = await client.send(signed);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ TagId: expect.any(Number) });
  });
});
