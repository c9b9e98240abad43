import type { RecipientState, RequestDecision } from '@postmill/core';

/**
 * How one recipient's attempt ended: `sent`, `failed` (final), `deferred` (per-recipient retry
 * later: domain hold, FrequencyLimit), `retried` (transient error: the job backs off and retries),
 * `throttled` (the provider throttled: the job goes back without spending an attempt).
 */
export type MailOutcome = 'sent' | 'failed' | 'deferred' | 'retried' | 'throttled';

/** How one provider request ended: `answered` (per-recipient outcomes came back), `error`, `throttled`. */
export type ProviderRequestOutcome = 'answered' | 'error' | 'throttled';

/**
 * What the delivery paths report (a port: packages/metrics implements it with Prometheus). Every
 * method must be synchronous, cheap and must not throw: processors call it on the hot path and do
 * not guard the call.
 */
export interface DeliveryObserver {
  /** `count` recipients' attempts ended with `outcome`; `errorCode` is the provider's code, '' when sent. */
  mailOutcome(event: { readonly transport: string; readonly outcome: MailOutcome; readonly errorCode: string; readonly count: number }): void;
  /** One provider request took `durationSeconds`, from the call to its answer or error. */
  providerRequest(event: { readonly transport: string; readonly outcome: ProviderRequestOutcome; readonly durationSeconds: number }): void;
  /** A send waited `waitSeconds` for its shared-limiter start slot (reservation round trip included). */
  rateLimitWait(event: { readonly transport: string; readonly waitSeconds: number }): void;
  /** A campaign run started `lagSeconds` after its planned time. */
  scheduleLag(event: { readonly lagSeconds: number }): void;
}

/** An observer that does nothing: the default wherever no observer is passed. */
export const noopDeliveryObserver: DeliveryObserver = {
  mailOutcome: () => undefined,
  providerRequest: () => undefined,
  rateLimitWait: () => undefined,
  scheduleLag: () => undefined,
};

/** Seconds elapsed since `startedAtMs` (a `performance.now()` reading): monotonic, never the wall clock. */
export function secondsSince(startedAtMs: number): number {
  return (performance.now() - startedAtMs) / 1000;
}

/**
 * Reports recorded ledger updates as mail outcomes, one call per (outcome, error code). Guarantees:
 * each recipient is counted once per update; `queued` updates (a manual retry) are not outcomes.
 */
export function observeOutcomes(observer: DeliveryObserver, transport: string, updates: ReadonlyMap<string, RecipientState>): void {
  const counts = new Map<string, { outcome: MailOutcome; errorCode: string; count: number }>();
  // Most updates are sends: counted without a key per recipient.
  let sent = 0;
  for (const state of updates.values()) {
    if (state.state === 'queued') continue;
    if (state.state === 'sent') {
      sent++;
      continue;
    }
    const errorCode = state.code;
    const key = `${state.state}\u0000${errorCode}`;
    const entry = counts.get(key);
    if (entry) entry.count += 1;
    else counts.set(key, { outcome: state.state, errorCode, count: 1 });
  }
  if (sent > 0) observer.mailOutcome({ transport, outcome: 'sent', errorCode: '', count: sent });
  for (const c of counts.values()) observer.mailOutcome({ transport, ...c });
}

/**
 * Reports one provider request: its duration and outcome, and, when the decision leaves the
 * recipients without a ledger update (throttle, transient retry), their attempts as `throttled`
 * or `retried` with the provider's code. Ledger updates themselves go through `observeOutcomes`.
 */
export function observeRequest(
  observer: DeliveryObserver,
  request: {
    readonly transport: string;
    readonly startedAtMs: number;
    readonly recipients: number;
    readonly decision: RequestDecision;
    readonly errorCode: string | undefined;
  },
): void {
  const { transport, decision, errorCode } = request;
  const followUp = decision.followUp.kind;
  const outcome: ProviderRequestOutcome = errorCode === undefined ? 'answered' : followUp === 'throttle' ? 'throttled' : 'error';
  observer.providerRequest({ transport, outcome, durationSeconds: secondsSince(request.startedAtMs) });
  if (followUp === 'throttle') observer.mailOutcome({ transport, outcome: 'throttled', errorCode: errorCode ?? '', count: request.recipients });
  if (decision.followUp.kind === 'retry')
    observer.mailOutcome({ transport, outcome: 'retried', errorCode: decision.followUp.error.code, count: request.recipients });
}
