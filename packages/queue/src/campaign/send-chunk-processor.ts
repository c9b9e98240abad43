import { randomUUID } from 'node:crypto';
import {
  boundedDisposition,
  type CampaignTaskSpec,
  campaignMessageId,
  composeCampaignMessage,
  createUnsubscribeToken,
  DeliveryRefusal,
  decideOnError,
  decideOnOutcomes,
  isFinal,
  isFinalRunCode,
  type LedgerDetail,
  ledgerToState,
  type MailEvent,
  nextDueAt,
  type ProviderError,
  planDelivery,
  type RecipientState,
  RunCode,
  stateToLedger,
  TaskStatus,
  type TransportRequest,
} from '@postmill/core';
import { isRemovedSlot, type LedgerChange, type MailEventBase, mailEventOfState, requestEventOf } from '@postmill/store';
import { DelayedError, type Job, RateLimitError } from 'bullmq';
import pLimit from 'p-limit';
import { noopDeliveryObserver, observeOutcomes } from '../delivery-observer.ts';
import { handBack } from '../hand-back.ts';
import type { SendChunkPayload } from '../job-catalog.ts';
import { jobLogger } from '../job-logger.ts';
import { sendStep } from '../send-step.ts';
import { statEvents } from '../stat-events.ts';
import type { CampaignDeps } from './campaign-deps.ts';
import { ChunkSlots } from './chunk-slots.ts';
import { ClaimBatcher, type ClaimOutcome } from './claim-batcher.ts';
import { ledgerBatcher } from './ledger-batcher.ts';
import { RemovalBatcher } from './removal-batcher.ts';
import { sendGroups, sendRuns } from './send-groups.ts';

type Refusal = Extract<ClaimOutcome, { kind: 'refused' }>['reason'];
type Stop =
  | { kind: Refusal }
  | { kind: 'draining' }
  | { kind: 'throttle'; delayMs: number /** a provider's throttling answer (counted against SEND_MAX_THROTTLES), not a full limiter */; answered: boolean }
  | { kind: 'retry'; error: ProviderError };

/** Longest a chunk parks before it looks again at recipients another send holds (or that changed under it). */
const RELOOK_MS = 500;

/** What a send's last-moment check came to: its claim's outcome, or `removed` (claimed, but the member left the list). */
type SendCheck = ClaimOutcome | { readonly kind: 'removed' };

const REMOVED_MESSAGE = 'removed from the receiver list before its send';
const REMOVED: SendCheck = { kind: 'removed' };
const CLAIMED: ClaimOutcome = { kind: 'claimed' };

/**
 * Sends one chunk of a campaign run: load, decide (pure), send one personalised message per due
 * recipient under the shared limiter, record each answer at once. With a transport that sends
 * personal messages together (MailTransport.sendPersonalised), one provider request carries a
 * group of them (see sendGroups) on one limiter slot, claimed together, and every rule below holds
 * for each recipient of the group. Guarantees:
 * - a recipient is sent only under a claim (TaskStore.claim) taken right before its send, after its
 *   limiter slot, atomically with the task's status (must be sending) and the run's generation
 *   (must be this job's): pause, cancel and re-dispatch (resume, retry) take effect on the very next
 *   send of every worker. The claim is held for the job's whole chunk range (renewed by each claim,
 *   given back when the job ends), so two chunk jobs of one range (an old and a new generation, or
 *   a job run again after its worker lost it) never send at once: the second parks until the range
 *   is free. A recipient is sent again only after its claim lapsed (its worker died mid-send: the
 *   honest bound on repeats);
 * - claims of sends that became ready together share one round trip (ClaimBatcher), and so do
 *   limiter slots (ChunkSlots) and ledger writes (ledgerBatcher);
 * - a refused claim stops the chunk: paused (its recipients stay queued; the driver dispatches
 *   them again on resume), cancelled (the driver sweeps them), superseded (the newer generation's
 *   job covers the range); claims taken and not used are released at once;
 * - a range another job holds parks the chunk until that claim lapses or RELOOK_MS;
 * - blacklisted and unsubscribed recipients are checked at send time and recorded as such;
 * - a member removed from the list (DeleteReceiverDetail) is never sent once its removal was
 *   acknowledged before the send's last-moment check (made after the limiter slot wait, with the
 *   claim, right before the request): it is recorded `cancelled` (CancelledCount, not sent, not
 *   failed) with code Postmill.NotInList, so the run still finishes with every position accounted
 *   for. A removal acknowledged after that check does not stop the send already under way (it is
 *   then recorded `sent`); either way the recipient gets at most the one mail;
 * - throttling returns the job without spending an attempt (and counts it in `throttles`);
 *   deferred recipients park it until due;
 * - once `signal` aborts (the worker is draining) no send starts; sends in flight finish and are
 *   recorded, then the job goes back to wait with its attempt count unchanged.
 */
