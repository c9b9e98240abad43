import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';

/** Sends raw bytes and reads until the server closes the connection. */
function rawExchange(baseUrl: string, bytes: string): Promise<string> {
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

function parse(raw: string): { status: number; headers: string; body: unknown } {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body: JSON.parse(body) };
}

describe('SendCloud requests that Node HTTP parser refuses', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApiHarness({ limits: { maxRequestBytes: 16 * 1024 } });
  });
  afterAll(async () => {
    await api.close();
  });

  it('answers a GET to /apiv2/… whose query makes the head larger than MAX_REQUEST_BYTES with HTTP 200 and 40819, then closes', async () => {
    const answer = parse(await rawExchange(api.baseUrl, `GET /apiv2/userinfo/get?apiUser=a&vars=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`));
    expect(answer.status).toBe(200);
    expect(answer.headers).toContain('content-type: application/json;charset=utf-8');
    expect(answer.headers).toContain('connection: close');
    expect(answer.body).toEqual({
      result: false,
      statusCode: 40819,
      message: `附件大小不能超过10485760字节: the request line and headers are larger than ${16 * 1024} bytes`,
      info: {},
    });
  });

  it('answers a malformed header line on /apiv2/… with HTTP 200 and 40867 naming the parser error', async () => {
    const answer = parse(await rawExchange(api.baseUrl, 'POST /apiv2/mail/send HTTP/1.1\r\nHost: x\r\nThis is not a header\r\n\r\n'));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ result: false, statusCode: 40867, info: {} });
    expect((answer.body as { message: string }).message).toMatch(/^处理附件发生异常: the request is not valid HTTP\/1\.1 \(HPE_/u);
  });

  it("leaves other paths' refusals to their dialects (Tencent's envelope on /)", async () => {
    const answer = parse(await rawExchange(api.baseUrl, 'POST / HTTP/1.1\r\nHost: x\r\nThis is not a header\r\n\r\n'));
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ Response: { Error: { Code: 'InvalidRequest' } } });
  });
});
