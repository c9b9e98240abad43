import type { Server } from 'node:http';
import type { Socket } from 'node:net';

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
