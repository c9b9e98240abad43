import type { Command } from 'commander';
import { apiClient, type CliContext, globalOptions } from '../cli-context.ts';
import { ExitCode, UsageError } from '../cli-errors.ts';
import { count, formatTable, jsonText, truncate } from '../output.ts';
import { formatDuration } from '../progress/rate.ts';
import { createWatchReporter } from '../progress/watch-reporter.ts';
import { isTaskDone, parseTaskStatus, type SendTask, taskStatusName, taskTypeName } from '../tasks/send-task.ts';
import { watchTask } from '../tasks/watch-task.ts';
import { id, integer } from './option-parsers.ts';

/** Exit code of `tasks watch` stopped by Ctrl-C (128 + SIGINT), as shells report it. */
const INTERRUPTED = 130;

function scheduleText(t: SendTask): string {
  if (t.CronParam) return `cron "${t.CronParam.Expression}"${t.CronParam.TimeZone ? ` (${t.CronParam.TimeZone})` : ''}`;
  if (t.CycleParam) return `every ${t.CycleParam.IntervalTime} h from ${t.CycleParam.BeginTime}${t.CycleParam.TermCycle === 1 ? ' (ended)' : ''}`;
  if (t.TimedParam) return `once at ${t.TimedParam.BeginTime}`;
  return 'now';
}

/** The human view of one task. */
export function formatTask(t: SendTask): string {
  const pending = Math.max(0, t.CacheCount);
  const rows: [string, string][] = [
    ['from', t.FromEmailAddress],
    ['list', `${t.ReceiverId}${t.ReceiversName ? ` "${t.ReceiversName}"` : ''}`],
    ['template', String(t.Template?.TemplateID ?? '')],
    ['subject', t.Subject],
    ['schedule', scheduleText(t)],
    ['created', `${t.CreateTime}   updated ${t.UpdateTime}`],
    [
      'recipients',
      `${count(t.RequestCount)} requested, ${count(t.SendCount)} sent, ${count(t.FailedCount)} failed, ` +
        `${count(t.DeferredCount)} deferred, ${count(t.CancelledCount)} cancelled, ${count(pending)} pending`,
    ],
  ];
  if (t.RunCount !== undefined) rows.push(['runs', `${t.RunCount}${t.NextRunTime ? `, next at ${t.NextRunTime}` : ''}`]);
  if (t.MissedOccurrences && t.MissedOccurrences.length > 0) rows.push(['missed', t.MissedOccurrences.join(', ')]);
  if (t.ErrMsg) rows.push(['error', t.ErrMsg]);
  const head = `Task ${t.TaskId}  ${taskStatusName(t.TaskStatus)}  (${taskTypeName(t.TaskType)})`;
  return `${head}\n${rows.map(([k, v]) => `  ${k.padEnd(10)}  ${v}`).join('\n')}\n`;
}

function finalLine(t: SendTask, elapsedMs: number): string {
  const counts = `${count(t.SendCount)} sent, ${count(t.FailedCount)} failed, ${count(t.CancelledCount)} cancelled of ${count(t.RequestCount)}`;
  const error = t.ErrMsg ? `: ${t.ErrMsg}` : '';
  return `Task ${t.TaskId} ${taskStatusName(t.TaskStatus)}${error}: ${counts} (watched ${formatDuration(elapsedMs)})\n`;
}

function registerControl(
  tasks: Command,
  ctx: CliContext,
  name: string,
  action: string,
  description: string,
  done: (answer: { RetriedCount?: number }, taskId: number) => string,
): void {
  tasks
    .command(name)
    .argument('<id>', 'task id', id)
    .description(description)
    .action(async (taskId: number, _opts: unknown, command: Command) => {
      const client = await apiClient(ctx, command);
      const answer = await client.call<{ RetriedCount?: number }>(action, { TaskId: taskId });
      ctx.io.stdout.write(globalOptions(command).json ? jsonText({ TaskId: taskId, ...answer }) : done(answer, taskId));
    });
}

