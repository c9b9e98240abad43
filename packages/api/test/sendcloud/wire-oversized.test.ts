import { randomBytes } from 'node:crypto';
import { type ClientRequest, type IncomingMessage, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { encodeForm, SendCloudTestClient } from './sendcloud-client.ts';
import { ACTIONS_WITH_PROBES } from './wire-probe-actions.ts';

// 1 MiB request limit + 1 MiB attachments: bodies large enough that a connection closed before
// the body was read would reset before the client read the answer (see ../oversized-body.test.ts).
const MAX_REQUEST_BYTES = 1024 * 1024;
const MAX_ATTACHMENT_BYTES = 1024 * 1024;
const BODY_LIMIT = MAX_REQUEST_BYTES + MAX_ATTACHMENT_BYTES;

interface Outcome {
  readonly status: number | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: the envelope as parsed
  readonly body: any;
  readonly errors: readonly string[];
  /** The server asked for the body (`100 Continue`). */
  readonly continued: boolean;
}

/** POSTs `body` with Node's HTTP client, optionally announcing it with `Expect: 100-continue`, and collects the answer and every socket error. */
function post(baseUrl: string, path: string, body: Buffer, options: { contentType: string; expectContinue?: boolean }): Promise<Outcome> {
  const { hostname, port } = new URL(baseUrl);
  const headers: Record<string, string | number> = { 'content-type': options.contentType, 'content-length': body.length };
  if (options.expectContinue) headers.expect = '100-continue';
  return new Promise((resolve) => {
    const errors: string[] = [];
    let status: number | undefined;
    let parsed: unknown;
    let answered = false;
    let over = false;
    let continued = false;
    const req: ClientRequest = request({ host: hostname, port, method: 'POST', path, headers, agent: false });
    const settle = () => {
      if (answered && over) setTimeout(() => resolve({ status, body: parsed, errors, continued }), 20);
    };
    req.on('response', (res: IncomingMessage) => {
      status = res.statusCode;
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        parsed = JSON.parse(Buffer.concat(parts).toString('utf8'));
        answered = true;
        settle();
      });
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      errors.push(e.code ?? e.message);
      answered = true;
      over = true;
      settle();
    });
    for (const done of ['finish', 'close'] as const)
      req.on(done, () => {
        over = true;
        settle();
      });
    if (options.expectContinue) {
      req.on('continue', () => {
        continued = true;
        req.end(body);
      });
      req.flushHeaders();
    } else {
      req.end(body);
    }
  });
}

describe(`a SendCloud request body over MAX_REQUEST_BYTES + SENDCLOUD_MAX_ATTACHMENT_BYTES (${BODY_LIMIT} bytes here)`, () => {
  let api: ApiHarness;
  let sc: SendCloudTestClient;
  beforeAll(async () => {
    api = await startApiHarness({
      sendCloudActions: ACTIONS_WITH_PROBES,
      limits: { maxRequestBytes: MAX_REQUEST_BYTES },
      sendCloud: { maxAttachmentBytes: MAX_ATTACHMENT_BYTES },
    });
    sc = new SendCloudTestClient(api.baseUrl, api.secretId, api.secretKey);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('serves a multipart body larger than MAX_REQUEST_BYTES whose attachments are within the attachment limit', async () => {
    const answer = await sc.multipart('probe/echo', { subject: 'big' }, [{ filename: 'big.bin', content: randomBytes(MAX_ATTACHMENT_BYTES) }]);
    expect(answer.body).toMatchObject({ result: true, statusCode: 200, info: { attachments: [{ size: MAX_ATTACHMENT_BYTES }] } });
  });

  it('answers a 3 MiB urlencoded body with HTTP 200 and 40819 in the envelope, read by the client without a reset', async () => {
    const body = Buffer.from(encodeForm({ ...sc.credentials(), html: 'x'.repeat(3 * 1024 * 1024) }));
    const outcome = await post(api.baseUrl, '/apiv2/probe/echo', body, { contentType: 'application/x-www-form-urlencoded' });
    expect(outcome.errors).toEqual([]);
    expect(outcome.status).toBe(200);
    expect(outcome.body).toEqual({
      result: false,
      statusCode: 40819,
      message: `附件大小不能超过10485760字节: the request body is larger than ${BODY_LIMIT} bytes`,
      info: {},
    });
  });

  it('answers a body announced over the limit with Expect: 100-continue at once, with the envelope, before it is sent', async () => {
    const body = Buffer.alloc(BODY_LIMIT + 1, 0x61);
    const outcome = await post(api.baseUrl, '/apiv2/mail/send', body, { contentType: 'multipart/form-data; boundary=x', expectContinue: true });
    expect(outcome.continued).toBe(false);
    expect(outcome.status).toBe(200);
    expect(outcome.body).toMatchObject({ result: false, statusCode: 40819 });
  });

  it('still serves the next request after refusing one (the API is not left hanging)', async () => {
    expect((await sc.get('userinfo/get')).body.statusCode).toBe(200);
  });
});
