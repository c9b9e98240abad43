import type { PostmillConfig } from '@postmill/config';
import { createEngine } from '@postmill/engine';
import type { MetricsEndpoint } from '@postmill/metrics';
import { CampaignControl, MessageProducer } from '@postmill/queue';
import { EventLog, EventLogStore, SendRateStore, TrackingStore } from '@postmill/store';
import { createWebhookDelivery } from '@postmill/webhooks';
import type { Logger } from 'pino';
import { createProcessMetrics } from './process-metrics.ts';
import { createReadinessProbe } from './readiness.ts';
import { credentialLookup, trackingSecret, unsubscribeSecret } from './secrets.ts';
import type { SharedServices } from './shared-services.ts';
import { listenFailure } from './startup-error.ts';

/**
 * A listening API. `close()` stops accepting, finishes in-flight requests, then closes its webhook
 * queue handle (the shared Redis connection stays the caller's); idempotent.
 */
export interface RunningApi {
  readonly url: string;
  close(): Promise<void>;
}

/** Options of `startApi`; every field documents its default. */
export interface ApiProcessOptions {
  /** What `/metrics` serves (standalone: the registry the worker reports to as well). Default: this API's own process metrics. */
  readonly metrics?: MetricsEndpoint;
  /** Makes `/readyz` answer 503 while true (standalone: the in-process worker is draining). Default: never. */
  readonly isDraining?: () => boolean;
}

/**
 * Builds and starts the HTTP API on the configured host and port, once Redis is reachable. Use
 * fail-fast services (see createSharedServices). Also serves `/healthz`, `/readyz` (Redis PING
 * with a 1 s timeout) and `/metrics`. Rejects with a StartupError when Redis cannot be reached
 * or the port cannot be bound (taken, privileged, no such address), leaving nothing listening.
 */
export async function startApi(config: PostmillConfig, shared: SharedServices, logger: Logger, options: ApiProcessOptions = {}): Promise<RunningApi> {
  const { redis, keys, clock } = shared;
  // Loaded here, not at import time: a worker process imports this package too and never serves
  // HTTP, so it does not pay for the HTTP stack (about 35 MB of resident memory).
  const { buildApiServer, DASHBOARD_PATH, dashboardOffMessage } = await import('@postmill/api');
  const apiLogger = logger.child({ component: 'api' });
  const tracking = trackingSecret(config);
  const engine = createEngine({
    clock,
    limits: config.limits,
    logger: apiLogger,
    redis,
    keys,
    identities: shared.identities,
    addresses: shared.addresses,
    templates: shared.templates,
    suppressions: shared.suppressions,
    blacklist: shared.blacklist,
    statistics: shared.statistics,
    messages: shared.messages,
    receivers: shared.receivers,
    tasks: shared.tasks,
    campaigns: new CampaignControl({ tasks: shared.tasks, campaignQueue: shared.campaignQueue, policy: config.sending.retry, clock }),
    sendRates: new SendRateStore({ redis, keys, clock }),
    producer: new MessageProducer({ messages: shared.messages, intake: shared.intake }),
    timeZone: config.timeZone,
    tracking: { baseUrl: config.http.publicUrl, secret: tracking, domains: config.tracking.domains },
  });
  // Publish and replay only (`runWorker: false`): worker processes post. The API checks callback
  // URLs against its target policy and serves the dead letters at /admin/webhooks.
  const webhooks = createWebhookDelivery({ redis, keys, clock, settings: config.webhooks, runWorker: false });
  const app = buildApiServer({
    clock,
    limits: config.limits,
    sendCloud: config.sendCloud,
    directMail: config.directMail,
    logger: apiLogger,
    lookupSecret: credentialLookup(config),
    engine,
    redis,
    keys,
    messages: shared.messages,
    suppressions: shared.suppressions,
    statistics: shared.statistics,
    receivers: shared.receivers,
    tasks: shared.tasks,
    outbox: shared.outbox,
    publicUrl: config.http.publicUrl,
    unsubscribeSecret: unsubscribeSecret(config),
    ...(config.eventLog.enabled
      ? { events: new EventLog(new EventLogStore({ redis, prefix: keys.prefix, retentionDays: config.eventLog.retentionDays, clock }), webhooks.publisher) }
      : {}),
    tracking: { secret: tracking, store: new TrackingStore({ redis, keys, retentionDays: config.tracking.retentionDays }) },
    timeZone: config.timeZone,
    dashboard: { access: config.dashboard, queues: [shared.queue, shared.campaignQueue, webhooks.queue] },
    webhooks,
    ops: {
      readiness: createReadinessProbe({ redis, ...(options.isDraining ? { isDraining: options.isDraining } : {}) }),
      metrics: options.metrics ?? createProcessMetrics(shared),
    },
  });
  let address: string;
  try {
    await shared.ready();
    address = await app.listen({ host: config.http.host, port: config.http.port });
  } catch (err) {
    await app.close().catch(() => undefined);
    await webhooks.close().catch(() => undefined);
    throw listenFailure(err, { host: config.http.host, port: config.http.port, setting: 'PORT' });
  }
  const board = config.dashboard;
  if (board.enabled) {
    logger.info(
      { component: 'dashboard', url: `${address}${DASHBOARD_PATH}`, readOnly: !board.allowWrites },
      `queue dashboard on at ${DASHBOARD_PATH} (${board.allowWrites ? 'writes allowed' : 'read-only'})`,
    );
  } else {
    logger.info({ component: 'dashboard', reason: board.reason }, dashboardOffMessage(board.reason));
  }
  let closing: Promise<void> | undefined;
  return {
    url: address,
    close: () =>
      (closing ??= (async () => {
        await app.close();
        await webhooks.close();
      })()),
  };
}
