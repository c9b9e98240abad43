import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RedisClient } from '@postmill/store';
import { verifyTc3 } from '@postmill/tc3';

/**
 * The floor's one script per request: the message's small hash (with the expiry a status keeps)
 * and its id appended to the run's list. Four Redis commands with the EVALSHA itself.
 * KEYS = [message hash, id list]; ARGV = [id, from, to, subject, accepted at ms, ttl s].
 */
export const FLOOR_ACCEPT_SCRIPT = `
redis.call('HSET', KEYS[1], 'from', ARGV[2], 'to', ARGV[3], 'subject', ARGV[4], 'state', 'queued', 'at', ARGV[5])
redis.call('EXPIRE', KEYS[1], ARGV[6])
return redis.call('RPUSH', KEYS[2], ARGV[1])
`;
const SCRIPT_SHA = createHash('sha1').update(FLOOR_ACCEPT_SCRIPT).digest('hex');

/** The floor's keys under its prefix, all in the slot of `{prefix}`. */
export function floorKeys(prefix: string): { readonly message: (id: string) => string; readonly ids: string } {
  const tag = `{${prefix}}`;
  return { message: (id) => `${tag}:m:${id}`, ids: `${tag}:ids` };
}

/** Options of the floor server; every field documents its default. */
export interface FloorServerOptions {
  /** Its Redis connection (createRedisClient: the commands of one event-loop turn in one socket write, as the API's). */
  readonly redis: RedisClient;
  /** Key prefix, unique per run; every key is tagged `{prefix}`. */
  readonly prefix: string;
  /** The one credential it accepts. */
  readonly secretId: string;
  readonly secretKey: string;
  /** Loopback port to listen on. Default 0 (any free port). */
  readonly port?: number;
  /** Seconds a message hash is kept. Default 86 400. */
  readonly messageTtlS?: number;
}

/** A running floor server. `close()` is idempotent. */
export interface FloorServer {
  readonly url: string;
  close(): Promise<void>;
}

const API_VERSION = '2020-10-02';
const MAX_SKEW_S = 300;

/** Thrown (and answered as InvalidParameter) for a SendEmail body the floor cannot use. */
class FloorInputError extends Error {
  override readonly name = 'FloorInputError';
  readonly code = 'InvalidParameter';
}

/**
 * The fastest SendEmail acceptor this stack allows, the floor Postmill's API is measured against
 * in `pnpm bench:load`. Guarantees, per request: the TC3-HMAC-SHA256 signature is verified with
 * @postmill/tc3's `verifyTc3` exactly as the API calls it (same secret lookup, same 300 s skew);
 * the action and version are checked; the body is read with one `JSON.parse`; ONE Redis script
 * (EVALSHA, its text sent only after NOSCRIPT) stores the message's small hash and appends its id
 * before the answer, so an accepted MessageId is durable as far as Redis is; the answer is
 * Tencent's `{"Response":{"MessageId","RequestId"}}` (errors in Tencent's envelope, HTTP 200),
 * written with its headers in one socket write. No replay check, rate limit, template, schema or
 * day index: everything else Postmill does is what the ratio measures.
 */
export async function startFloorServer(o: FloorServerOptions): Promise<FloorServer> {
  const keys = floorKeys(o.prefix);
  const ttl = String(o.messageTtlS ?? 86_400);
  const lookupSecret = (id: string) => (id === o.secretId ? o.secretKey : undefined);

  const accept = async (args: readonly string[], id: string): Promise<unknown> => {
    const keyArgs = [keys.message(id), keys.ids];
    try {
      return await o.redis.evalsha(SCRIPT_SHA, 2, ...keyArgs, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return o.redis.eval(FLOOR_ACCEPT_SCRIPT, 2, ...keyArgs, ...args);
    }
  };

  const answer = (res: ServerResponse, body: string) => {
    // A string body with its length set: Node writes the head and the body in one socket write.
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const refuse = (res: ServerResponse, code: string, message: string) =>
    answer(res, JSON.stringify({ Response: { Error: { Code: code, Message: message }, RequestId: randomUUID() } }));

  const handle = async (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    if ((req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() !== 'application/json') {
      return refuse(res, 'UnsupportedOperation', 'Only Content-Type application/json is supported.');
    }
    const nowMs = Date.now();
    const verified = verifyTc3(
      { method: req.method ?? 'POST', headers: req.headers, body },
      { lookupSecret, nowSeconds: Math.floor(nowMs / 1000), maxSkewSeconds: MAX_SKEW_S },
    );
    if (!verified.ok) return refuse(res, verified.code, verified.message);
    if (req.headers['x-tc-action'] !== 'SendEmail') return refuse(res, 'InvalidAction', 'The floor answers SendEmail only.');
    if (req.headers['x-tc-version'] !== API_VERSION) return refuse(res, 'NoSuchVersion', `Use ${API_VERSION}.`);
    const input = JSON.parse(body.toString('utf8')) as { FromEmailAddress?: unknown; Destination?: unknown; Subject?: unknown };
    const to = Array.isArray(input.Destination) ? input.Destination[0] : undefined;
    if (typeof input.FromEmailAddress !== 'string' || typeof to !== 'string' || typeof input.Subject !== 'string') {
      throw new FloorInputError('FromEmailAddress, Destination and Subject are required.');
    }
    const id = randomUUID();
    await accept([id, input.FromEmailAddress, to, input.Subject, String(nowMs), ttl], id);
    answer(res, `{"Response":{"MessageId":"${id}","RequestId":"${randomUUID()}"}}`);
  };

  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-length': 2 });
      res.end(req.url === '/healthz' ? 'ok' : 'no');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      handle(req, body, res).catch((err: unknown) => {
        if (err instanceof FloorInputError || err instanceof SyntaxError) refuse(res, 'InvalidParameter', err.message);
        else refuse(res, 'InternalError', err instanceof Error ? err.message : String(err));
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
