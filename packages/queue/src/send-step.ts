import {
  type Clock,
  decideOnOutcomes,
  type MailTransport,
  type ProviderError,
  type RecipientState,
  type RequestDecision,
  type RetryPolicyOptions,
  type TransportRequest,
  type TransportResult,
  toProviderError,
} from '@postmill/core';
import type { DomainHoldStore } from '@postmill/store';
import { type DeliveryObserver, observeRequest, secondsSince } from './delivery-observer.ts';
import type { SharedRateLimiter } from './shared-rate-limiter.ts';
import { waitForSlotAndCheck } from './wait-for-slot.ts';

/** A start slot from the shared limiter: wait `delayMs`, then send; or "come back later". */
export type SendSlot = { readonly ok: true; readonly delayMs: number } | { readonly ok: false; readonly retryAfterMs: number };

/** Where a send takes its start slots from (one reservation per send, or a group reservation). */
export interface SlotSource {
  take(): Promise<SendSlot>;
}

/** One reservation of the shared limiter per call: SendEmail's slot source. */
export function singleSlots(limiter: SharedRateLimiter): SlotSource {
  return {
    async take() {
      const slot = await limiter.reserve(1);
      return slot.ok ? { ok: true, delayMs: slot.firstDelayMs } : { ok: false, retryAfterMs: slot.retryAfterMs };
    },
  };
}

/** What the send step needs from its worker. */
export interface SendStepPorts {
  readonly clock: Clock;
  readonly transport: MailTransport;
  readonly limiter: SharedRateLimiter;
  readonly holds: DomainHoldStore;
  readonly policy: RetryPolicyOptions;
  readonly observer: DeliveryObserver;
}

/** What became of one send step. */
export type SendStepResult<C> =
  /** The request was made; its decision is recorded (and a throttling answer paused the transport). */
  | { readonly kind: 'sent'; readonly decision: RequestDecision }
  /** No slot may be used now (limiter full, or the transport paused by a throttling answer): come back after `delayMs`. */
  | { readonly kind: 'throttle'; readonly delayMs: number }
  /** The worker is draining (or the caller abandoned the send): nothing was sent. */
  | { readonly kind: 'stopped' }
  /** The last-moment check said not to send; `check` is its answer. */
  | { readonly kind: 'refused'; readonly check: C };

/**
 * THE send step of every provider request, SendEmail and campaign alike: slot wait with the shared
 * limiter, last-moment checks, send, decide, record, observe. Guarantees:
 * - the request starts no earlier than its slot, and within the limiter's late tolerance of it (a
 *   slot it can no longer start on time goes unused and another is taken);
 * - right before the start (asked with the slot wait, so its round trip overlaps it) the step asks
 *   `lastMoment` (a campaign's claims) and looks at a transport pause; it sends only when
 *   `mayStart(check)` and the transport is not paused;
 * - the request is ONE provider request on ONE slot: `request` itself (`transport.send`), or the
 *   personal messages `request(check)` builds from that last-moment check, in one
 *   `transport.sendPersonalised` call (one `send` when the transport has none and there is one);
 * - no request starts once `signal` aborted (draining) or `abandon()` says so, with no await
 *   between that last look and the start;
 * - the provider's answer (or error) is decided by the one retry policy (`decideError` chooses
 *   how an error is decided), domain holds are stored, and `record` has written the decision before
 *   the step returns; a throttling answer pauses the whole transport;
 * - the wait, the request and its outcome are observed (metrics).
 */
export async function sendStep<C>(o: {
  readonly ports: SendStepPorts;
  readonly slots: SlotSource;
  readonly signal: AbortSignal | undefined;
  /** The request (sent with `send`), or the personal messages to send together, built from the last-moment check. */
  readonly request: TransportRequest | ((check: C) => readonly TransportRequest[]);
  /** The recipients' current states (the decision reads them). */
  readonly states: ReadonlyMap<string, RecipientState>;
  readonly lastMoment: () => Promise<C>;
  readonly mayStart: (check: C) => boolean;
  /** Checked with the signal right before the request. Default: never. */
  readonly abandon?: () => boolean;
  readonly decideError: (error: ProviderError) => RequestDecision;
  readonly record: (decision: RequestDecision) => Promise<void>;
}): Promise<SendStepResult<C>> {
  const { ports, signal } = o;
  const waitStartedAt = performance.now();
  let check: C;
  for (;;) {
    const slot = await o.slots.take();
    if (!slot.ok) return { kind: 'throttle', delayMs: slot.retryAfterMs };
    // The slot may be seconds away: the last-moment check and the transport pause are asked just
    // before it, so a throttling answer that arrived meanwhile is seen.
    const waited = await waitForSlotAndCheck(slot.delayMs, () => Promise.all([o.lastMoment(), ports.limiter.pausedForMs()]), signal).catch((err: unknown) => {
      if (signal?.aborted) return undefined; // draining: the slot is given up
      throw err;
    });
    if (!waited) return { kind: 'stopped' };
    const [lastCheck, pausedMs] = waited.value;
    check = lastCheck;
    if (!o.mayStart(check)) return { kind: 'refused', check };
    // A throttling answer arrived while we waited: this slot must not be used.
    if (pausedMs > 0) return { kind: 'throttle', delayMs: pausedMs };
    if (waited.lateMs <= ports.limiter.lateToleranceMs) break;
    // This process could not start on its slot (CPU, GC): starting now would crowd the next slots
    // into the same second. The slot goes unused; take a new one.
  }
  // The last look before the request, with no await in between: none starts once draining began.
  if (signal?.aborted || o.abandon?.()) return { kind: 'stopped' };
  ports.observer.rateLimitWait({ transport: ports.transport.kind, waitSeconds: secondsSince(waitStartedAt) });
  let decision: RequestDecision;
  let errorCode: string | undefined;
  const requests = typeof o.request === 'function' ? o.request(check) : o.request;
  const requestStartedAt = performance.now();
  try {
    const result = await sendRequest(ports.transport, requests);
    decision = decideOnOutcomes(result.outcomes, { states: o.states, nowMs: ports.clock.now(), policy: ports.policy });
  } catch (err) {
    const providerError = toProviderError(err);
    errorCode = providerError.code;
    decision = o.decideError(providerError);
  }
  observeRequest(ports.observer, {
    transport: ports.transport.kind,
    startedAtMs: requestStartedAt,
    recipients: 'recipients' in requests ? requests.recipients.length : requests.reduce((n, r) => n + r.recipients.length, 0),
    decision,
    errorCode,
  });
  for (const [domain, until] of decision.holds) await ports.holds.hold(domain, until);
  await o.record(decision);
  if (decision.followUp.kind === 'throttle') await ports.limiter.pause(decision.followUp.delayMs);
  return { kind: 'sent', decision };
}

/** One provider request: `send` for one request, `sendPersonalised` for personal messages (or `send` of the only one). */
function sendRequest(transport: MailTransport, requests: TransportRequest | readonly TransportRequest[]): Promise<TransportResult> {
  if ('recipients' in requests) return transport.send(requests);
  if (transport.sendPersonalised) return transport.sendPersonalised(requests);
  const [only, ...more] = requests;
  if (only === undefined || more.length > 0) throw new Error(`sendStep: ${requests.length} personal messages for a transport without sendPersonalised`);
  return transport.send(only);
}
