import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A queue of scripted values, each used `times` times in order. */
export class Scripted<T> {
  private queue: { value: T; remaining: number }[] = [];

  push(value: T, times = 1): void {
    this.queue.push({ value, remaining: times });
  }

  /** The next scripted value (spending one of its uses), or undefined when none is left. */
  take(): T | undefined {
    const head = this.queue[0];
    if (!head) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) this.queue.shift();
    return head.value;
  }

  clear(): void {
    this.queue = [];
  }
}

/** A list of hooks; adding one returns its remover. */
export class Hooks<F> {
  private fns: F[] = [];

  add(fn: F): () => void {
    this.fns.push(fn);
    return () => {
      this.fns = this.fns.filter((f) => f !== fn);
    };
  }

  get list(): readonly F[] {
    return this.fns;
  }

  clear(): void {
    this.fns = [];
  }
}

/**
 * What a fake cloud provider (fake Tencent SES, fake DirectMail) is told to do, shared by both so
 * their scripting behaves alike: errors for the next requests, per-request predicates and
 * responders, bare HTTP answers, delays and connection resets. Guarantees: `clear` forgets all of
 * it; nothing here knows a provider's wire format.
 */
export class FakeProviderScript<Failure, Input, Request, Answer> {
  readonly failures = new Scripted<Failure>();
  readonly httpAnswers = new Scripted<{ status: number; retryAfterSeconds: number | undefined }>();
  readonly delays = new Scripted<number>();
  readonly resets = new Scripted<true>();
  readonly predicates = new Hooks<(input: Input) => string | undefined>();
  readonly responders = new Hooks<(request: Request) => Answer | undefined>();

  clear(): void {
    this.failures.clear();
    this.httpAnswers.clear();
    this.delays.clear();
    this.resets.clear();
    this.predicates.clear();
    this.responders.clear();
  }

  /**
   * The scripting methods every fake exposes alike: `respondWith`, `respondHttp`, `delayNext`,
   * `resetConnectionNext`, and `reset` (which also empties the fake's recorded `requests` in place).
   */
  methods(requests: unknown[]): {
    respondWith(fn: (request: Request) => Answer | undefined): () => void;
    respondHttp(status: number, options?: { readonly times?: number; readonly retryAfterSeconds?: number }): void;
    delayNext(ms: number, times?: number): void;
    resetConnectionNext(times?: number): void;
    reset(): void;
  } {
    return {
      respondWith: (fn) => this.responders.add(fn),
      respondHttp: (status, o = {}) => {
        this.httpAnswers.push({ status, retryAfterSeconds: o.retryAfterSeconds }, o.times ?? 1);
      },
      delayNext: (ms, times = 1) => {
        this.delays.push(ms, times);
      },
      resetConnectionNext: (times = 1) => {
        this.resets.push(true, times);
      },
      reset: () => {
        requests.length = 0;
        this.clear();
      },
    };
  }
}

/** The scripting and lifecycle methods every fake provider has, alike. */
export interface FakeProviderControls {
  /** The next `times` (default 1) requests get a bare HTTP `status` (not the provider's answer; with Retry-After when given), before any checks. */
  respondHttp(status: number, options?: { times?: number; retryAfterSeconds?: number }): void;
  /** The next `times` (default 1) requests are answered only after `ms` milliseconds (a hang, for timeouts). */
  delayNext(ms: number, times?: number): void;
  /** The next `times` (default 1) requests get their socket destroyed without any answer. */
  resetConnectionNext(times?: number): void;
  /** Forgets recorded requests and every script. */
  reset(): void;
  /** Idempotent: drops pending answers and open connections, then stops listening. */
  close(): Promise<void>;
}

/** A request's whole body. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A fake's loopback HTTP server (see startFakeServer). */
export interface FakeServer {
  readonly port: number;
  /** Runs `fn` now when `delayMs` is undefined, else after `delayMs` on a timer `close()` clears. */
  later(delayMs: number | undefined, fn: () => void): void;
  /** Idempotent: drops pending timers and open connections, then stops listening. */
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 (a free port) and hands every request to `handle`; when `handle` rejects (a
 * broken request stream) the request is answered HTTP 500 if anyone is still there to answer.
 */
export async function startFakeServer(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Promise<FakeServer> {
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // A broken request stream: the client went away mid-body, so there is nobody to answer.
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(String(err));
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  let closing: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    later(delayMs, fn) {
      if (delayMs === undefined) {
        fn();
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        fn();
      }, delayMs);
      timers.add(timer);
    },
    close() {
      closing ??= closeFakeServer(server, timers, sockets);
      return closing;
    },
  };
}

/** Closes a fake's server at once: pending timers cleared, open sockets destroyed. */
export function closeFakeServer(server: Server, timers: Set<NodeJS.Timeout>, sockets: Set<Socket>): Promise<void> {
  return new Promise<void>((resolve) => {
    for (const t of timers) clearTimeout(t);
    timers.clear();
    server.close(() => resolve());
    for (const s of sockets) s.destroy();
  });
}
