import {
  type LedgerDetail,
  type ProviderError,
  type RecipientState,
  type RequestDecision,
  TaskStatus,
  classifyProviderError,
  composeCampaignMessage,
  createUnsubscribeToken,
  decideOnError,
  decideOnOutcomes,
  domainOf,
  isFinal,
  ledgerToState,
  nextDueAt,
  planDelivery,
  stateToLedger,
  toProviderError,
} from '@postmill/core';
import type { LedgerChange } from '@postmill/store';
import { DelayedError, type Job, RateLimitError } from 'bullmq';
import pLimit from 'p-limit';
import { noopDeliveryObserver, observeOutcomes, observeRequest, secondsSince } from '../delivery-observer.ts';
import { handBack } from '../hand-back.ts';
import type { SendChunkPayload } from '../job-catalog.ts';
import { jobLogger } from '../job-logger.ts';
import { waitForSlotAndCheck } from '../wait-for-slot.ts';
import type { CampaignDeps } from './campaign-deps.ts';
import { ChunkSlots } from './chunk-slots.ts';
import { ledgerBatcher } from './ledger-batcher.ts';
import { cancelPending, onRunCompleted } from './run-completion.ts';
import { statEvents } from './stat-events.ts';

type Stop = { kind: 'paused' } | { kind: 'cancelled' } | { kind: 'draining' } | { kind: 'throttle'; delayMs: number } | { kind: 'retry'; error: ProviderError };

/**
 * Sends one chunk of a campaign run: load, decide (pure), send one personalised message per due
 * recipient under the shared limiter, record each answer at once. Guarantees:
 * - a recipient whose ledger state is final is never sent again (retries, restarts, re-dispatch);
 * - pause and cancel are seen before every send (status at most ~200 ms old);
 * - blacklisted and unsubscribed recipients are checked at send time and recorded as such;
 * - throttling returns the job without spending an attempt; deferred recipients park it until due;
 * - every send has its own limiter slot, reserved together with the other sends of the chunk ready
 *   at the same moment (ChunkSlots: group reservation, no timer);
 * - every answer is recorded by the chunk's next ledger write (ledgerBatcher: group commit, no
 *   timer) before the send's concurrency slot is released;
 * - once `signal` aborts (the worker is draining) no send starts, not even one waiting for its
 *   limiter slot (the slot is given up); sends in flight finish and are recorded, then the job goes
 *   back to wait with its attempt count unchanged (JobHandedBackError) and its next run skips them.
 */
