import {
  type LedgerDetail,
  type ProviderError,
  type RecipientState,
  type RequestDecision,
  TaskStatus,
  composeCampaignMessage,
  createUnsubscribeToken,
  decideOnError,
  decideOnOutcomes,
  domainOf,
  ledgerToState,
  nextDueAt,
  planDelivery,
  stateToLedger,
  toProviderError,
} from '@postmill/core';
import type { LedgerChange } from '@postmill/store';
import { DelayedError, type Job, RateLimitError } from 'bullmq';
import pLimit from 'p-limit';
import type { SendChunkPayload } from '../job-catalog.ts';
import { waitForSlot } from '../wait-for-slot.ts';
import type { CampaignDeps } from './campaign-deps.ts';
import { ChunkSlots } from './chunk-slots.ts';
import { ledgerBatcher } from './ledger-batcher.ts';
import { cancelPending, onRunCompleted } from './run-completion.ts';
import { statEvents } from './stat-events.ts';

type Stop = { kind: 'paused' } | { kind: 'cancelled' } | { kind: 'throttle'; delayMs: number } | { kind: 'retry'; error: ProviderError };

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
 *   timer) before the send's concurrency slot is released.
 */
export async function processSendChunk(job: Job<SendChunkPayload>, token: string | undefined, deps: CampaignDeps): Promise<string> {
  const { taskId, run, start, end } = job.data;
  const log = deps.logger.child({ taskId, run, jobId: job.id, transport: deps.transport.kind });
  const spec = await deps.taskCache.spec(taskId);
  if (!spec) return 'task-gone';
  const status = await deps.taskCache.status(taskId);
  if (status === TaskStatus.Cancelled) {
    if ((await cancelPending(deps, taskId, run, start, end)).completedRun) await onRunCompleted(deps, taskId, run);
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
    await write(list);
  };
  await record(plan.updates, changes);

  const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  let stop: Stop | undefined;
  const sends = plan.requests.flat();
  const slots = new ChunkSlots(deps.limiter);
  const limit = pLimit(Math.max(1, deps.chunkConcurrency));
  await Promise.all(
    sends.map((email) =>
      limit(async () => {
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
        const slot = await slots.take();
        if (!slot.ok) {
          stop ??= { kind: 'throttle', delayMs: slot.retryAfterMs };
          return;
        }
        if (slot.delayMs >= 1) await waitForSlot(slot.delayMs);
        // The slot may have been up to a second away: look at the task again right before sending.
        const now = deps.taskCache.freshStatus(taskId) ?? (await deps.taskCache.status(taskId));
        if (now === TaskStatus.Paused) stop ??= { kind: 'paused' };
        if (now === TaskStatus.Cancelled) stop ??= { kind: 'cancelled' };
        if (stop) return;
        let decision: RequestDecision;
        try {
          const result = await deps.transport.send({ message, recipients: [email], postmillMessageId: `pm-task-${taskId}-${run}-${index}` });
          decision = decideOnOutcomes(result.outcomes, { states, nowMs: deps.clock.now(), policy: deps.policy });
        } catch (err) {
          decision = decideOnError([email], toProviderError(err), { states, nowMs: deps.clock.now(), policy: deps.policy, finalAttempt });
        }
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
  if (completed) await onRunCompleted(deps, taskId, run);
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