/** `postmill tasks list | show | watch | pause | resume | cancel | retry`. */
export function registerTaskCommands(program: Command, ctx: CliContext): void {
  const tasks = program.command('tasks').description('batch send tasks: list, inspect, watch and control');

  tasks
    .command('list')
    .description('list tasks, newest first (ListSendTasks)')
    .option('--status <status>', 'only this status: 1 pending, 5 sending, 7 error, 10 done, 11 paused, 12 cancelled (a code or a name)')
    .option('--receiver <id>', 'only tasks sending to this list', id)
    .option('--limit <n>', 'tasks per page (1-100)', integer(1, 100), 20)
    .option('--offset <n>', 'tasks to skip', integer(0), 0)
    .action(async (opts: { status?: string; receiver?: number; limit: number; offset: number }, command: Command) => {
      const status = opts.status === undefined ? undefined : parseTaskStatus(opts.status);
      if (opts.status !== undefined && status === undefined) throw new UsageError(`--status "${opts.status}" is neither a status code nor a name`);
      const client = await apiClient(ctx, command);
      const answer = await client.call<{ TotalCount: number; Data: SendTask[] }>('ListSendTasks', {
        Offset: opts.offset,
        Limit: opts.limit,
        ...(status === undefined ? {} : { Status: status }),
        ...(opts.receiver === undefined ? {} : { ReceiverId: opts.receiver }),
      });
      if (globalOptions(command).json) {
        ctx.io.stdout.write(jsonText(answer));
        return;
      }
      const rows = answer.Data.map((t) => [
        String(t.TaskId),
        taskStatusName(t.TaskStatus),
        taskTypeName(t.TaskType),
        count(t.RequestCount),
        count(t.SendCount),
        count(t.FailedCount),
        count(t.DeferredCount),
        truncate(t.Subject, 50),
      ]);
      ctx.io.stdout.write(formatTable(['ID', 'STATUS', 'TYPE', 'REQUESTED', 'SENT', 'FAILED', 'DEFERRED', 'SUBJECT'], rows, new Set([0, 3, 4, 5, 6])));
      ctx.io.stdout.write(`${answer.Data.length} of ${count(answer.TotalCount)} tasks\n`);
    });

  tasks
    .command('show')
    .argument('<id>', 'task id', id)
    .description('one task with its live counts (GetSendTask)')
    .action(async (taskId: number, _opts: unknown, command: Command) => {
      const client = await apiClient(ctx, command);
      const { Task } = await client.call<{ Task: SendTask }>('GetSendTask', { TaskId: taskId });
      ctx.io.stdout.write(globalOptions(command).json ? jsonText(Task) : formatTask(Task));
    });

  tasks
    .command('watch')
    .argument('<id>', 'task id', id)
    .description('follow a task until it is done (exit 0), cancelled or stopped with an error (exit 1)')
    .option('--interval <ms>', 'time between polls', integer(100), 1000)
    .action(async (taskId: number, opts: { interval: number }, command: Command) => {
      const { json } = globalOptions(command);
      const client = await apiClient(ctx, command);
      const reporter = createWatchReporter({ stream: ctx.io.stderr, tty: ctx.io.stderrIsTTY });
      const startedAt = ctx.now();
      let result: Awaited<ReturnType<typeof watchTask>>;
      try {
        result = await watchTask({
          client,
          taskId,
          intervalMs: opts.interval,
          sleep: ctx.sleep,
          now: ctx.now,
          signal: ctx.signal,
          onUpdate: (u) => reporter.update(u),
          onPollError: (err, n) => reporter.note(`poll failed (${err instanceof Error ? err.message : String(err)}), ${n} in a row; retrying`),
        });
      } finally {
        reporter.stop();
      }
      const { task, finished } = result;
      if (json) ctx.io.stdout.write(jsonText(task ?? null));
      else if (task)
        ctx.io.stdout.write(finished ? finalLine(task, ctx.now() - startedAt) : `Stopped watching task ${taskId} (${taskStatusName(task.TaskStatus)}).\n`);
      if (!finished) ctx.setExitCode(INTERRUPTED);
      else if (!task || !isTaskDone(task.TaskStatus)) ctx.setExitCode(ExitCode.Failed);
    });

  registerControl(tasks, ctx, 'pause', 'PauseSendTask', 'stop sending; queued recipients wait (PauseSendTask)', (_a, t) => `Task ${t} paused.\n`);
  registerControl(tasks, ctx, 'resume', 'ResumeSendTask', 'continue a paused task where it stopped (ResumeSendTask)', (_a, t) => `Task ${t} resumed.\n`);
  registerControl(
    tasks,
    ctx,
    'cancel',
    'CancelSendTask',
    'send nothing more; pending recipients end as cancelled (CancelSendTask)',
    (_a, t) => `Task ${t} cancelled.\n`,
  );
  registerControl(
    tasks,
    ctx,
    'retry',
    'RetrySendTaskFailures',
    "send again to the current run's transient failures (RetrySendTaskFailures)",
    (a, t) => `Task ${t}: ${count(a.RetriedCount)} recipients queued again.\n`,
  );
}
