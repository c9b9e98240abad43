import { collectDefaultMetrics, Registry } from 'prom-client';
import { createDeliveryMetrics, type DeliveryMetrics } from './delivery-metrics.ts';
import { registerScrapeGauges, type ScrapeGaugeOptions } from './scrape-gauges.ts';
import { createWebhookMetrics, type WebhookMetrics } from './webhook-metrics.ts';

/** What an HTTP endpoint needs to answer a scrape; structural, so servers need not know prom-client. */
export interface MetricsEndpoint {
  /** The `Content-Type` of `render()`'s text (Prometheus text format 0.0.4). */
  readonly contentType: string;
  /** The current exposition text; scrape-time gauges are read now. */
  render(): Promise<string>;
}

/** One process's metrics: its own registry, the delivery observer, and the scrape endpoint. */
export interface PostmillMetrics extends MetricsEndpoint {
  readonly registry: Registry;
  /** Feeds the delivery counters and histograms (pass it as the workers' `observer`). */
  readonly delivery: DeliveryMetrics;
  /** Feeds the webhook delivery counter and histogram (pass it as the webhook delivery's `observer`). */
  readonly webhooks: WebhookMetrics;
}

/** Options of `createPostmillMetrics`; every field documents its default. */
export interface PostmillMetricsOptions extends ScrapeGaugeOptions {
  /** Also export prom-client's process metrics (CPU, memory, event loop lag, GC, handles). Default true. */
  readonly defaultMetrics?: boolean;
}

/**
 * Builds a process's registry with every Postmill metric. Guarantees: a new registry per call
 * (prom-client's global default registry is never touched, so importing this package registers
 * nothing and two calls in one process never clash); default process metrics start collecting
 * only here, never at import.
 */
export function createPostmillMetrics(options: PostmillMetricsOptions = {}): PostmillMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const delivery = createDeliveryMetrics(registry);
  const webhooks = createWebhookMetrics(registry);
  registerScrapeGauges(registry, options);
  return { registry, delivery, webhooks, contentType: registry.contentType, render: () => registry.metrics() };
}