export async function processSendChunk(job: Job<SendChunkPayload>, token: string | undefined, deps: CampaignDeps, signal?: AbortSignal): Promise<string> {
  const { taskId, run, start, end } = job.data;
  const log = jobLogger(deps.logger, job, deps.transport.kind);
  if (signal?.aborted) return handBack(job, token);
  const observer = deps.observer ?? noopDeliveryObserver;
  const spec = await deps.taskCache.spec(taskId);
  if (!spec) return 'task-gone';
  const status = await deps.taskCache.status(taskId);
  if (status === TaskStatus.Cancelled) {
    if ((await cancelPending(deps, taskId, run, start, end)).completedRun) await onRunCompleted(deps, taskId, log);
    return 'cancelled';
  }
  if (status === TaskStatus.Paused) return 'paused';
  const runStartedAt = await deps.taskCache.runStartedAt(taskId, run);
  if (runStartedAt === undefined) return 'run-gone';

  const [entries, codes] = await Promise.all([deps.receivers.readRange(spec.receiverId, start, end), deps.tasks.readCodes(taskId, run, start, end)]);
  const details = await deps.tasks.readDetails(
    taskId,
    run,
    codes.flatMap((c, i) => (c === 2 ? [start + i] : [])),
  );
  const states = new Map<string, RecipientState>();
  const indexOf = new Map<string, number>();
  const dataOf = new Map<string, Record<string, string> | undefined>();
  const changes: LedgerChange[] = [];
  const byIndex = new Map(entries.map((e) => [e.index, e]));
  for (let i = 0; i < end - start; i++) {
    const entry = byIndex.get(start + i);
    const code = codes[i] ?? 0;
    if (!entry) {
      // The list lost this index (it was deleted); record it instead of leaving it queued forever.
      if (code === 0 || code === 2) changes.push({ index: start + i, code: 3, detail: { code: 'OperationDenied.ReceiverNotExist', message: 'the receiver list no longer has this recipient', at: deps.clock.now() } });
      continue;
    }
    states.set(entry.email, ledgerToState(code, details.get(start + i) as LedgerDetail | undefined, runStartedAt));
    indexOf.set(entry.email, entry.index);
    dataOf.set(entry.email, entry.templateData);
  }
  const now = deps.clock.now();
  const emails = [...states.keys()];
  const [blacklisted, unsubscribed, domainHolds] = await Promise.all([
    deps.blacklist.blockedAmong(emails),
    deps.suppressions.unsubscribedAmong(spec.from.address, emails),
    deps.holds.holdsFor(emails.map(domainOf)),
  ]);
  const plan = planDelivery({ recipients: emails, states, nowMs: now, unsubscribed, blacklisted, domainHolds, chunkSize: 1, personal: true });
  let completed = false;
  const stats = statEvents(spec.from.address);
  const write = ledgerBatcher(async (list) => {
    if ((await deps.tasks.record(taskId, run, list)).completedRun) completed = true;
  });
  const record = async (updates: ReadonlyMap<string, RecipientState>, extra: readonly LedgerChange[] = []) => {
    const list: LedgerChange[] = [...extra];
    for (const [email, state] of updates) {
      const index = indexOf.get(email);
      if (index === undefined) continue;
      const { code, detail } = stateToLedger(state);
      list.push(detail === undefined ? { index, code } : { index, code, detail });
      states.set(email, state);
      stats.add(email, state);
    }
    observeOutcomes(observer, deps.transport.kind, updates);
    await write(list);
  };
  await record(plan.updates, changes);
  // Indexes the list lost are failed above without a RecipientState; count them as the ledger does.
  if (changes.length > 0) observer.mailOutcome({ transport: deps.transport.kind, outcome: 'failed', errorCode: 'OperationDenied.ReceiverNotExist', count: changes.length });

  const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  let stop: Stop | undefined;
  const sends = plan.requests.flat();
  const slots = new ChunkSlots(deps.limiter);
  const limit = pLimit(Math.max(1, deps.chunkConcurrency));
  await Promise.all(
    sends.map((email) =>
      limit(async () => {
        if (signal?.aborted) stop ??= { kind: 'draining' };
        if (stop) return;
        const current = deps.taskCache.freshStatus(taskId) ?? (await deps.taskCache.status(taskId));
        if (current === TaskStatus.Paused) stop ??= { kind: 'paused' };
        if (current === TaskStatus.Cancelled) stop ??= { kind: 'cancelled' };
        if (stop) return;
        const index = indexOf.get(email) ?? 0;
        const unsubscribeUrl =
          spec.unsubscribe === '0'
            ? undefined
            : `${deps.publicUrl}/unsubscribe/${createUnsubscribeToken({ sender: spec.from.address, recipient: email, messageId: `pm-task-${taskId}-${run}-${index}` }, deps.unsubscribeSecret)}`;
        const data = dataOf.get(email);
        const message = composeCampaignMessage(spec, {
          run,
          index,
          email,
          nowMs: deps.clock.now(),
          ...(data ? { data } : {}),
          ...(unsubscribeUrl ? { unsubscribeUrl } : {}),
        });
        const waitStartedAt = performance.now();
        let now: Awaited<ReturnType<typeof deps.taskCache.status>>;
        let pausedMs = 0;
        for (;;) {
          const slot = await slots.take();
          if (!slot.ok) {
            stop ??= { kind: 'throttle', delayMs: slot.retryAfterMs };
            return;
          }
          // The slot may be seconds away: look at the task, and at a transport pause a throttling
          // answer imposed since the slot was reserved, right before sending.
          const check = async () => Promise.all([deps.taskCache.freshStatus(taskId) ?? deps.taskCache.status(taskId), deps.limiter.pausedForMs()]);
          const waited = await waitForSlotAndCheck(slot.delayMs, check, signal).catch((err: unknown) => {
            if (signal?.aborted) return undefined; // draining: the slot is given up
            throw err;
          });
          if (!waited) {
            stop ??= { kind: 'draining' };
            return;
          }
          [now, pausedMs] = waited.value;
          if (pausedMs > 0) break;
          if (waited.lateMs <= deps.limiter.lateToleranceMs) break;
          // Too late to start on this slot (CPU, GC): it goes unused, so the next slots are not crowded.
        }
        if (now === TaskStatus.Paused) stop ??= { kind: 'paused' };
        if (now === TaskStatus.Cancelled) stop ??= { kind: 'cancelled' };
        // This slot must not be used: the chunk goes back without spending an attempt.
        if (pausedMs > 0) stop ??= { kind: 'throttle', delayMs: pausedMs };
        // The last look before the request, with no await in between: none starts once draining began.
        if (signal?.aborted) stop ??= { kind: 'draining' };
        if (stop) return;
        observer.rateLimitWait({ transport: deps.transport.kind, waitSeconds: secondsSince(waitStartedAt) });
        let decision: RequestDecision;
        let errorCode: string | undefined;
        const requestStartedAt = performance.now();
        try {
          const result = await deps.transport.send({ message, recipients: [email], postmillMessageId: `pm-task-${taskId}-${run}-${index}` });
          decision = decideOnOutcomes(result.outcomes, { states, nowMs: deps.clock.now(), policy: deps.policy });
        } catch (err) {
          const providerError = toProviderError(err);
          errorCode = providerError.code;
          // One recipient per request, so a transient failure is this recipient's alone: it is deferred
          // with the transient backoff and fails after SEND_MAX_ATTEMPTS requests, counted in its own
          // ledger state. Retrying the chunk job instead would share its attempts among every recipient.
          decision =
            classifyProviderError(providerError, deps.policy).kind === 'transient'
              ? decideOnOutcomes([{ recipient: email, accepted: false, error: providerError }], {
                  states,
                  nowMs: deps.clock.now(),
                  policy: { ...deps.policy, maxRecipientBackoffs: deps.policy.maxAttempts - 1 },
                })
              : decideOnError([email], providerError, { states, nowMs: deps.clock.now(), policy: deps.policy, finalAttempt, throttles: 0 /* not yet counted per chunk job: unbounded */ });
        }
        observeRequest(observer, { transport: deps.transport.kind, startedAtMs: requestStartedAt, recipients: 1, decision, errorCode });
        for (const [domain, until] of decision.holds) await deps.holds.hold(domain, until);
        await record(decision.updates);
        if (decision.followUp.kind === 'throttle') {
          await deps.limiter.pause(decision.followUp.delayMs);
          stop ??= { kind: 'throttle', delayMs: decision.followUp.delayMs };
        } else if (decision.followUp.kind === 'retry') {
          stop ??= { kind: 'retry', error: decision.followUp.error };
        }
      }),
    ),
  );
  await stats.flush(deps.statistics, deps.clock.now());

  if (stop?.kind === 'cancelled' && (await cancelPending(deps, taskId, run, start, end)).completedRun) completed = true;
  if (completed) await onRunCompleted(deps, taskId, log);
  if (stop?.kind === 'draining') {
    log.info({ pending: [...states.values()].filter((s) => !isFinal(s)).length }, 'chunk handed back: the worker is draining');
    return handBack(job, token);
  }
  if (stop?.kind === 'throttle') {
    await deps.deliveryQueue.rateLimit(stop.delayMs);
    throw new RateLimitError();
  }
  if (stop?.kind === 'retry') {
    log.warn({ code: stop.error.code }, 'chunk will be retried after a transient failure');
    throw stop.error;
  }
  const due = stop ? undefined : nextDueAt(states);
  if (due !== undefined) {
    await job.moveToDelayed(Math.max(due, deps.clock.now() + 1), token);
    throw new DelayedError();
  }
  return stop?.kind ?? 'done';
}
