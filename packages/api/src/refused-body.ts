import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RawErrorResponse } from './tencent/client-error.ts';

/**
 * How much of a refused (oversized) body is still read, as a multiple of `maxRequestBytes`: a
 * client finishing the upload of a body up to 8× the limit (64 MiB by default) reads the refusal.
 */
export const OVERSIZED_BODY_DRAIN_FACTOR = 8;

/** How long a client may take to finish sending a refused body before the connection is closed. */
export const OVERSIZED_BODY_DRAIN_MS = 30_000;

/**
 * Reads and discards the rest of a request body, at most `maxBytes` more bytes and for at most
 * `maxMs`. Resolves true when the body was read to its end, false when a bound was hit or the
 * request was aborted. Why: answering a request and closing its connection while the client is
 * still writing makes the kernel reset the connection, and a reset may arrive before the client
 * read the answer (it then sees EPIPE or ECONNRESET, never the error). A connection closed after
 * the whole body was read has nothing left unread, so the client reads the answer.
 */
export function drainRequestBody(req: IncomingMessage, options: { readonly maxBytes: number; readonly maxMs: number }): Promise<boolean> {
  if (req.readableEnded) return Promise.resolve(true);
  if (req.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    let bytes = 0;
    const finish = (drained: boolean) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onAbort);
      resolve(drained);
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > options.maxBytes) finish(false);
    };
    const onEnd = () => finish(true);
    const onAbort = () => finish(req.readableEnded);
    const timer = setTimeout(() => finish(false), options.maxMs);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onAbort);
    req.resume();
  });
}

/**
 * The connections still reading a refused body, shared by every dialect. Guarantees `abortAll`
 * (for server shutdown) closes each of them at once, so closing the server never waits for a slow
 * or stalled upload.
 */
export class RefusedBodyDrains {
  readonly #sockets = new Set<Socket>();
  readonly #bounds: { readonly maxBytes: number; readonly maxMs: number };

  /** Bounds each drain to {@link OVERSIZED_BODY_DRAIN_FACTOR} × `maxRequestBytes` and {@link OVERSIZED_BODY_DRAIN_MS}. */
  constructor(options: { readonly maxRequestBytes: number }) {
    this.#bounds = { maxBytes: OVERSIZED_BODY_DRAIN_FACTOR * options.maxRequestBytes, maxMs: OVERSIZED_BODY_DRAIN_MS };
  }

  /** {@link drainRequestBody} for `req`, its connection tracked until the drain settles. */
  drain(req: IncomingMessage, options: { readonly maxBytes: number; readonly maxMs: number } = this.#bounds): Promise<boolean> {
    const { socket } = req;
    this.#sockets.add(socket);
    return drainRequestBody(req, options).finally(() => this.#sockets.delete(socket));
  }

  /**
   * Call before answering a body refused as too large (`FST_ERR_CTP_BODY_TOO_LARGE`); resolves when
   * the answer may be sent. Fastify refuses the body as soon as it is known to be too large and
   * marks the connection to close after the answer; closing while the client still writes resets
   * the connection, often before the client read the answer (EPIPE / ECONNRESET). So the rest of
   * the body is read and discarded (bounded). A keep-alive connection is kept: this resolves at
   * once (the answer goes out while the client still writes) and the connection stays readable
   * until the body ended (closed if a bound is hit). A connection the client asked to close is
   * answered and closed after the body ended.
   */
  async beforeAnswer(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const drained = this.drain(req.raw);
    if (reply.raw.shouldKeepAlive) {
      reply.removeHeader('connection');
      void drained.then((complete) => {
        if (!complete) req.raw.socket?.destroy();
      });
      return;
    }
    await drained;
  }

  /** Closes every connection still draining a refused body. */
  abortAll(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }
}

/**
 * Makes `server` answer a request sent with `Expect: 100-continue` for which `refusal` gives an
 * answer (an API request whose Content-Length is over the limit) with that answer at once, without
 * `100 Continue`, so the client never sends the body (RFC 9110 §10.1.1); the connection is then
 * closed, since the body it announced never came. Every other request gets `100 Continue` and goes
 * to the routes as usual (Node's own behaviour without this listener).
 */
export function refuseOversizedBeforeContinue(server: Server, refusal: (req: IncomingMessage) => RawErrorResponse | undefined): void {
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const answer = refusal(req);
    if (answer) {
      const body = Buffer.from(answer.body, 'utf8');
      res.writeHead(answer.status, { 'content-type': answer.contentType, 'content-length': body.length, connection: 'close' });
      res.end(body);
      return;
    }
    res.writeContinue();
    server.emit('request', req, res);
  });
}
