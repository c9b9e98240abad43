import { calendarDate } from '@postmill/core';
import { JOB } from '@postmill/queue';
import type { ControlRig } from './campaign-control-rig.ts';
import { parseCampaignMailId, recipientOf } from './campaign-control-rig.ts';
import type { PostmillStack } from './postmill-stack.ts';

/** Task statuses (README: 1 pending start, 5 sending, 7 error, 10 done, 11 paused, 12 cancelled). */
export const STATUS = { Pending: 1, Sending: 5, Error: 7, Done: 10, Paused: 11, Cancelled: 12 } as const;
const isFinalStatus = (s: number) => s === STATUS.Done || s === STATUS.Cancelled;

/** The counters of a task as GetSendTask (or a ListSendTasks row) shows them. */
export interface TaskCounters {
  readonly TaskStatus: number;
  readonly RequestCount: number;
  readonly SendCount: number;
  readonly FailedCount: number;
  readonly CancelledCount: number;
  readonly DeferredCount: number;
  readonly CacheCount: number;
  readonly RunCount: number;
  readonly NextRunTime: string;
}

function counters(t: Record<string, unknown>): TaskCounters {
  return {
    TaskStatus: Number(t.TaskStatus),
    RequestCount: Number(t.RequestCount),
    SendCount: Number(t.SendCount),
    FailedCount: Number(t.FailedCount),
    CancelledCount: Number(t.CancelledCount),
    DeferredCount: Number(t.DeferredCount),
    CacheCount: Number(t.CacheCount),
    RunCount: Number(t.RunCount),
    NextRunTime: String(t.NextRunTime ?? ''),
  };
}

/** GetSendTask's view of the task. */
export async function getTask(stack: PostmillStack, taskId: number): Promise<TaskCounters> {
  return counters((await stack.call('GetSendTask', { TaskId: taskId })).Task);
}

/** The task's row of ListSendTasks (each rig holds one task, so the first page has it). */
export async function listedTask(stack: PostmillStack, taskId: number): Promise<TaskCounters | undefined> {
  const page = await stack.call('ListSendTasks', { Offset: 0, Limit: 100 });
  const row = (page.Data as Record<string, unknown>[]).find((d) => Number(d.TaskId) === taskId);
  return row ? counters(row) : undefined;
}

/** What the ledger says of one (run, recipient), read through GetSendEmailStatus. */
export type LedgerState = 'queued' | 'deferred' | 'sent' | 'failed' | 'cancelled';

/** One GetSendEmailStatus row of the task. */
export interface LedgerRow {
  readonly run: number;
  readonly index: number;
  readonly recipient: string;
  readonly state: LedgerState;
  readonly message: string;
}

function ledgerState(row: { DeliverStatus: number; DeliverMessage: string }): LedgerState {
  switch (row.DeliverStatus) {
    case 0:
      return 'queued';
    case 1:
      return 'sent';
    case 8:
      return 'deferred';
    default:
      // README: a cancelled recipient is failed with OperationDenied.TaskCancelled.
      return row.DeliverMessage.startsWith('OperationDenied.TaskCancelled') ? 'cancelled' : 'failed';
  }
}

/**
 * Every recipient of every run of the task, as GetSendEmailStatus lists campaign mail (MessageIds
 * `pm-task-<task>-<run>-<index>`) on each day in `days`, page by page.
 */
export async function readLedger(stack: PostmillStack, taskId: number, days: readonly string[]): Promise<LedgerRow[]> {
  const rows = new Map<string, LedgerRow>();
  for (const RequestDate of new Set(days)) {
    for (let Offset = 0; ; Offset += 100) {
      const page: { MessageId: string; ToEmailAddress: string; DeliverStatus: number; DeliverMessage: string }[] = (
        await stack.call('GetSendEmailStatus', { RequestDate, Offset, Limit: 100 })
      ).EmailStatusList;
      for (const r of page) {
        const m = /^pm-task-(\d+)-(\d+)-(\d+)$/u.exec(r.MessageId);
        if (!m || Number(m[1]) !== taskId) continue;
        rows.set(r.MessageId, { run: Number(m[2]), index: Number(m[3]), recipient: r.ToEmailAddress, state: ledgerState(r), message: r.DeliverMessage });
      }
      if (page.length < 100) break;
    }
  }
  return [...rows.values()];
}

