import type { TencentApi } from '../api-client.ts';
import { etaMs, RateTracker } from '../progress/rate.ts';
import { classifyFailure, type Sleep } from '../retry.ts';
import type { SendRateInfo } from './send-rate-info.ts';
import { isWatchFinished, type SendTask } from './send-task.ts';

/** One poll's view of a task's progress. */
export interface WatchUpdate {
  readonly task: SendTask;
  /** Recipients with a final answer: sent + failed. */
  readonly done: number;
  /** Recipients requested so far (0 before the first run starts). */
  readonly total: number;
  /** Recipients finished per second over the last polls; undefined until two polls. */
  readonly ratePerSecond: number | undefined;
  readonly etaMs: number | undefined;
  /** The rate limit the workers announced (GetSendTask's SendRate); undefined when none was. */
  readonly sendRate: SendRateInfo | undefined;
}

/** Options of watchTask; every field documents its default. */
export interface WatchTaskOptions {
  readonly client: TencentApi;
  readonly taskId: number;
  /** Time between polls. Default 1000. */
  readonly intervalMs?: number;
  /** Failed polls in a row (network, throttling) tolerated before giving up. Default 5. */
  readonly maxConsecutiveErrors?: number;
  readonly sleep: Sleep;
  /** Epoch ms. */
  readonly now: () => number;
  readonly onUpdate: (update: WatchUpdate) => void;
  readonly onPollError?: (error: unknown, consecutive: number) => void;
  /** Aborting ends the watch after the current poll. */
  readonly signal?: AbortSignal;
}

/** The progress figures of one poll. Pure. */
export function watchUpdate(task: SendTask, rate: number | undefined, sendRate?: SendRateInfo): WatchUpdate {
  const done = task.SendCount + (task.FailedCount ?? 0);
  const remaining = Math.max(0, task.RequestCount - done - (task.CancelledCount ?? 0));
  return { task, done, total: task.RequestCount, ratePerSecond: rate, etaMs: etaMs(remaining, rate), sendRate };
}

/**
 * Polls GetSendTask until the task is done (10), cancelled (12) or stopped with an error (7).
 * Guarantees: `onUpdate` gets every successful poll in order; a poll failure that retrying can
 * fix is tolerated `maxConsecutiveErrors` times in a row; any other failure (an unknown task)
 * is thrown. Returns the last task seen and whether it reached a final status (false: aborted).
 */
export async function watchTask(options: WatchTaskOptions): Promise<{ task: SendTask | undefined; finished: boolean }> {
  const intervalMs = options.intervalMs ?? 1000;
  const maxErrors = options.maxConsecutiveErrors ?? 5;
  const rate = new RateTracker();
  let last: SendTask | undefined;
  let errors = 0;
  for (;;) {
    try {
      const { Task, SendRate } = await options.client.call<{ Task: SendTask; SendRate?: SendRateInfo | null }>('GetSendTask', { TaskId: options.taskId });
      errors = 0;
      last = Task;
      const update = watchUpdate(Task, undefined);
      rate.add({ atMs: options.now(), value: update.done });
      options.onUpdate(watchUpdate(Task, rate.perSecond(), SendRate ?? undefined));
      if (isWatchFinished(Task.TaskStatus)) return { task: Task, finished: true };
    } catch (err) {
      errors++;
      if (classifyFailure(err) === 'permanent' || errors > maxErrors) throw err;
      options.onPollError?.(err, errors);
    }
    if (options.signal?.aborted) return { task: last, finished: false };
    await options.sleep(intervalMs);
    if (options.signal?.aborted) return { task: last, finished: false };
  }
}
