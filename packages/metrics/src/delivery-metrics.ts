import { Counter, Histogram, type Registry } from 'prom-client';
import { METRIC } from './metric-names.ts';

/** How one recipient's attempt ended (mirrors `MailOutcome` of @postmill/queue). */
export type MailOutcomeLabel = 'sent' | 'failed' | 'deferred' | 'retried' | 'throttled';
/** How one provider request ended (mirrors `ProviderRequestOutcome` of @postmill/queue). */
export type ProviderRequestOutcomeLabel = 'answered' | 'error' | 'throttled';

/**
 * The delivery paths' metrics. Implements the `DeliveryObserver` port of @postmill/queue
 * structurally (this package does not depend on the queue; the runtime's wiring type-checks it).
 * Guarantees: every method is synchronous, cheap (a label lookup and an add) and never throws;
 * negative or non-finite durations are dropped rather than corrupting a histogram.
 */
export interface DeliveryMetrics {
  mailOutcome(event: { readonly transport: string; readonly outcome: MailOutcomeLabel; readonly errorCode: string; readonly count: number }): void;
  providerRequest(event: { readonly transport: string; readonly outcome: ProviderRequestOutcomeLabel; readonly durationSeconds: number }): void;
  rateLimitWait(event: { readonly transport: string; readonly waitSeconds: number }): void;
  scheduleLag(event: { readonly lagSeconds: number }): void;
}

// Provider answers take milliseconds (local outbox) to seconds (a remote API near its 10 s timeout).
const REQUEST_BUCKETS_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
// Limiter waits are bounded by its horizon (10 s by default); most are below one slot spacing.
const WAIT_BUCKETS_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
// Runs start within a second when a worker is up; minutes to hours when every worker was down.
const LAG_BUCKETS_SECONDS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21_600, 86_400];

/** Registers the delivery metrics on `registry` and returns the observer that feeds them. */
export function createDeliveryMetrics(registry: Registry): DeliveryMetrics {
  const registers = [registry];
  const mails = new Counter({
    name: METRIC.mails,
    help: 'Recipients by how one attempt ended: sent, failed, deferred (retried later per recipient), retried (job backoff), throttled (job put back).',
    labelNames: ['transport', 'outcome', 'error_code'] as const,
    registers,
  });
  const requests = new Histogram({
    name: METRIC.providerRequestDuration,
    help: 'Duration of one provider request, by transport and outcome (answered, error, throttled).',
    labelNames: ['transport', 'outcome'] as const,
    buckets: REQUEST_BUCKETS_SECONDS,
    registers,
  });
  const waits = new Histogram({
    name: METRIC.rateLimitWait,
    help: 'Time from asking the shared rate limiter for a start slot until the provider request could start.',
    labelNames: ['transport'] as const,
    buckets: WAIT_BUCKETS_SECONDS,
    registers,
  });
  const lag = new Histogram({
    name: METRIC.scheduleLag,
    help: 'Campaign run start minus its planned start.',
    buckets: LAG_BUCKETS_SECONDS,
    registers,
  });
  return {
    mailOutcome: ({ transport, outcome, errorCode, count }) => {
      if (count > 0) mails.inc({ transport, outcome, error_code: errorCode }, count);
    },
    providerRequest: ({ transport, outcome, durationSeconds }) => {
      if (Number.isFinite(durationSeconds) && durationSeconds >= 0) requests.observe({ transport, outcome }, durationSeconds);
    },
    rateLimitWait: ({ transport, waitSeconds }) => {
      if (Number.isFinite(waitSeconds) && waitSeconds >= 0) waits.observe({ transport }, waitSeconds);
    },
    // A negative lag (a run started before its planned time: clock skew between processes) is
    // kept: it is real information, and a histogram's sum tolerates it.
    scheduleLag: ({ lagSeconds }) => {
      if (Number.isFinite(lagSeconds)) lag.observe(lagSeconds);
    },
  };
}