/** The days (SCHEDULE_TIMEZONE, Asia/Shanghai by default) on which runs between `fromMs` and now started. */
export function runDays(fromMs: number, timeZone = 'Asia/Shanghai'): string[] {
  return [...new Set([calendarDate(fromMs, timeZone), calendarDate(Date.now(), timeZone)])];
}

/** Mails the SMTP server accepted for one task, per `run:index`, with the envelope recipients of each. */
export interface Received {
  readonly perKey: Map<string, { count: number; recipients: string[] }>;
  /** Accepted mails whose Message-ID is not a campaign mail of this task. */
  readonly foreign: string[];
  readonly total: number;
}

/** Reads the SMTP server's tally (counted before it answered 250) for `taskId`. */
export function receivedMail(stack: PostmillStack, taskId: number): Received {
  const perKey = new Map<string, { count: number; recipients: string[] }>();
  const foreign: string[] = [];
  let total = 0;
  for (const [recipient, ids] of stack.smtp.tally) {
    for (const [id, count] of ids) {
      const key = parseCampaignMailId(id);
      if (!key || key.taskId !== taskId) {
        foreign.push(`${id} to ${recipient} ×${count}`);
        continue;
      }
      const k = `${key.run}:${key.index}`;
      const entry = perKey.get(k) ?? { count: 0, recipients: [] };
      entry.count += count;
      for (let i = 0; i < count; i++) entry.recipients.push(recipient);
      perKey.set(k, entry);
      total += count;
    }
  }
  return { perKey, foreign, total };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How the end of a scenario went, for the checks and the failure message. */
export interface Settlement {
  /** The status the task first read as final, and its counters then; undefined if it never did. */
  readonly firstFinal: TaskCounters | undefined;
  /** Control calls the settling made (resuming a paused task, cancelling an open recurrence). */
  readonly actions: string[];
  /** Problems found while settling (never final, never quiet). */
  readonly problems: string[];
  /** The longest time the task made no progress while settling (diagnosis, not a check). */
  readonly longestStallMs: number;
}

/** Bounds of `settle`; every wait polls a condition and ends as soon as it holds. */
export interface SettleOptions {
  /** Cancel the task once it ran at least this many occurrences (an open-ended recurrence). */
  readonly cancelAfterRuns?: number;
  /**
   * Give up waiting for the task to read final once nothing moved (no recipient became final, no
   * mail arrived, no status change) for this long. Default 45 s: longer than JOB_LOCK_MS (30 s),
   * so work that comes back through BullMQ's stalled-job check still counts as progress. A shared,
   * loaded machine thus slows the wait down but cannot fail it.
   */
  readonly stallMs?: number;
  /** Give up waiting for the task to read final after this long in all (default 180 s). */
  readonly capMs?: number;
  /**
   * Give up sooner when the task is not final yet no job at all is left in either queue (nothing
   * active, waiting, delayed or prioritized: nothing can ever finish it) for this long without
   * progress (default 10 s). A job of a killed worker would still count as active, so this never
   * cuts a recovery short.
   */
  readonly idleMs?: number;
  /** For the queues to empty once it did (default 30 s). */
  readonly quietWithinMs?: number;
}

/** True when no delivery job is left and no campaign job but future start-run ones. */
async function quiet(stack: PostmillStack): Promise<{ quiet: boolean; detail: string }> {
  const d = await stack.shared.queue.getJobCounts('active', 'waiting', 'delayed', 'prioritized', 'waiting-children');
  const c = await stack.shared.campaignQueue.getJobCounts('active', 'waiting', 'prioritized', 'waiting-children');
  const delayedCampaign = (await stack.shared.campaignQueue.getDelayed()).filter((j) => j.name !== JOB.startRun).map((j) => j.id);
  const busy = Object.values(d).some((n) => n > 0) || Object.values(c).some((n) => n > 0) || delayedCampaign.length > 0;
  return { quiet: !busy, detail: `delivery ${JSON.stringify(d)}, campaign ${JSON.stringify(c)}, delayed campaign jobs ${JSON.stringify(delayedCampaign)}` };
}

/** True when neither queue holds any job that could still do something. */
async function idle(stack: PostmillStack): Promise<boolean> {
  const states = ['active', 'waiting', 'delayed', 'prioritized', 'waiting-children'] as const;
  const [d, c] = await Promise.all([stack.shared.queue.getJobCounts(...states), stack.shared.campaignQueue.getJobCounts(...states)]);
  return [...Object.values(d), ...Object.values(c)].every((n) => n === 0);
}

/**
 * Brings the task to rest after a scenario's control sequence, the way an operator would: a paused
 * task is resumed (so it can finish), an open-ended recurrence is cancelled once it ran
 * `cancelAfterRuns` occurrences. Then waits, polling, until the task reads Done or Cancelled with
 * nothing left to send (RequestCount = SendCount + FailedCount + CancelledCount, DeferredCount 0),
 * and until no delivery work is left in the queues (so no send is in flight and no mail can still
 * arrive). Never decides anything on a fixed sleep: each wait ends when its condition holds, and
 * a wait that runs out (no progress for `stallMs`, or `capMs` in all) is reported as a problem.
 */
export async function settle(rig: ControlRig, taskId: number, options: SettleOptions = {}): Promise<Settlement> {
  const { stack } = rig;
  const stallMs = options.stallMs ?? 45_000;
  const capMs = options.capMs ?? 180_000;
  const idleMs = options.idleMs ?? 10_000;
  let idleSince: number | undefined;
  const actions: string[] = [];
  const problems: string[] = [];
  let firstFinal: TaskCounters | undefined;
  let last: TaskCounters | undefined;
  const startedAt = Date.now();
  let progressAt = startedAt;
  let progressKey = '';
  let longestStallMs = 0;
  for (;;) {
    const t = await getTask(stack, taskId);
    last = t;
    const key = `${t.TaskStatus}/${t.RunCount}/${t.SendCount + t.FailedCount + t.CancelledCount}/${t.DeferredCount}/${stack.smtp.received}`;
    const now = Date.now();
    if (key !== progressKey) {
      progressKey = key;
      progressAt = now;
      idleSince = undefined;
    }
    longestStallMs = Math.max(longestStallMs, now - progressAt);
    if (isFinalStatus(t.TaskStatus) && firstFinal === undefined) firstFinal = t;
    const drained = t.RequestCount === t.SendCount + t.FailedCount + t.CancelledCount && t.DeferredCount === 0;
    if (isFinalStatus(t.TaskStatus) && drained) break;
    if (t.TaskStatus !== STATUS.Paused && (await idle(stack))) idleSince ??= now;
    else idleSince = undefined;
    const idleTooLong = idleSince !== undefined && now - idleSince > idleMs;
    if (now - progressAt > stallMs || now - startedAt > capMs || idleTooLong) {
      const q = await quiet(stack);
      const why = idleTooLong
        ? `no job left in either queue for ${idleMs} ms`
        : now - progressAt > stallMs
          ? `nothing moved for ${stallMs} ms`
          : `${capMs} ms passed`;
      problems.push(`the task never read Done or Cancelled with nothing left to send (${why}); last: ${JSON.stringify(t)}; queues: ${q.detail}`);
      break;
    }
    if (t.TaskStatus === STATUS.Paused) {
      const a = await stack.raw('ResumeSendTask', { TaskId: taskId });
      actions.push(`ResumeSendTask (settling) → ${a.Response.Error?.Code ?? 'ok'}`);
    } else if (options.cancelAfterRuns !== undefined && t.TaskStatus !== STATUS.Cancelled && t.RunCount >= options.cancelAfterRuns) {
      const a = await stack.raw('CancelSendTask', { TaskId: taskId });
      actions.push(`CancelSendTask (settling, RunCount ${t.RunCount}, status ${t.TaskStatus}) → ${a.Response.Error?.Code ?? 'ok'}`);
    }
    await sleep(50);
  }
  const quietWithinMs = options.quietWithinMs ?? 30_000;
  const quietDeadline = Date.now() + quietWithinMs;
  for (;;) {
    const q = await quiet(stack);
    if (q.quiet) break;
    if (Date.now() > quietDeadline) {
      problems.push(`delivery work was still queued ${quietWithinMs} ms after the task read ${last?.TaskStatus}: ${q.detail}`);
      break;
    }
    await sleep(50);
  }
  return { firstFinal, actions, problems, longestStallMs };
}

/** Everything the checks read once the task is at rest. */
export interface Audit {
  readonly task: TaskCounters;
  readonly listed: TaskCounters | undefined;
  readonly ledger: LedgerRow[];
  readonly received: Received;
  /** Recipients on the list (it does not change during a scenario, so every run covers them all). */
  readonly listSize: number;
}

/** Reads the task (GetSendTask, ListSendTasks), its ledger (GetSendEmailStatus) and the SMTP tally. */
export async function audit(rig: ControlRig, taskId: number, createdAtMs: number): Promise<Audit> {
  const task = await getTask(rig.stack, taskId);
  const listed = await listedTask(rig.stack, taskId);
  const ledger = await readLedger(rig.stack, taskId, runDays(createdAtMs));
  return { task, listed, ledger, received: receivedMail(rig.stack, taskId), listSize: rig.options.recipients };
}

const MAX_LISTED = 15;
function listSome(label: string, items: readonly string[]): string | undefined {
  if (items.length === 0) return undefined;
  const more = items.length > MAX_LISTED ? ` … and ${items.length - MAX_LISTED} more` : '';
  return `${label} (${items.length}): ${items.slice(0, MAX_LISTED).join('; ')}${more}`;
}

/**
 * The properties every control sequence must keep, as a list of violations (empty: all hold):
 * - the task rests in Done or Cancelled, and read nothing left to send when it first read Done;
 * - no recipient is lost: every ledger row is sent, failed or cancelled (none queued or deferred),
 *   and every run has a row for every list index it requested;
 * - exactly once per recipient per run: a recipient the ledger says sent got exactly one mail for
 *   that run (counted by Message-ID at the SMTP server, to that recipient's address); one the
 *   ledger says failed or cancelled got none; no mail arrived that the ledger does not list;
 * - counts exact: GetSendTask's and ListSendTasks' RequestCount / SendCount / FailedCount /
 *   CancelledCount / DeferredCount equal the ledger's, and SendCount equals the mails received.
 */
export function violations(a: Audit, settlement: Settlement): string[] {
  const out: string[] = [...settlement.problems];
  const { task, ledger, received } = a;
  if (!isFinalStatus(task.TaskStatus)) out.push(`the task rests in status ${task.TaskStatus}, not Done (10) or Cancelled (12)`);
  const first = settlement.firstFinal;
  if (first && first.TaskStatus === STATUS.Done && (first.CacheCount !== 0 || first.DeferredCount !== 0)) {
    out.push(`the task read Done while recipients were still to send: ${JSON.stringify(first)}`);
  }
  if (first && isFinalStatus(first.TaskStatus) && task.TaskStatus !== first.TaskStatus && !settlement.actions.some((x) => x.startsWith('CancelSendTask'))) {
    out.push(`the task left its final status ${first.TaskStatus} by itself (now ${task.TaskStatus})`);
  }

  const byState: Record<LedgerState, number> = { queued: 0, deferred: 0, sent: 0, failed: 0, cancelled: 0 };
  const unfinished: string[] = [];
  const twice: string[] = [];
  const missing: string[] = [];
  const unexpected: string[] = [];
  const misaddressed: string[] = [];
  const runs = new Map<number, number>();
  for (const row of ledger) {
    byState[row.state]++;
    runs.set(row.run, (runs.get(row.run) ?? 0) + 1);
    const key = `${row.run}:${row.index}`;
    const got = received.perKey.get(key);
    const count = got?.count ?? 0;
    if (row.state === 'queued' || row.state === 'deferred') unfinished.push(`run ${row.run} #${row.index} ${row.state} ${row.message}`.trim());
    if (count > 1) twice.push(`run ${row.run} #${row.index} got ${count} mails`);
    if (row.state === 'sent' && count === 0) missing.push(`run ${row.run} #${row.index} is sent in the ledger but no mail arrived`);
    if (row.state !== 'sent' && count > 0) unexpected.push(`run ${row.run} #${row.index} is ${row.state} (${row.message}) but got ${count} mail(s)`);
    if (got?.recipients.some((r) => r.toLowerCase() !== recipientOf(row.index)))
      misaddressed.push(`run ${row.run} #${row.index} went to ${got.recipients.join(', ')}`);
  }
  const listed = new Set(ledger.map((r) => `${r.run}:${r.index}`));
  const notInLedger = [...received.perKey.entries()].filter(([k]) => !listed.has(k)).map(([k, v]) => `run:index ${k} ×${v.count}`);
  const holes: string[] = [];
  for (const [run, rows] of runs) if (rows !== a.listSize) holes.push(`run ${run} lists ${rows} of its ${a.listSize} recipients`);
  if (runs.size !== task.RunCount) holes.push(`the ledger lists ${runs.size} run(s), GetSendTask RunCount is ${task.RunCount}`);
  for (const line of [
    listSome('recipients left unfinished (lost)', unfinished),
    listSome('recipients sent twice', twice),
    listSome('recipients the ledger says sent that got no mail', missing),
    listSome('recipients that got mail the ledger does not count as sent', unexpected),
    listSome('mails to the wrong address', misaddressed),
    listSome('mails of runs or indexes the ledger does not list', notInLedger),
    listSome('mails that are not this task’s campaign mail', received.foreign),
    listSome('runs with missing ledger rows', holes),
  ]) {
    if (line) out.push(line);
  }

  const expected = {
    RequestCount: ledger.length,
    SendCount: byState.sent,
    FailedCount: byState.failed,
    CancelledCount: byState.cancelled,
    DeferredCount: byState.deferred,
  };
  const compare = (label: string, t: TaskCounters | undefined) => {
    if (!t) {
      out.push(`${label}: the task is missing`);
      return;
    }
    const diff = (Object.keys(expected) as (keyof typeof expected)[]).filter((k) => t[k] !== expected[k]).map((k) => `${k} ${t[k]} ≠ ledger ${expected[k]}`);
    if (diff.length > 0) out.push(`${label} counters differ from the ledger: ${diff.join(', ')}`);
  };
  compare('GetSendTask', task);
  compare('ListSendTasks', a.listed);
  if (task.SendCount !== received.total) out.push(`GetSendTask SendCount ${task.SendCount} ≠ ${received.total} mails received`);
  if (byState.sent !== received.total) out.push(`the ledger's ${byState.sent} sent ≠ ${received.total} mails received`);
  return out;
}

/** One line of figures for the test's output. */
export function summary(a: Audit): string {
  const n = (s: LedgerState) => a.ledger.filter((r) => r.state === s).length;
  return `status ${a.task.TaskStatus}, runs ${a.task.RunCount}, requested ${a.task.RequestCount}: sent ${n('sent')}, failed ${n('failed')}, cancelled ${n('cancelled')}, unfinished ${n('queued') + n('deferred')}; ${a.received.total} mails received`;
}
