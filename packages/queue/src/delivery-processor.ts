import {
  type Clock,
  composeMessage,
  createUnsubscribeToken,
  decideOnError,
  domainOf,
  isFinal,
  type MailEvent,
  type MailTransport,
  type MessageSpec,
  needsPersonalCopies,
  nextDueAt,
  planDelivery,
  type RecipientState,
  type RetryPolicyOptions,
  specRecipients,
} from '@postmill/core';
import {
  type BlacklistStore,
  type DomainHoldStore,
  type EventLog,
  type MailEventBase,
  type MessageStore,
  mailEventOfState,
  requestEventOf,
  type StatisticsStore,
  type SuppressionStore,
} from '@postmill/store';
import { DelayedError, type Job, type Queue, RateLimitError } from 'bullmq';
import type { Logger } from 'pino';
import { type DeliveryObserver, noopDeliveryObserver, observeOutcomes } from './delivery-observer.ts';
import { handBack } from './hand-back.ts';
import type { DeliverMessagePayload, DeliveryPayload } from './job-catalog.ts';
import { jobLogger } from './job-logger.ts';
import { sendStep, singleSlots } from './send-step.ts';
import type { SharedRateLimiter } from './shared-rate-limiter.ts';
import { statEvents } from './stat-events.ts';

/** Everything the delivery processor uses; built by the worker app. */
export interface DeliveryDeps {
  readonly clock: Clock;
  readonly transport: MailTransport;
  readonly limiter: SharedRateLimiter;
  readonly queue: Queue<DeliveryPayload>;
  readonly messages: MessageStore;
  readonly suppressions: SuppressionStore;
  readonly blacklist: BlacklistStore;
  readonly statistics: StatisticsStore;
  readonly holds: DomainHoldStore;
  readonly policy: RetryPolicyOptions;
  /** Most recipients in one provider request. Default 50. */
  readonly chunkSize: number;
  readonly publicUrl: string;
  readonly unsubscribeSecret: string;
  readonly logger: Logger;
  /** Told about every outcome, provider request and limiter wait (metrics). Default: a no-op. */
  readonly observer?: DeliveryObserver;
  /** Where recipient-level events are written and pushed (request, delivered, deferred, bounced, dropped). Default: none. */
  readonly events?: EventLog;
}

/**
 * Processes one `deliver-message` job: load, decide (pure), call the transport, record.
 * Guarantees:
 * - a recipient already `sent` is never sent again, even when the job is retried or restarted;
 * - every state is written as soon as the provider answered, before the next request;
 * - throttling puts the job back without spending an attempt (RateLimitError) up to
 *   `policy.maxThrottles` times per job (counted in the job's data in Redis); past that a
 *   throttling answer spends attempts like a transient error and no longer pauses the transport;
 * - deferred recipients park the job until the earliest is due (DelayedError, no attempt spent);
 * - a transient failure on the last attempt fails those recipients with the error kept;
 * - once `signal` aborts (the worker is draining) no request starts, not even one waiting for its
 *   limiter slot (the slot is given up); the request in flight finishes and is recorded, then the
 *   job goes back to wait with its attempt count unchanged (JobHandedBackError).
 */
