export { METRIC, type MetricName } from './metric-names.ts';
export { type DeliveryMetrics, type MailOutcomeLabel, type ProviderRequestOutcomeLabel, createDeliveryMetrics } from './delivery-metrics.ts';
export { type JobCountSource, type ScrapeGaugeOptions, registerScrapeGauges } from './scrape-gauges.ts';
export { type MetricsEndpoint, type PostmillMetrics, type PostmillMetricsOptions, createPostmillMetrics } from './postmill-metrics.ts';
export { CollectTimeoutError, withTimeout } from './with-timeout.ts';
