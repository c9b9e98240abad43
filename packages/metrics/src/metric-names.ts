/**
 * Every metric name Postmill exports, in one place (the Grafana dashboard and its test read these).
 * Guarantees: names follow Prometheus conventions (base units in the name, `_total` on counters)
 * and never change meaning once released.
 */
export const METRIC = {
  /** Counter{transport, outcome, error_code}: recipients by how one attempt ended (see MailOutcome). */
  mails: 'postmill_mails_total',
  /** Histogram{transport, outcome}: one provider request, from the call to its answer or error. */
  providerRequestDuration: 'postmill_provider_request_duration_seconds',
  /** Histogram{transport}: from asking the shared limiter for a start slot to the start of the request. */
  rateLimitWait: 'postmill_rate_limit_wait_seconds',
  /** Histogram: campaign run start minus its planned start (a late or recovered worker shows here). */
  scheduleLag: 'postmill_schedule_lag_seconds',
  /** Gauge{queue, state}: BullMQ jobs per state, read at scrape time. */
  queueJobs: 'postmill_queue_jobs',
  /** Gauge{status}: batch tasks per status, read at scrape time. */
  tasks: 'postmill_tasks',
  /** Counter{collector}: scrape-time reads that failed or timed out (their gauges are left out of that scrape). */
  collectErrors: 'postmill_metrics_collect_errors_total',
  /** Counter{vendor, endpoint_host, outcome}: webhook delivery tries by how they ended (delivered, retried, failed, refused). */
  webhookDeliveries: 'postmill_webhook_deliveries_total',
  /** Histogram{vendor, endpoint_host}: one webhook POST, from the call to the end of the answer (or its failure). */
  webhookDeliveryDuration: 'postmill_webhook_delivery_duration_seconds',
} as const;

/** One of Postmill's own metric names. */
export type MetricName = (typeof METRIC)[keyof typeof METRIC];
