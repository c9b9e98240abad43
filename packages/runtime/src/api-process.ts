import { buildApiServer } from '@postmill/api';
import type { PostmillConfig } from '@postmill/config';
import { MessageProducer } from '@postmill/queue';
import { IdentityStore, SenderAddressStore, TemplateStore } from '@postmill/store';
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
  const app = buildApiServer({
    clock,
    limits: config.limits,
    logger: logger.child({ component: 'api' }),
    lookupSecret: credentialLookup(config),
    redis,
    keys,
    identities: new IdentityStore({ redis, keys, clock }),
    addresses: new SenderAddressStore({ redis, keys, clock, maxAddresses: config.limits.maxSenderAddresses }),
    templates: new TemplateStore({ redis, keys, clock }),
    messages: shared.messages,
    suppressions: shared.suppressions,
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
