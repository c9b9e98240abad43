import { Agent, type ClientRequest, createServer, type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainRequestBody } from '../src/refused-body.ts';
import { type ApiHarness, startApiHarness } from './api-harness.ts';

// 1 MiB, not less: below a few hundred KiB the whole body fits in loopback socket buffers, so a
// connection closed early is never written to again and the race this file is about cannot show.
const LIMIT = 1024 * 1024;
const CLIENTS = 20;

type Mode = 'one write' | 'slow chunks' | 'expect 100-continue' | 'connection close';

/** What one client saw: the Tencent error code of the answer (if any) and every socket error. */
interface ClientOutcome {
  readonly code: string | undefined;
  readonly errors: readonly string[];
}

/**
 * POSTs `size` bytes to the API with Node's HTTP client (Content-Length declared) and waits until
 * both the answer was read and the request is over (finished or closed), collecting every error
 * the client request or response emitted along the way, even after the answer.
 */
function postBody(baseUrl: string, size: number, mode: Mode, agent?: Agent): Promise<ClientOutcome & { reusedSocket: boolean }> {
  const { hostname, port } = new URL(baseUrl);
  const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': size, 'x-tc-action': 'ListEmailIdentities' };
  if (mode === 'expect 100-continue') headers.expect = '100-continue';
  if (mode === 'connection close') headers.connection = 'close';
  return new Promise((resolve) => {
    const errors: string[] = [];
    let code: string | undefined;
    let answered = false;
    let over = false;
    const req: ClientRequest = request({ host: hostname, port, method: 'POST', path: '/', headers, agent: agent ?? false });
    const settle = () => {
      // A short grace after both ends, so a reset arriving just after the answer is still seen.
      if (answered && over) setTimeout(() => resolve({ code, errors, reusedSocket: req.reusedSocket }), 20);
    };
    req.on('response', (res: IncomingMessage) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('error', (e: NodeJS.ErrnoException) => errors.push(`response ${e.code ?? e.message}`));
      res.on('end', () => {
        code = JSON.parse(Buffer.concat(parts).toString('utf8')).Response?.Error?.Code;
        answered = true;
        settle();
      });
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      errors.push(`request ${e.code ?? e.message}`);
      answered = true;
      over = true;
      settle();
    });
    req.on('finish', () => {
      over = true;
      settle();
    });
    req.on('close', () => {
      over = true;
      settle();
    });
    const body = Buffer.alloc(size, 0x20);
    if (mode === 'expect 100-continue') {
      // The body is sent only if the server asks for it.
      req.on('continue', () => req.end(body));
      req.flushHeaders();
    } else if (mode === 'slow chunks') {
      let sent = 0;
      const step = () => {
        if (sent >= size) return void req.end();
        const piece = body.subarray(sent, Math.min(size, sent + 32 * 1024));
        sent += piece.length;
        req.write(piece);
        setTimeout(step, 1);
      };
      step();
    } else {
      req.end(body);
    }
  });
}

describe(`a request body over MAX_REQUEST_BYTES (${LIMIT} bytes here)`, () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApiHarness({ limits: { maxRequestBytes: LIMIT } });
  });
  afterAll(async () => {
    await api?.close();
  });

  for (const mode of ['one write', 'slow chunks', 'expect 100-continue', 'connection close'] as const) {
    for (const factor of [1.5, 4]) {
      it(`answers ${CLIENTS} of ${CLIENTS} clients sending ${factor}× the limit (${mode}) with RequestSizeLimitExceeded, and none sees EPIPE or ECONNRESET`, {
        timeout: 60_000,
      }, async () => {
        const outcomes: ClientOutcome[] = [];
        for (let i = 0; i < CLIENTS; i++) outcomes.push(await postBody(api.baseUrl, Math.floor(LIMIT * factor), mode));
        expect(outcomes.filter((o) => o.code === 'RequestSizeLimitExceeded')).toHaveLength(CLIENTS);
        expect(outcomes.flatMap((o) => o.errors)).toEqual([]);
      });
    }
  }

  it('keeps a keep-alive connection usable: the next request on the same socket is answered in Tencent’s envelope', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const refused = await postBody(api.baseUrl, 2 * LIMIT, 'one write', agent);
      expect(refused).toMatchObject({ code: 'RequestSizeLimitExceeded', errors: [] });
      // Unsigned, so AuthFailure: what matters is that it was read as a fresh request on the same socket.
      const next = await postBody(api.baseUrl, 2, 'one write', agent);
      expect(next.reusedSocket).toBe(true);
      expect(next.code).toMatch(/^AuthFailure\./u);
      expect(next.errors).toEqual([]);
    } finally {
      agent.destroy();
    }
  });
});

describe('drainRequestBody', () => {
  /** A plain Node server whose handler drains each body with `options` and answers what it returned. */
  async function drainServer(options: { maxBytes: number; maxMs: number }) {
    const results: boolean[] = [];
    const server = createServer((req, res) => {
      void drainRequestBody(req, options).then((drained) => {
        results.push(drained);
        if (!drained) req.socket.destroy();
        else res.end('drained');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return { results, url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  it('reads a body to its end and reports it drained', async () => {
    const s = await drainServer({ maxBytes: 1024 * 1024, maxMs: 5_000 });
    try {
      const res = await fetch(s.url, { method: 'POST', body: Buffer.alloc(512 * 1024) });
      expect(await res.text()).toBe('drained');
      expect(s.results).toEqual([true]);
    } finally {
      await s.close();
    }
  });

  it('gives up (false) once more than maxBytes arrived, so a refused body cannot be streamed forever', async () => {
    const s = await drainServer({ maxBytes: 64 * 1024, maxMs: 5_000 });
    try {
      await fetch(s.url, { method: 'POST', body: Buffer.alloc(4 * 1024 * 1024) }).catch(() => undefined);
      await expect.poll(() => s.results).toEqual([false]);
    } finally {
      await s.close();
    }
  });

  it('gives up (false) after maxMs when the client stops sending in mid-body', async () => {
    const s = await drainServer({ maxBytes: 1024 * 1024, maxMs: 200 });
    const { port } = new URL(s.url);
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-length': 1000 }, agent: false });
    req.on('error', () => undefined); // the server closes this stalled request on purpose
    try {
      req.write(Buffer.alloc(10));
      const started = Date.now();
      await expect.poll(() => s.results, { timeout: 5_000 }).toEqual([false]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    } finally {
      req.destroy();
      await s.close();
    }
  });
});