export async function processSendChunk(job: Job<SendChunkPayload>, token: string | undefined, deps: CampaignDeps, signal?: AbortSignal): Promise<string> {
  const { taskId, run, generation, start, end } = job.data;
  const log = jobLogger(deps.logger, job, deps.transport.kind);
  if (signal?.aborted) return handBack(job, token);
  const observer = deps.observer ?? noopDeliveryObserver;
  const spec = await deps.specs.spec(taskId);
  if (!spec) return 'task-gone';
  // One script reads the task status, the run's generation, this range's claim, its ledger codes and
  // the details of its deferred and sending recipients; the list slice is read at the same time
  // (another slot); the send-time checks follow in one more script (see chunk-read-script.ts).
  const [ctl, listSlots] = await Promise.all([deps.tasks.readChunk(taskId, run, { start, end }), deps.receivers.readSlots(spec.receiverId, start, end)]);
  // Early outs that spare the reads below; the claims decide, not these.
  if (!ctl) return 'run-gone';
  const codes = ctl.rangeCodes;
  if (ctl.generation !== generation) return 'superseded';
  if (ctl.status !== TaskStatus.Sending) return ctl.status === TaskStatus.Cancelled ? 'cancelled' : 'paused';
  // Another job of this range (an older generation finishing its sends, or this job's earlier run
  // whose worker lost it) holds the range: look again when its claim lapses, or sooner.
  if (ctl.rangeClaim && ctl.rangeClaim.until > deps.clock.now()) {
    await job.moveToDelayed(Math.min(ctl.rangeClaim.until, deps.clock.now() + RELOOK_MS), token);
    throw new DelayedError();
  }

  const claimToken = randomUUID();
  /** True once this job took its range's claim (given back when it ends). */
  let holdsRange = false;
  const claims = new ClaimBatcher(async (indexes) => {
    const answer = await deps.tasks.claim(taskId, run, { generation, token: claimToken, leaseMs: deps.claimLeaseMs, start, indexes });
    if (answer.kind === 'ok') holdsRange = true;
    return answer;
  });
  /** Indexes this chunk holds a claim on and has not recorded yet (released at the end if unused). */
  const owned = new Set<number>();
  let parkAt: number | undefined;
  const parkUntil = (at: number) => {
    const capped = Math.min(at, deps.clock.now() + RELOOK_MS);
    parkAt = parkAt === undefined ? capped : Math.min(parkAt, capped);
  };
  let stop: Stop | undefined;
  /** Claims `indexes` (one promise for all of them, one round trip with every claim of this turn), acting on each outcome. */
  const claim = async (indexes: readonly number[]): Promise<ClaimOutcome[]> => {
    const outcomes = await claims.claimAll(indexes);
    for (let k = 0; k < outcomes.length; k++) {
      const outcome = outcomes[k] as ClaimOutcome;
      if (outcome.kind === 'claimed') owned.add(indexes[k] as number);
      else if (outcome.kind === 'busy') parkUntil(outcome.until);
      else if (outcome.kind === 'skip')
        parkUntil(deps.clock.now() + RELOOK_MS); // it changed under us: look again
      else stop ??= { kind: outcome.reason };
    }
    return outcomes;
  };

  /** A send group's claims: the indexes this chunk already owns are its own without asking; the others in one claim. */
  const claimGroup = async (indexes: readonly number[]): Promise<readonly ClaimOutcome[]> => {
    const ask = indexes.filter((index) => !owned.has(index));
    if (ask.length === 0) return indexes.map(() => CLAIMED);
    if (ask.length === indexes.length) return claim(ask);
    const answers = await claim(ask);
    let k = 0;
    return indexes.map((index) => (ask[k] === index ? (answers[k++] as ClaimOutcome) : CLAIMED));
  };

  // Recipients left `sending` by a job whose claim lapsed (its worker died mid-send) are claimed by
  // this job before anything is decided about them; they are sent again (the bound on repeats).
  const sending = codes.flatMap((c, i) => (c === RunCode.Sending ? [start + i] : []));
  const details = ctl.details;
  if (sending.length > 0) await claim(sending);

  const states = new Map<string, RecipientState>();
  const indexOf = new Map<string, number>();
  const dataOf = new Map<string, Record<string, string> | undefined>();
  const lost: LedgerChange[] = [];
  const removedChange = (index: number): LedgerChange => ({
    index,
    code: RunCode.Cancelled,
    detail: { code: DeliveryRefusal.NotInList, message: REMOVED_MESSAGE, at: deps.clock.now() },
  });
  /** Members found removed when the chunk read its range: recorded cancelled, never sent. */
  const removedAtRead: LedgerChange[] = [];
  for (let i = 0; i < end - start; i++) {
    const index = start + i;
    let code = codes[i] ?? RunCode.Queued;
    if (isFinalRunCode(code)) continue; // nothing to decide or send (planDelivery would skip it too)
    if (code === RunCode.Sending) {
      if (!owned.has(index)) continue;
      // Claimed from a deferral (its detail is still there) or from queued.
      code = details.has(index) ? RunCode.Deferred : RunCode.Queued;
    }
    // readSlots answers the range's positions in order, fewer only at the end of the list.
    const slot = listSlots[i];
    const entry = slot?.index === index ? slot : undefined;
    if (entry && isRemovedSlot(entry)) {
      if (code === RunCode.Queued || code === RunCode.Deferred) removedAtRead.push(removedChange(index));
      continue;
    }
    if (!entry) {
      // The list lost this index (it was deleted); record it instead of leaving it queued forever.
      if (code === RunCode.Queued || code === RunCode.Deferred) {
        lost.push({
          index,
          code: RunCode.FailedPermanent,
          detail: { code: DeliveryRefusal.NotInList, message: 'the receiver list no longer has this recipient', at: deps.clock.now() },
        });
      }
      continue;
    }
    states.set(entry.email, ledgerToState(code, details.get(index) as LedgerDetail | undefined, ctl.startedAt));
    indexOf.set(entry.email, entry.index);
    dataOf.set(entry.email, entry.templateData);
  }
  const now = deps.clock.now();
  const emails = [...states.keys()];
  const { blacklisted, unsubscribed, domainHolds } = await deps.blacklist.sendChecks(spec.from.address, emails);
  const plan = planDelivery({ recipients: emails, states, nowMs: now, unsubscribed, blacklisted, domainHolds, chunkSize: 1, personal: true });
  const stats = statEvents(spec.from.address, spec.tag);
  // Events of the changes `write` queued, taken with them (both snapshots happen in the same
  // synchronous step of the batcher), written after the ledger: a crash in between loses at most one batch's events.
  let pendingEvents: MailEvent[] = [];
  const write = ledgerBatcher(async (list) => {
    const events = pendingEvents;
    pendingEvents = [];
    if ((await deps.tasks.record(taskId, run, list, { token: claimToken })).completedRun) log.info({ runId: run }, 'campaign run finished');
    await deps.events?.record(events);
  });
  const record = async (updates: ReadonlyMap<string, RecipientState>, extra: readonly LedgerChange[] = []) => {
    const list: LedgerChange[] = [...extra];
    for (const [email, state] of updates) {
      const index = indexOf.get(email);
      if (index === undefined) continue;
      const { code, detail } = stateToLedger(state);
      list.push(detail === undefined ? { index, code } : { index, code, detail });
      if (deps.events) pendingEvents.push(...campaignEvents(spec, taskId, run, index, email, states.get(email), state));
      states.set(email, state);
      stats.add(email, state);
    }
    observeOutcomes(observer, deps.transport.kind, updates);
    await write(list);
    for (const change of list) owned.delete(change.index);
  };
  await record(plan.updates, [...lost, ...removedAtRead]);
  // Indexes the list lost are failed above without a RecipientState; count them as the ledger does.
  if (lost.length > 0) observer.mailOutcome({ transport: deps.transport.kind, outcome: 'failed', errorCode: DeliveryRefusal.NotInList, count: lost.length });

  // Looked up right before each send, with its claim (one round trip per group of sends, like claims).
  const removals = new RemovalBatcher((indexes) => deps.receivers.removedAmong(spec.receiverId, indexes));

  const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  // Throttled answers this chunk job has had so far (see SendChunkPayload.throttles): the one place
  // the retry policy's bound on throttles reads it.
  const throttles = job.data.throttles ?? 0;
  const sends = stop ? [] : plan.requests.flat();
  const slots = new ChunkSlots(deps.limiter);
  const ports = { clock: deps.clock, transport: deps.transport, limiter: deps.limiter, holds: deps.holds, policy: deps.policy, observer };
  const limit = pLimit(Math.max(1, deps.chunkConcurrency));
  /** One recipient's personal message (composed when its run is due: see sendRuns). */
  const compose = (email: string): TransportRequest => {
    const index = indexOf.get(email) ?? 0;
    const messageId = `pm-task-${taskId}-${run}-${index}`;
    const unsubscribeUrl =
      spec.unsubscribe === '0'
        ? undefined
        : `${deps.publicUrl}/unsubscribe/${createUnsubscribeToken({ sender: spec.from.address, recipient: email, messageId }, deps.unsubscribeSecret)}`;
    const data = dataOf.get(email);
    const message = composeCampaignMessage(spec, {
      run,
      index,
      email,
      nowMs: deps.clock.now(),
      ...(data ? { data } : {}),
      ...(unsubscribeUrl ? { unsubscribeUrl } : {}),
    });
    return { message, recipients: [email], postmillMessageId: messageId };
  };
  // One provider request (one limiter slot) per group: one recipient each, or, with a transport that
  // sends personal messages together, up to min(its batch size, SEND_CHUNK_SIZE) (see sendGroups).
  const personal = deps.transport.sendPersonalised !== undefined;
  const sendGroup = async (group: readonly string[], requestOf: (email: string) => TransportRequest): Promise<void> => {
    if (signal?.aborted) stop ??= { kind: 'draining' };
    if (stop) return;
    const batch = group.map((email) => ({ email, index: indexOf.get(email) ?? 0, request: requestOf(email) }));
    const [first] = batch;
    if (!first) return;
    // Each claim is asked once, by the last-moment check of the first usable slot (all of the
    // group's in one round trip); whether a member was removed from the list is asked by every
    // last-moment check (a slot that came too late is followed by another wait).
    const indexes = batch.map((b) => b.index);
    let claimed: Promise<readonly ClaimOutcome[]> | undefined;
    let checks: readonly SendCheck[] = [];
    const sendable = () => batch.filter((_, k) => checks[k]?.kind === 'claimed');
    // Claimed, but the member left the list: recorded under this chunk's claim, never sent.
    const removedChanges = () =>
      batch.flatMap(({ email, index }, k) => {
        if (checks[k]?.kind !== 'removed') return [];
        states.set(email, { state: 'failed', at: deps.clock.now(), code: DeliveryRefusal.NotInList, message: REMOVED_MESSAGE, transient: false });
        return [removedChange(index)];
      });
    const step = await sendStep<readonly SendCheck[]>({
      ports,
      slots,
      signal,
      request: personal ? () => sendable().map((b) => b.request) : first.request,
      states,
      lastMoment: async () => {
        claimed ??= claimGroup(indexes);
        const [answers, removed] = await Promise.all([claimed, removals.removedOf(indexes)]);
        checks = answers.map((answer, k) => (answer.kind === 'claimed' && removed.has(indexes[k] as number) ? REMOVED : answer));
        return checks;
      },
      mayStart: (all) => all.some((c) => c.kind === 'claimed'),
      // Another send of this chunk stopped it (throttle, refusal): these claims are released below.
      abandon: () => stop !== undefined,
      decideError: (providerError) => {
        const sent = sendable().map((b) => b.email);
        // A whole-request failure is each sent recipient's own: a transient one defers it with the
        // transient backoff and fails it after SEND_MAX_ATTEMPTS requests, counted in its own ledger
        // state. Retrying the chunk job instead would share its attempts among every recipient.
        // A throttling answer past the bound on throttles (SEND_MAX_THROTTLES) counts as transient here too.
        return boundedDisposition(providerError, deps.policy, throttles).kind === 'transient'
          ? decideOnOutcomes(
              sent.map((recipient) => ({ recipient, accepted: false as const, error: providerError })),
              { states, nowMs: deps.clock.now(), policy: { ...deps.policy, maxRecipientBackoffs: deps.policy.maxAttempts - 1 } },
            )
          : decideOnError(sent, providerError, { states, nowMs: deps.clock.now(), policy: deps.policy, finalAttempt, throttles });
      },
      // The group's answers and its removed members in one ledger write.
      record: (decision) => record(decision.updates, removedChanges()),
    });
    if (step.kind === 'refused') {
      const removed = removedChanges();
      if (removed.length > 0) await record(new Map(), removed);
    }
    // A refused claim (skipped, busy, paused...) was acted on by claim().
    else if (step.kind === 'throttle') stop ??= { kind: 'throttle', delayMs: step.delayMs, answered: false };
    else if (step.kind === 'stopped' && signal?.aborted) stop ??= { kind: 'draining' };
    else if (step.kind === 'sent' && step.decision.followUp.kind === 'throttle')
      stop ??= { kind: 'throttle', delayMs: step.decision.followUp.delayMs, answered: true };
    else if (step.kind === 'sent' && step.decision.followUp.kind === 'retry') stop ??= { kind: 'retry', error: step.decision.followUp.error };
  };
  // Runs share the chunk's concurrency; a run's messages are composed when the run starts and
  // dropped when it ends (so memory holds the runs in flight, not the whole chunk), and its groups
  // (several only when the transport splits a run) are sent in turn.
  await Promise.all(
    sendRuns(deps.transport, sends, deps.chunkSize).map((emails) =>
      limit(async () => {
        if (signal?.aborted) stop ??= { kind: 'draining' };
        if (stop) return;
        const composed = new Map<string, TransportRequest>();
        const requestOf = (email: string): TransportRequest => {
          let request = composed.get(email);
          if (!request) {
            request = compose(email);
            composed.set(email, request);
          }
          return request;
        };
        for (const group of sendGroups(deps.transport, emails, requestOf, deps.chunkSize)) await sendGroup(group, requestOf);
      }),
    ),
  );
  // Claims taken and not used (the chunk stopped, or a send was not made) go back at once, so the
  // next job of this range need not wait for their lease.
  const emailAt = owned.size === 0 ? new Map<number, string>() : new Map([...indexOf].map(([email, index]) => [index, email]));
  const unused = [...owned].map((index): LedgerChange => {
    const email = emailAt.get(index);
    const state = email === undefined ? undefined : states.get(email);
    if (!state) return { index, code: RunCode.Queued };
    const { code, detail } = stateToLedger(state);
    return detail === undefined ? { index, code } : { index, code, detail };
  });
  // Every write of this job is done: give the range back (with the last changes, in one step), so
  // the next job of the range need not wait for the claim to lapse. A job that sent its whole range
  // leaves the claim to lapse: no job of that range is due, and the common path saves a round trip.
  const due = stop ? undefined : nextDueAt(states);
  const rangeDone = !stop && due === undefined && parkAt === undefined && [...states.values()].every(isFinal);
  if (holdsRange && unused.length > 0) {
    if ((await deps.tasks.record(taskId, run, unused, { token: claimToken, release: start })).completedRun) log.info({ runId: run }, 'campaign run finished');
  } else if (holdsRange && !rangeDone) {
    await deps.tasks.releaseRange(taskId, run, start, claimToken);
  }
  await stats.flush(deps.statistics, deps.clock.now());

  if (stop?.kind === 'draining') {
    log.info({ pending: [...states.values()].filter((s) => !isFinal(s)).length }, 'chunk handed back: the worker is draining');
    return handBack(job, token);
  }
  if (stop?.kind === 'throttle') {
    // Only a provider's throttling answer counts toward the bound; a full limiter is no fault of this job.
    if (stop.answered) await job.updateData({ ...job.data, throttles: throttles + 1 });
    await deps.deliveryQueue.rateLimit(stop.delayMs);
    throw new RateLimitError();
  }
  if (stop?.kind === 'retry') {
    log.warn({ code: stop.error.code }, 'chunk will be retried after a transient failure');
    throw stop.error;
  }
  if (stop) return stop.kind;
  const at = due === undefined ? parkAt : parkAt === undefined ? due : Math.min(due, parkAt);
  if (at !== undefined) {
    await job.moveToDelayed(Math.max(at, deps.clock.now() + 1), token);
    throw new DelayedError();
  }
  return 'done';
}

/** The delivery worker's processor of campaign chunks (DeliveryWorkerOptions.sendChunk), over `deps`. */
export function campaignChunkProcessor(deps: CampaignDeps): (job: Job<SendChunkPayload>, token: string | undefined, signal: AbortSignal) => Promise<string> {
  return (job, token, signal) => processSendChunk(job, token, deps, signal);
}

/** The events one campaign recipient's state change records: its request when it leaves `queued`, and the new state's event. */
function campaignEvents(
  spec: CampaignTaskSpec,
  taskId: number,
  run: number,
  index: number,
  email: string,
  before: RecipientState | undefined,
  after: RecipientState,
): MailEvent[] {
  const base: MailEventBase = {
    messageId: campaignMessageId(taskId, run, index),
    sender: spec.from.address,
    taskId,
    run,
    ...(spec.tag === undefined ? {} : { tag: spec.tag }),
  };
  const event = mailEventOfState(base, email, after);
  const request = before?.state === 'queued' && after.state !== 'queued' ? [requestEventOf(base, email, after.at)] : [];
  return event ? [...request, event] : request;
}