export async function processDeliverMessage(
  job: Job<DeliverMessagePayload>,
  token: string | undefined,
  deps: DeliveryDeps,
  signal?: AbortSignal,
): Promise<string> {
  const { messageId } = job.data;
  const log = jobLogger(deps.logger, job, deps.transport.kind);
  if (signal?.aborted) return handBack(job, token);
  const observer = deps.observer ?? noopDeliveryObserver;
  const spec = await deps.messages.getSpec(messageId);
  if (!spec) {
    log.warn('message no longer in the ledger (expired or discarded); nothing to send');
    return 'missing';
  }
  const states = await deps.messages.getRecipients(messageId);
  const recipients = specRecipients(spec);
  const now = deps.clock.now();
  const [unsubscribed, blacklisted, domainHolds] = await Promise.all([
    deps.suppressions.unsubscribedAmong(spec.from.address, recipients),
    deps.blacklist.blockedAmong(recipients),
    deps.holds.holdsFor(recipients.map(domainOf)),
  ]);
  const plan = planDelivery({
    recipients,
    states,
    nowMs: now,
    unsubscribed,
    blacklisted,
    domainHolds,
    chunkSize: deps.chunkSize,
    personal: needsPersonalCopies(spec),
  });
  const eventBase: MailEventBase = { messageId, sender: spec.from.address, ...(spec.tag === undefined ? {} : { tag: spec.tag }) };
  // The request event of every recipient still queued: its id is fixed by (message, recipient), so a retried job writes it again harmlessly.
  const requests = [...states].flatMap(([r, s]) => (s.state === 'queued' ? [requestEventOf(eventBase, r, s.queuedAt)] : []));
  await record(deps, messageId, states, plan.updates, spec.from.address, spec.tag, requests);

  const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  const handBackWhileDraining = () => {
    log.info({ pending: [...states.values()].filter((s) => !isFinal(s)).length }, 'message handed back: the worker is draining');
    return handBack(job, token);
  };
  const ports = { clock: deps.clock, transport: deps.transport, limiter: deps.limiter, holds: deps.holds, policy: deps.policy, observer };
  const slots = singleSlots(deps.limiter);
  for (const group of plan.requests) {
    if (signal?.aborted) return handBackWhileDraining();
    // Compose first, reserve second: the time between the slot and the network write stays minimal.
    const request = { message: messageFor(spec, group, deps), recipients: group, postmillMessageId: messageId };
    const step = await sendStep({
      ports,
      slots,
      signal,
      request,
      states,
      lastMoment: () => Promise.resolve(true),
      mayStart: () => true,
      decideError: (providerError) => {
        // The count lives in the job's data in Redis (read when the job was taken), never in this process.
        const decision = decideOnError(group, providerError, {
          states,
          nowMs: deps.clock.now(),
          policy: deps.policy,
          finalAttempt,
          throttles: job.data.throttles ?? 0,
        });
        log.warn({ code: providerError.code, recipients: group.length, followUp: decision.followUp.kind }, 'provider request failed');
        return decision;
      },
      record: (decision) => record(deps, messageId, states, decision.updates, spec.from.address, spec.tag),
    });
    if (step.kind === 'stopped' || step.kind === 'refused') return handBackWhileDraining();
    if (step.kind === 'throttle') {
      await deps.queue.rateLimit(step.delayMs);
      throw new RateLimitError();
    }
    if (step.decision.followUp.kind === 'throttle') {
      await job.updateData({ ...job.data, throttles: (job.data.throttles ?? 0) + 1 });
      await deps.queue.rateLimit(step.decision.followUp.delayMs);
      throw new RateLimitError();
    }
    if (step.decision.followUp.kind === 'retry') throw step.decision.followUp.error;
  }

  const due = nextDueAt(states);
  if (due !== undefined) {
    await job.moveToDelayed(Math.max(due, deps.clock.now() + 1), token);
    throw new DelayedError();
  }
  if ([...states.values()].every(isFinal)) await deps.messages.dropContent(messageId);
  const sent = [...states.values()].filter((s) => s.state === 'sent').length;
  log.info({ sent, failed: states.size - sent }, 'message delivered');
  return `sent ${sent}/${states.size}`;
}

function messageFor(spec: MessageSpec, group: readonly string[], deps: DeliveryDeps) {
  if (!needsPersonalCopies(spec)) return composeMessage(spec);
  const recipient = group[0] ?? '';
  const token = createUnsubscribeToken({ sender: spec.from.address, recipient, messageId: spec.messageId }, deps.unsubscribeSecret);
  return composeMessage(spec, { recipient, unsubscribeUrl: `${deps.publicUrl}/unsubscribe/${token}` });
}

/**
 * Writes state changes by compare-and-set (the store applies only what the transition table allows
 * from the state in Redis), mirrors what Redis now holds into `states` (the run's view of the
 * ledger), and counts metrics and statistics for APPLIED changes only: a change refused because
 * another job already recorded this recipient (a lost lock) is counted by that job, never twice.
 */
async function record(
  deps: DeliveryDeps,
  messageId: string,
  states: Map<string, RecipientState>,
  updates: ReadonlyMap<string, RecipientState>,
  sender?: string,
  tag?: string,
  requests: readonly MailEvent[] = [],
): Promise<void> {
  const { applied, refused } = await deps.messages.setStates(messageId, updates);
  // After the ledger write, so only applied transitions become events. If the process dies between
  // the two, these events are lost (the replayed job finds the states already applied): the bound
  // is one provider answer's recipients.
  if (deps.events) {
    const base: MailEventBase = { messageId, sender: sender ?? '', ...(tag === undefined ? {} : { tag }) };
    const events = [...requests];
    for (const [r, s] of applied) {
      const event = mailEventOfState(base, r, s);
      if (event) events.push(event);
    }
    await deps.events.record(events);
  }
  observeOutcomes(deps.observer ?? noopDeliveryObserver, deps.transport.kind, applied);
  const stats = statEvents(sender ?? '', tag);
  for (const [r, s] of applied) {
    states.set(r, s);
    if (sender) stats.add(r, s);
  }
  for (const [r, stored] of refused) if (stored) states.set(r, stored);
  await stats.flush(deps.statistics, deps.clock.now());
}
