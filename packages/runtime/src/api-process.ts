import type { PostmillConfig } from '@postmill/config';
import { CampaignControl, MessageProducer } from '@postmill/queue';
import type { Logger } from 'pino';
import { credentialLookup, unsubscribeSecret } from './secrets.ts';
import type { SharedServices } from './shared-services.ts';

/** A listening API. `close()` stops accepting, finishes in-flight requests, and is idempotent. */
export interface RunningApi {
  readonly url: string;
  close(): Promise<void>;
}

/** Builds and starts the HTTP API on the configured host and port, once Redis is reachable. Use fail-fast services (see createSharedServices). */
export async function startApi(config: PostmillConfig, shared: SharedServices, logger: Logger): Promise<RunningApi> {
  const { redis, keys, clock } = shared;
  // Loaded here, not at import time: a worker process imports this package too and never serves
  // HTTP, so it does not pay for the HTTP stack (about 35 MB of resident memory).
  const { buildApiServer } = await import('@postmill/api');
  const app = buildApiServer({
    clock,
    limits: config.limits,
    logger: logger.child({ component: 'api' }),
    lookupSecret: credentialLookup(config),
    redis,
    keys,
    identities: shared.identities,
    addresses: shared.addresses,
    templates: shared.templates,
    messages: shared.messages,
    suppressions: shared.suppressions,
    blacklist: shared.blacklist,
    statistics: shared.statistics,
    receivers: shared.receivers,
    tasks: shared.tasks,
    campaigns: new CampaignControl({ tasks: shared.tasks, campaignQueue: shared.campaignQueue, policy: config.sending.retry, clock }),
    outbox: shared.outbox,
    producer: new MessageProducer({ queue: shared.queue, messages: shared.messages, policy: config.sending.retry }),
    publicUrl: config.http.publicUrl,
    unsubscribeSecret: unsubscribeSecret(config),
    timeZone: config.timeZone,
  });
  await shared.ready();
  const address = await app.listen({ host: config.http.host, port: config.http.port });
  let closing: Promise<void> | undefined;
  return { url: address, close: () => (closing ??= app.close()) };
}
