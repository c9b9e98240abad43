import { Counter, Histogram, type Registry } from 'prom-client';
import { METRIC } from './metric-names.ts';

/** How one webhook try ended (mirrors `WebhookOutcome` of @postmill/webhooks). */
export type WebhookOutcomeLabel = 'delivered' | 'retried' | 'failed' | 'refused';

/**
 * The webhook worker's metrics. Implements the `WebhookObserver` port of @postmill/webhooks
 * structurally (this package does not depend on it; the runtime's wiring type-checks it).
 * Guarantees: synchronous, cheap, never throws; non-finite or negative durations are dropped.
 */
export interface WebhookMetrics {
  attempt(event: { readonly vendor: string; readonly host: string; readonly outcome: WebhookOutcomeLabel; readonly durationSeconds?: number }): void;
}

// Receivers answer in milliseconds; the 3 s timeout (WEBHOOK_TIMEOUT_MS) bounds the top.
const BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5];

/** Registers the webhook metrics on `registry` and returns the observer that feeds them. */
export function createWebhookMetrics(registry: Registry): WebhookMetrics {
  const registers = [registry];
  const deliveries = new Counter({
    name: METRIC.webhookDeliveries,
    help: 'Webhook delivery tries by endpoint host and how they ended: delivered, retried, failed (dead-lettered), refused (target not allowed).',
    labelNames: ['vendor', 'endpoint_host', 'outcome'] as const,
    registers,
  });
  const duration = new Histogram({
    name: METRIC.webhookDeliveryDuration,
    help: 'Duration of one webhook POST by endpoint host.',
    labelNames: ['vendor', 'endpoint_host'] as const,
    buckets: BUCKETS_SECONDS,
    registers,
  });
  return {
    attempt: ({ vendor, host, outcome, durationSeconds }) => {
      deliveries.inc({ vendor, endpoint_host: host, outcome });
      if (durationSeconds !== undefined && Number.isFinite(durationSeconds) && durationSeconds >= 0) {
        duration.observe({ vendor, endpoint_host: host }, durationSeconds);
      }
    },
  };
}
