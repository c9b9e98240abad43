import { UsageError } from '../cli-errors.ts';
import { TaskType } from '../tasks/send-task.ts';

/** `postmill send batch` flags, as parsed. */
export interface BatchSendFlags {
  readonly from: string;
  readonly receiver: number;
  readonly template: number;
  readonly subject: string;
  readonly data?: string;
  readonly type?: number;
  readonly begin?: string;
  readonly interval?: number;
  readonly cron?: string;
  readonly tz?: string;
  readonly end?: string;
  readonly max?: number;
  readonly unsubscribe?: number;
  readonly replyTo?: string;
}

/** The TaskType the flags ask for: given, else 3 with --interval/--cron, 2 with --begin, 1 otherwise. */
export function inferTaskType(flags: BatchSendFlags): number {
  if (flags.type !== undefined) return flags.type;
  if (flags.interval !== undefined || flags.cron !== undefined) return TaskType.Recurring;
  return flags.begin !== undefined ? TaskType.Timed : TaskType.Now;
}

function refuse(flags: BatchSendFlags, names: readonly (keyof BatchSendFlags)[], why: string): void {
  const given = names.filter((n) => flags[n] !== undefined);
  if (given.length > 0) throw new UsageError(`${given.map((n) => `--${n}`).join(', ')} ${why}`);
}

function schedule(flags: BatchSendFlags, type: number): Record<string, unknown> {
  switch (type) {
    case TaskType.Now:
      refuse(flags, ['begin', 'interval', 'cron', 'tz', 'end', 'max'], 'need --type 2 or 3 (a task of type 1 sends now)');
      return {};
    case TaskType.Timed:
      refuse(flags, ['interval', 'cron', 'tz', 'end', 'max'], 'need --type 3 (a task of type 2 sends once, at --begin)');
      if (flags.begin === undefined) throw new UsageError('--type 2 needs --begin "YYYY-MM-DD hh:mm:ss"');
      return { TimedParam: { BeginTime: flags.begin } };
    case TaskType.Recurring: {
      const limits = { ...(flags.end === undefined ? {} : { EndTime: flags.end }), ...(flags.max === undefined ? {} : { MaxOccurrences: flags.max }) };
      if ((flags.interval === undefined) === (flags.cron === undefined))
        throw new UsageError('--type 3 needs either --interval <hours> or --cron "<expression>"');
      if (flags.interval !== undefined) {
        refuse(flags, ['tz'], "goes with --cron (--interval runs in the server's SCHEDULE_TIMEZONE)");
        if (flags.begin === undefined) throw new UsageError('--interval needs --begin "YYYY-MM-DD hh:mm:ss" (the first run)');
        return { CycleParam: { BeginTime: flags.begin, IntervalTime: flags.interval, ...limits } };
      }
      return {
        CronParam: {
          Expression: flags.cron,
          ...(flags.tz === undefined ? {} : { TimeZone: flags.tz }),
          ...(flags.begin === undefined ? {} : { BeginTime: flags.begin }),
          ...limits,
        },
      };
    }
    default:
      throw new UsageError('--type is 1 (now), 2 (at --begin) or 3 (recurring)');
  }
}

/**
 * The BatchSendEmail parameters for the flags. Guarantees: the schedule fields match the task
 * type (conflicting flags are a UsageError, not a silently ignored option); values themselves
 * (times, cron, TemplateData JSON) are left for the API to judge, with its error codes.
 */
export function batchSendRequest(flags: BatchSendFlags): Record<string, unknown> {
  const type = inferTaskType(flags);
  return {
    FromEmailAddress: flags.from,
    ReceiverId: flags.receiver,
    Subject: flags.subject,
    TaskType: type,
    Template: { TemplateID: flags.template, ...(flags.data === undefined ? {} : { TemplateData: flags.data }) },
    ...schedule(flags, type),
    ...(flags.unsubscribe === undefined ? {} : { Unsubscribe: String(flags.unsubscribe) }),
    ...(flags.replyTo === undefined ? {} : { ReplyToAddresses: flags.replyTo }),
  };
}
