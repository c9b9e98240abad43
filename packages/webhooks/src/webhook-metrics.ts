/**
 * How one try ended: `delivered` (2xx), `retried` (failed; another try is scheduled), `failed`
 * (failed with no retry left: dead-lettered), `refused` (the target is not allowed: dead-lettered, no connection made).
 */
export type WebhookOutcome = 'delivered' | 'retried' | 'failed' | 'refused';

/**
 * What the webhook worker reports (@postmill/metrics' `webhooks` implements it; its catalog names the metrics). Guarantees: synchronous, cheap, never throws; non-finite or
 * negative durations are dropped.
 */
export interface WebhookObserver {
  attempt(event: { readonly vendor: string; readonly host: string; readonly outcome: WebhookOutcome; readonly durationSeconds?: number }): void;
}

/** The `endpoint_host` label of a URL: its host (with port), or `invalid`. Bounded by the configured endpoints. */
export function endpointHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid';
  }
}
