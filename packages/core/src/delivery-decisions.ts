import { chunk } from './chunk.ts';
import { DeliveryRefusal } from './delivery-refusal.ts';
import { domainOf, uniqueAddresses } from './email-address.ts';
import type { RecipientOutcome } from './mail-message.ts';
import type { ProviderError } from './provider-error.ts';
import { isDue, type RecipientState } from './recipient-state.ts';
import { classifyProviderError, type Disposition, type RetryPolicyOptions, recipientBackoffMs, transientBackoffMs } from './retry-policy.ts';

/** Inputs to planning one run of a message's delivery. */
export interface PlanInput {
  /** Envelope recipients in message order. */
  readonly recipients: readonly string[];
  readonly states: ReadonlyMap<string, RecipientState>;
  readonly nowMs: number;
  /** Recipients who unsubscribed from this sender. */
  readonly unsubscribed: ReadonlySet<string>;
  /** Recipients on the custom blacklist (default none). */
  readonly blacklisted?: ReadonlySet<string>;
  /** Recipient domains on hold → until (ms). */
  readonly domainHolds: ReadonlyMap<string, number>;
  /** Most recipients in one provider request. */
  readonly chunkSize: number;
  /** One request per recipient (personal unsubscribe links). */
  readonly personal: boolean;
}

/** What one run does: state changes to record first, then provider requests to make in order. */
export interface DeliveryPlan {
  readonly updates: Map<string, RecipientState>;
  readonly requests: string[][];
}

/**
 * Plans a run. Guarantees: only due recipients (queued, or deferred whose time has come) are
 * touched; unsubscribed ones fail with `FailedOperation.ReceiverHasUnsubscribed` before any
 * request, blacklisted ones with `FailedOperation.EmailAddrInBlacklist`; recipients of held
 * domains are deferred to the hold's end; every request has at most
 * `chunkSize` recipients (exactly one when personal); no mailbox appears twice (by addressKey: the
 * first spelling is planned, later case variants are dropped).
 */
export function planDelivery(input: PlanInput): DeliveryPlan {
  const updates = new Map<string, RecipientState>();
  const sendable: string[] = [];
  for (const r of uniqueAddresses(input.recipients)) {
    const state = input.states.get(r);
    if (!state || !isDue(state, input.nowMs)) continue;
    if (input.unsubscribed.has(r)) {
      updates.set(r, {
        state: 'failed',
        at: input.nowMs,
        code: DeliveryRefusal.Unsubscribed,
        message: 'the recipient unsubscribed from this sender',
        transient: false,
      });
      continue;
    }
    if (input.blacklisted?.has(r)) {
      updates.set(r, {
        state: 'failed',
        at: input.nowMs,
        code: DeliveryRefusal.Suppressed,
        message: 'the recipient is on the custom blacklist',
        transient: false,
      });
      continue;
    }
    const holdUntil = input.domainHolds.get(domainOf(r));
    if (holdUntil !== undefined && holdUntil > input.nowMs) {
      updates.set(r, deferred(state, input.nowMs, holdUntil, DeliveryRefusal.DomainHeld, 'recipient domain on hold', false));
      continue;
    }
    sendable.push(r);
  }
  return { updates, requests: chunk(sendable, input.personal ? 1 : Math.max(1, input.chunkSize)) };
}

/** What the worker must do after a request, besides recording `updates`. */
export type FollowUp =
  | { readonly kind: 'continue' }
  /**
   * Slow the whole transport for `delayMs` and put the job back without spending an attempt; the
   * caller adds one to the job's throttle count (ErrorContext.throttles) before putting it back.
   */
  | { readonly kind: 'throttle'; readonly delayMs: number }
  /** Rethrow for BullMQ's exponential backoff (an attempt is spent). */
  | { readonly kind: 'retry'; readonly error: ProviderError };

export interface RequestDecision {
  readonly updates: Map<string, RecipientState>;
  /** Recipient domains to hold until the given time. */
  readonly holds: Map<string, number>;
  readonly followUp: FollowUp;
}

function deferred(prev: RecipientState | undefined, now: number, until: number, code: string, message: string, countBackoff: boolean): RecipientState {
  const backoffs = (prev?.state === 'deferred' ? prev.backoffs : 0) + (countBackoff ? 1 : 0);
  return { state: 'deferred', at: now, until, code, message, backoffs };
}

function failed(now: number, err: ProviderError, transient: boolean): RecipientState {
  return { state: 'failed', at: now, code: err.code, message: err.message, transient };
}

function priorBackoffs(state: RecipientState | undefined): number {
  return state?.state === 'deferred' ? state.backoffs : 0;
}

/** What `decideOnError` needs to know about the job besides the error. */
export interface ErrorContext {
  readonly states: ReadonlyMap<string, RecipientState>;
  readonly nowMs: number;
  readonly policy: RetryPolicyOptions;
  /** True when no transient retry is left (this is the job's last attempt). */
  readonly finalAttempt: boolean;
  /**
   * How many `throttle` follow-ups THIS JOB already took (read from the job itself, e.g. its
   * BullMQ data: never a process-local counter). The caller adds one to the job's count each time
   * it acts on a `throttle` follow-up; every job kind that calls decideOnError must do the same.
   */
  readonly throttles: number;
  readonly random?: () => number;
}

