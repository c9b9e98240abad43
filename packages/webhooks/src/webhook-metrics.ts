import { Counter, Histogram, type Registry } from 'prom-client';

/** Metric names of webhook delivery (add them to @postmill/metrics' METRIC catalog when the worker exports them). */
export const WEBHOOK_METRIC = {
  /** Counter{vendor, endpoint_host, outcome}: tries by how they ended (delivered, retried, failed, refused). */
  deliveries: 'postmill_webhook_deliveries_total',
  /** Histogram{vendor, endpoint_host}: one POST, from the call to the end of the answer (or its failure). */
  duration: 'postmill_webhook_delivery_duration_seconds',
} as const;

/**
 * How one try ended: `delivered` (2xx), `retried` (failed; another try is scheduled), `failed`
 * (failed with no retry left: dead-lettered), `refused` (the target is not allowed: dead-lettered, no connection made).
 */
export type WebhookOutcome = 'delivered' | 'retried' | 'failed' | 'refused';

/**
 * What the webhook worker reports. Guarantees: synchronous, cheap, never throws; non-finite or
 * negative durations are dropped.
 */
export interface WebhookObserver {
  attempt(event: { readonly vendor: string; readonly host: string; readonly outcome: WebhookOutcome; readonly durationSeconds?: number }): void;
}

// Receivers answer in milliseconds; the 3 s timeout bounds the top.
const BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5];

/** Registers the webhook metrics on `registry` (the process's, from createPostmillMetrics) and returns their observer. */
export function createWebhookMetrics(registry: Registry): WebhookObserver {
  const registers = [registry];
  const deliveries = new Counter({
    name: WEBHOOK_METRIC.deliveries,
    help: 'Webhook delivery tries by endpoint host and how they ended: delivered, retried, failed (dead-lettered), refused (target not allowed).',
    labelNames: ['vendor', 'endpoint_host', 'outcome'] as const,
    registers,
  });
  const duration = new Histogram({
    name: WEBHOOK_METRIC.duration,
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

/** The `endpoint_host` label of a URL: its host (with port), or `invalid`. Bounded by the configured endpoints. */
export function endpointHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid';
  }
}
