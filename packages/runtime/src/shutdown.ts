import type { Logger } from 'pino';

/**
 * Wires SIGTERM and SIGINT to `stop` once. Guarantees: `stop` runs at most once however many
 * signals arrive; the process exits 0 after it resolves, 1 if it throws.
 */
export function exitOnSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new work; in-flight work finishes');
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', handle);
  process.once('SIGINT', handle);
}