/**
 * The retry policy's kind for an error answered to a job that already took `throttles` throttle
 * follow-ups: classifyProviderError's, except that a throttling answer at or past
 * `policy.maxThrottles` counts as transient (so no job throttles forever). Every caller that
 * branches on the kind of an error uses this, never classifyProviderError alone.
 */
export function boundedDisposition(err: ProviderError, policy: RetryPolicyOptions, throttles: number): Disposition {
  const classified = classifyProviderError(err, policy);
  return classified.kind === 'throttle-transport' && throttles >= policy.maxThrottles ? { kind: 'transient' } : classified;
}

/**
 * Decides what an error answered for a set of recipients means for each of them, per the one
 * retry policy (see classifyProviderError). Guarantees:
 * - a throttling answer while `ctx.throttles < policy.maxThrottles` → follow-up `throttle` (pause
 *   the transport, put the job back, no attempt spent, no recipient touched);
 * - a throttling answer at or past the bound is handled exactly like a transient error: `retry`
 *   (an attempt spent, BullMQ backoff, NO transport pause) or, on the final attempt, every
 *   recipient failed with the throttling code kept and `transient: true`. So a message the
 *   provider always throttles ends failed after `maxThrottles` throttles plus `maxAttempts`
 *   attempts, and pauses the transport at most `maxThrottles` times;
 * - `finalAttempt` is true when no transient retry is left.
 */
export function decideOnError(recipients: readonly string[], err: ProviderError, ctx: ErrorContext): RequestDecision {
  const updates = new Map<string, RecipientState>();
  const holds = new Map<string, number>();
  const d = boundedDisposition(err, ctx.policy, ctx.throttles);
  switch (d.kind) {
    case 'permanent':
      for (const r of recipients) updates.set(r, failed(ctx.nowMs, err, false));
      return { updates, holds, followUp: { kind: 'continue' } };
    case 'throttle-transport':
      return { updates, holds, followUp: { kind: 'throttle', delayMs: d.delayMs } };
    case 'hold-domain': {
      const until = ctx.nowMs + d.holdMs;
      for (const r of recipients) {
        holds.set(domainOf(r), until);
        updates.set(r, deferred(ctx.states.get(r), ctx.nowMs, until, err.code, err.message, false));
      }
      return { updates, holds, followUp: { kind: 'continue' } };
    }
    case 'backoff-recipient':
      for (const r of recipients) {
        const n = priorBackoffs(ctx.states.get(r)) + 1;
        const wait = recipientBackoffMs(n, ctx.policy);
        updates.set(
          r,
          wait === undefined ? failed(ctx.nowMs, err, true) : deferred(ctx.states.get(r), ctx.nowMs, ctx.nowMs + wait, err.code, err.message, true),
        );
      }
      return { updates, holds, followUp: { kind: 'continue' } };
    case 'transient':
      if (ctx.finalAttempt) {
        for (const r of recipients) updates.set(r, failed(ctx.nowMs, err, true));
        return { updates, holds, followUp: { kind: 'continue' } };
      }
      return { updates, holds, followUp: { kind: 'retry', error: err } };
  }
}

/**
 * Decides the per-recipient outcomes of an answered request. Accepted → sent. A rejected
 * recipient is classified alone: permanent → failed; domain block → held; anything retryable
 * (FrequencyLimit, a 4xx reply for that address) → deferred with a per-recipient backoff,
 * bounded by `maxRecipientBackoffs`, then failed with the last error kept.
 */
export function decideOnOutcomes(
  outcomes: readonly RecipientOutcome[],
  ctx: { states: ReadonlyMap<string, RecipientState>; nowMs: number; policy: RetryPolicyOptions; random?: () => number },
): RequestDecision {
  const updates = new Map<string, RecipientState>();
  const holds = new Map<string, number>();
  for (const o of outcomes) {
    if (o.accepted) {
      updates.set(o.recipient, { state: 'sent', at: ctx.nowMs, response: o.response });
      continue;
    }
    const d = classifyProviderError(o.error, ctx.policy);
    const prev = ctx.states.get(o.recipient);
    if (d.kind === 'permanent') {
      updates.set(o.recipient, failed(ctx.nowMs, o.error, false));
    } else if (d.kind === 'hold-domain') {
      const until = ctx.nowMs + d.holdMs;
      holds.set(domainOf(o.recipient), until);
      updates.set(o.recipient, deferred(prev, ctx.nowMs, until, o.error.code, o.error.message, false));
    } else {
      const n = priorBackoffs(prev) + 1;
      const wait =
        d.kind === 'backoff-recipient'
          ? recipientBackoffMs(n, ctx.policy)
          : n > ctx.policy.maxRecipientBackoffs
            ? undefined
            : transientBackoffMs(n, ctx.policy, ctx.random);
      updates.set(
        o.recipient,
        wait === undefined ? failed(ctx.nowMs, o.error, true) : deferred(prev, ctx.nowMs, ctx.nowMs + wait, o.error.code, o.error.message, true),
      );
    }
  }
  return { updates, holds, followUp: { kind: 'continue' } };
}

/** The earliest time a deferred recipient becomes due, or undefined when none is deferred. */
export function nextDueAt(states: ReadonlyMap<string, RecipientState>): number | undefined {
  let min: number | undefined;
  for (const s of states.values()) if (s.state === 'deferred' && (min === undefined || s.until < min)) min = s.until;
  return min;
}
