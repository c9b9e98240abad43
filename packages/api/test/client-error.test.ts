import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientErrorAnswer } from '../src/tencent/client-error.ts';
import { type ApiHarness, startApiHarness } from './api-harness.ts';

/** Sends raw bytes and reads until the server closes the connection. */
function rawExchange(baseUrl: string, bytes: string | Buffer): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.end(bytes);
  });
}

function parse(raw: string): { status: number; headers: string; body: { Response: { Error?: { Code: string; Message: string }; RequestId: string } } } {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body: JSON.parse(body) };
}

describe('requests Node HTTP parser refuses', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApiHarness();
  });
  afterAll(async () => {
    await api.close();
  });

  it('answers a malformed header line with Tencent InvalidRequest envelope and a RequestId, then closes', async () => {
    const answer = parse(await rawExchange(api.baseUrl, 'POST / HTTP/1.1\r\nHost: x\r\nThis is not a header\r\n\r\n'));
    expect(answer.status).toBe(400);
    expect(answer.headers).toContain('content-type: application/json');
    expect(answer.headers).toContain('connection: close');
    expect(answer.body.Response.Error?.Code).toBe('InvalidRequest');
    expect(answer.body.Response.Error?.Message).toMatch(/not valid HTTP\/1\.1 \(HPE_/u);
    expect(answer.body.Response.RequestId).toMatch(/^[0-9a-f-]{36}$/u);
  });

  it('answers a broken request line and bad chunked encoding the same way', async () => {
    expect(parse(await rawExchange(api.baseUrl, 'POST\x01/ HTTP/1.1\r\n\r\n')).body.Response.Error?.Code).toBe('InvalidRequest');
    const chunked = 'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n';
    const answer = parse(await rawExchange(api.baseUrl, chunked));
    expect(answer.status).toBe(400);
    expect(answer.body.Response.Error?.Code).toBe('InvalidRequest');
  });

  it("answers a DirectMail request Node cannot parse in DirectMail's JSON error shape, with its status", async () => {
    const raw = await rawExchange(api.baseUrl, 'GET /?Action=DescAccountSummary&Signature=abc HTTP/1.1\r\nHost: dm.example:80\r\nThis is not a header\r\n\r\n');
    const [head = '', body = ''] = raw.split('\r\n\r\n');
    expect(Number(head.split(' ')[1])).toBe(400);
    expect(head.toLowerCase()).toContain('content-type: application/json;charset=utf-8');
    expect(JSON.parse(body)).toMatchObject({ Code: 'InvalidParameter', HostId: 'dm.example', RequestId: expect.stringMatching(/^[0-9A-F-]{36}$/u) });
  });

  it('reads a head of 20 KB (over Node 16 KiB default) when the request limit allows it', async () => {
    const answer = parse(
      await rawExchange(
        api.baseUrl,
        `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n{}`,
      ),
    );
    expect(answer.status).toBe(200);
    expect(answer.body.Response.Error?.Code).not.toBe('RequestSizeLimitExceeded');
  });

  it('keeps serving: a signed request right after is answered normally', async () => {
    await rawExchange(api.baseUrl, 'GARBAGE\r\n\r\n');
    const { status, body } = await api.call('ListEmailIdentities', {});
    expect(status).toBe(200);
    expect((body as { Response: { Error?: unknown } }).Response.Error).toBeUndefined();
  });

  it('maps a request that arrived too slowly to InvalidRequest with HTTP 408', () => {
    expect(clientErrorAnswer('ERR_HTTP_REQUEST_TIMEOUT')).toMatchObject({ status: 408, code: 'InvalidRequest' });
    expect(clientErrorAnswer(undefined)).toMatchObject({ status: 400, code: 'InvalidRequest' });
  });
});

describe('a request head over the request limit (MAX_REQUEST_BYTES bounds the head too)', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApiHarness({ limits: { maxRequestBytes: 16 * 1024 } });
  });
  afterAll(async () => {
    await api.close();
  });

  it('answers a Tencent request with RequestSizeLimitExceeded (HTTP 431)', async () => {
    const answer = parse(await rawExchange(api.baseUrl, `POST / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    expect(answer.status).toBe(431);
    expect(answer.body.Response.Error?.Code).toBe('RequestSizeLimitExceeded');
  });

  it("answers a DirectMail request (V1 query or ACS3 Authorization) in DirectMail's JSON error shape with HTTP 400", async () => {
    for (const request of [
      `GET /?Action=SaveReceiverDetail&Signature=abc&Detail=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      `POST / HTTP/1.1\r\nHost: x\r\nAuthorization: ACS3-HMAC-SHA256 Credential=k,SignedHeaders=host,Signature=00\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    ]) {
      const raw = await rawExchange(api.baseUrl, request);
      const [head = '', body = ''] = raw.split('\r\n\r\n');
      expect(Number(head.split(' ')[1])).toBe(400);
      expect(head.toLowerCase()).toContain('content-type: application/json;charset=utf-8');
      expect(JSON.parse(body)).toMatchObject({ Code: 'InvalidParameter', Message: expect.stringContaining(`${16 * 1024} bytes`), HostId: 'x' });
    }
  });
});
