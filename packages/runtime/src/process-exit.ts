import type { Logger } from 'pino';
import { StartupError } from './startup-error.ts';

/** Options of `guardProcess`; every field documents its default. */
export interface GuardProcessOptions {
  /** Prefix of the one-line failure message: `postmill`, `postmill-api`, `postmill-worker`. */
  readonly name: string;
  readonly logger: Logger;
  /**
   * Longest wait for the shutdown steps after a failure; then the process exits anyway (the
   * synchronous steps still run). Not applied after a signal, where the worker's drain has its
   * own grace (SHUTDOWN_GRACE_SECONDS). Default 10 000.
   */
  readonly failureCleanupMs?: number;
  /** Where the one-line start-up failure goes. Default process.stderr. */
  readonly stderr?: NodeJS.WritableStream;
}

/** How a guarded process ends; see guardProcess. */
export interface ProcessExit {
  /** Adds a shutdown step. Steps run last-added first (last started, first stopped), each once. */
  onShutdown(step: () => Promise<void> | void): void;
  /**
   * Adds a synchronous step that also runs from the process's 'exit' event, so what it stops
   * (a child process) never outlives this one even when the asynchronous steps were cut short.
   */
  onExitSync(step: () => void): void;
  /** Reports `err` (see guardProcess), runs the shutdown steps, exits 1. */
  fail(err: unknown): Promise<never>;
}

/**
 * Owns every way this process ends. Guarantees: the shutdown steps run once, whatever comes
 * first: SIGTERM, SIGINT or SIGHUP (exit 0, or 1 when a step failed; later signals change
 * nothing), `fail` (exit 1), an uncaught exception or an unhandled rejection
 * (logged with its stack, exit 1); the synchronous steps run on every exit, `process.exit`
 * elsewhere included. A StartupError is printed as one line, `<name>: <message>`, with no stack.
 */
export function guardProcess(options: GuardProcessOptions): ProcessExit {
  const steps: (() => Promise<void> | void)[] = [];
  const syncSteps: (() => void)[] = [];
  const stderr = options.stderr ?? process.stderr;
  let ending = false;

  const runSync = () => {
    for (const step of syncSteps.splice(0).reverse()) {
      try {
        step();
      } catch {
        // best effort: the process is exiting
      }
    }
  };
  process.once('exit', runSync);

  const shutdown = async (): Promise<boolean> => {
    let clean = true;
    for (const step of steps.splice(0).reverse()) {
      try {
        await step();
      } catch (err) {
        clean = false;
        options.logger.error({ err }, 'shutdown step failed');
      }
    }
    return clean;
  };

  const fail = async (err: unknown): Promise<never> => {
    if (err instanceof StartupError) stderr.write(`${options.name}: ${err.message}\n`);
    else options.logger.fatal({ err }, 'fatal error: stopping');
    if (!ending) {
      ending = true;
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, options.failureCleanupMs ?? 10_000).unref());
      await Promise.race([shutdown(), deadline]);
    }
    process.exit(1);
  };

  // Later signals are ignored: one Ctrl+C reaches this process several times (from the terminal to
  // the whole process group, and relayed by `npm start`'s wrapper and tsx), and the worker's drain
  // is bounded by SHUTDOWN_GRACE_SECONDS anyway.
  const onSignal = (signal: NodeJS.Signals) => {
    if (ending) return;
    ending = true;
    options.logger.info({ signal }, 'shutting down: no new work; in-flight work finishes');
    void shutdown().then((clean) => process.exit(clean ? 0 : 1));
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, onSignal);
  process.on('uncaughtException', (err) => void fail(err));
  process.on('unhandledRejection', (reason) => void fail(reason));

  return {
    onShutdown: (step) => {
      steps.push(step);
    },
    onExitSync: (step) => {
      syncSteps.push(step);
    },
    fail,
  };
}
