export { createDeliveryMetrics, type DeliveryMetrics, type MailOutcomeLabel, type ProviderRequestOutcomeLabel } from './delivery-metrics.ts';
export { METRIC, type MetricName } from './metric-names.ts';
export { createPostmillMetrics, type MetricsEndpoint, type PostmillMetrics, type PostmillMetricsOptions } from './postmill-metrics.ts';
export { type JobCountSource, registerScrapeGauges, type ScrapeGaugeOptions } from './scrape-gauges.ts';
export { createWebhookMetrics, type WebhookMetrics, type WebhookOutcomeLabel } from './webhook-metrics.ts';
export { CollectTimeoutError, withTimeout } from './with-timeout.ts';
