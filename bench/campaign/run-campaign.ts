import { setTimeout as sleep } from 'node:timers/promises';
import { formatTencentDateTime } from '@postmill/core';
import type { BenchApi } from './bench-api.ts';
import { BENCH_SENDER } from './load-list.ts';

/** Why the bench stopped waiting for the task. */
export type RunEnd = 'done' | 'timeout' | 'worker-exited';

/** Times (epoch ms, one machine clock) and counts of one campaign run, as observed. */
export interface CampaignRunRecord {
  readonly end: RunEnd;
  readonly taskId: number;
  /** TimedParam.BeginTime as an instant. */
  readonly beginAtMs: number;
  /** Run hash `startedAt`: when the worker's start-run job created the run. */
  readonly runStartedAtMs: number | undefined;
  /** When GetSendTask first showed SendCount > 0 (polled every FIRST_POLL_MS: an upper bound). */
  readonly firstSeenByPollAtMs: number | undefined;
  /** Run hash `finishedAt`: when the ledger script recorded the run's last final state. */
  readonly finishedAtMs: number | undefined;
  readonly status: number;
  readonly requested: number;
  readonly sent: number;
  readonly failed: number;
  readonly deferred: number;
  readonly cancelled: number;
}

/** The bench task's Subject. */
export const BENCH_SUBJECT = 'News for {{name}}';

/** Status of a done task (Tencent's "sent"). */
const TASK_DONE = 10;
/**
 * Poll interval until the first recipient shows as sent: at most 10 GetSendTask calls a second,
 * half the API's default per-credential limit (API_RATE_LIMIT_PER_SECOND = 20 per action), so
 * polling never meets RequestLimitExceeded. The precise first-send figure is the first-write
 * probe's; this one is a cross-check with up to FIRST_POLL_MS of slack.
 */
export const FIRST_POLL_MS = 100;
/** Poll interval afterwards. */
export const POLL_MS = 250;
const PROGRESS_EVERY_MS = 5000;

/** BeginTime of the bench task: the next whole second plus `leadS` seconds (Tencent times have whole seconds). */
export function benchBeginAt(nowMs: number, leadS = 2): number {
  return Math.ceil(nowMs / 1000) * 1000 + leadS * 1000;
}

/** Creates the TaskType 2 task (BeginTime written in `timeZone`, as a client would) and returns its TaskId. */
export async function createTimedTask(api: BenchApi, o: { receiverId: number; templateId: number; beginAtMs: number; timeZone: string }): Promise<number> {
  const { TaskId } = await api.call('BatchSendEmail', {
    FromEmailAddress: BENCH_SENDER,
    ReceiverId: o.receiverId,
    Subject: BENCH_SUBJECT,
    TaskType: 2,
    TimedParam: { BeginTime: formatTencentDateTime(o.beginAtMs, o.timeZone) },
    Template: { TemplateID: o.templateId, TemplateData: '{}' },
  });
  return Number(TaskId);
}

/**
 * Waits until the task is done (status 10), the worker exits, or `timeoutMs` passes, polling
 * GetSendTask tightly until the first send shows and slowly after. Progress goes to stderr.
 * Run start and finish times are read from the run hash the worker wrote.
 */
export async function awaitCampaign(o: {
  api: Pick<BenchApi, 'call'>;
  taskId: number;
  beginAtMs: number;
  timeoutMs: number;
  workerExited: () => boolean;
  readRun: () => Promise<Record<string, string>>;
}): Promise<CampaignRunRecord> {
  const started = Date.now();
  let firstSeenByPollAtMs: number | undefined;
  let lastProgress = started;
  let end: RunEnd = 'done';
  let task: Record<string, unknown> = {};
  for (;;) {
    task = (await o.api.call('GetSendTask', { TaskId: o.taskId })).Task as Record<string, unknown>;
    const now = Date.now();
    if (firstSeenByPollAtMs === undefined && Number(task.SendCount) > 0) firstSeenByPollAtMs = now;
    if (Number(task.TaskStatus) === TASK_DONE) break;
    if (o.workerExited()) {
      end = 'worker-exited';
      break;
    }
    if (now - started > o.timeoutMs) {
      end = 'timeout';
      break;
    }
    if (now - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = now;
      const s = (now - o.beginAtMs) / 1000;
      process.stderr.write(`campaign: ${task.SendCount}/${task.RequestCount} sent ${s.toFixed(0)} s after BeginTime (status ${task.TaskStatus})\n`);
    }
    await sleep(firstSeenByPollAtMs === undefined ? FIRST_POLL_MS : POLL_MS);
  }
  const run = await o.readRun();
  const opt = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));
  return {
    end,
    taskId: o.taskId,
    beginAtMs: o.beginAtMs,
    runStartedAtMs: opt(run.startedAt),
    firstSeenByPollAtMs,
    finishedAtMs: opt(run.finishedAt),
    status: Number(task.TaskStatus),
    requested: Number(task.RequestCount),
    sent: Number(task.SendCount),
    failed: Number(task.FailedCount),
    deferred: Number(task.DeferredCount),
    cancelled: Number(task.CancelledCount),
  };
}
