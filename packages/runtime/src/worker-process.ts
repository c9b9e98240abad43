import type { PostmillConfig } from '@postmill/config';
import { SharedRateLimiter, startDeliveryWorker } from '@postmill/queue';
import { DomainHoldStore } from '@postmill/store';
import type { Logger } from 'pino';
import { unsubscribeSecret } from './secrets.ts';
import type { SharedServices } from './shared-services.ts';
import { createTransport } from './transport-factory.ts';

/** A running delivery worker. `close()` stops fetching, lets active jobs finish, closes the transport; idempotent. */
export interface RunningWorker {
  close(): Promise<void>;
}

/** Starts a delivery worker against the shared queue, limiter and ledger. */
export function startWorker(config: PostmillConfig, shared: SharedServices, logger: Logger): RunningWorker {
  const { redis, keys, clock } = shared;
  const transport = createTransport(config.transport, shared.outbox);
  const log = logger.child({ component: 'worker' });
  const worker = startDeliveryWorker({
    connection: redis,
    bullPrefix: keys.bullPrefix,
    concurrency: config.sending.concurrency,
    deps: {
      clock,
      transport,
      limiter: new SharedRateLimiter({ redis, keys, name: transport.kind, ratePerSecond: config.sending.ratePerSecond }),
      queue: shared.queue,
      messages: shared.messages,
      suppressions: shared.suppressions,
      holds: new DomainHoldStore({ redis, keys, clock }),
      policy: config.sending.retry,
      chunkSize: config.sending.chunkSize,
      publicUrl: config.http.publicUrl,
      unsubscribeSecret: unsubscribeSecret(config),
      logger: log,
    },
  });
  let closing: Promise<void> | undefined;
  return {
    close: () =>
      (closing ??= (async () => {
        await worker.close();
        await transport.close();
      })()),
  };
}
