import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request a receiver got. */
export interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly eventId: string;
  readonly status: number | 'hung';
}

/** What the receiver answers the n-th (1-based) request carrying one event id: a status, or hang for `hangMs`. */
export type Answer = { readonly status: number } | { readonly hangMs: number };

/** A real HTTP receiver on loopback that records every request and answers as `answer` says. */
export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  /** TCP connections accepted so far. */
  connections(): number;
  /** Requests that were answered 2xx, by event id. */
  delivered(): Map<string, Received[]>;
  setAnswer(answer: (eventId: string, nth: number) => Answer): void;
  close(): Promise<void>;
}

/**
 * Starts a receiver on 127.0.0.1. `verify` checks each request's shape or signature (throwing
 * marks the request as a 400 and records the failure in `problems`).
 */
export async function startReceiver(
  options: { verify?: (r: { headers: IncomingHttpHeaders; body: string }) => void; problems?: string[] } = {},
): Promise<Receiver> {
  const received: Received[] = [];
  const seen = new Map<string, number>();
  let answer: (eventId: string, nth: number) => Answer = () => ({ status: 200 });
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const eventId = String(req.headers['x-postmill-event-id'] ?? '');
      const nth = (seen.get(eventId) ?? 0) + 1;
      seen.set(eventId, nth);
      try {
        options.verify?.({ headers: req.headers, body });
      } catch (err) {
        options.problems?.push(String(err));
        received.push({ headers: req.headers, body, eventId, status: 400 });
        res.writeHead(400).end();
        return;
      }
      const a = answer(eventId, nth);
      if ('hangMs' in a) {
        received.push({ headers: req.headers, body, eventId, status: 'hung' });
        setTimeout(() => res.writeHead(200).end(), a.hangMs).unref();
        return;
      }
      received.push({ headers: req.headers, body, eventId, status: a.status });
      res.writeHead(a.status).end();
    });
  });
  server.on('connection', (s: Socket) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    connections: () => connections,
    delivered: () => {
      const out = new Map<string, Received[]>();
      for (const r of received) if (typeof r.status === 'number' && r.status >= 200 && r.status < 300) out.set(r.eventId, [...(out.get(r.eventId) ?? []), r]);
      return out;
    },
    setAnswer: (a) => {
      answer = a;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/** Resolves once `check` holds, polling every 20 ms; throws after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
