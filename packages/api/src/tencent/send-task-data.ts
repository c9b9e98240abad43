import { type CampaignTaskSpec, formatMailbox, tryFormatTencentDateTime } from '@postmill/core';
import type { TaskView } from '@postmill/store';

/**
 * Tencent's `SendTaskData` for a task, plus Postmill's extension fields (FailedCount,
 * DeferredCount, CancelledCount, RunCount, CurrentRun, NextRunTime, MissedOccurrences, CronParam).
 * `CacheCount` is what is still to be sent: requested − sent − failed − cancelled.
 * Never throws on what a stored task holds: a time that cannot be written as "YYYY-MM-DD hh:mm:ss"
 * (NaN, past year 9999; BatchSendEmail refuses such schedules, but a task stored before that rule
 * or damaged in Redis must not break ListSendTasks for every caller) is written as "".
 */
export function sendTaskData(view: TaskView<CampaignTaskSpec>, timeZone: string): Record<string, unknown> {
  const s = view.spec;
  const time = (ms: number) => tryFormatTencentDateTime(ms, timeZone) ?? '';
  return {
    TaskId: view.id,
    FromEmailAddress: formatMailbox(s.from),
    ReceiverId: s.receiverId,
    TaskStatus: view.status,
    TaskType: s.taskType,
    RequestCount: view.requested,
    SendCount: view.sent,
    CacheCount: Math.max(0, view.requested - view.sent - view.failed - view.cancelled),
    CreateTime: time(view.createdAt),
    UpdateTime: time(view.updatedAt),
    Subject: s.subject,
    Template: { TemplateID: s.templateId, TemplateData: JSON.stringify(s.templateData) },
    CycleParam: s.params.CycleParam
      ? {
          BeginTime: s.params.CycleParam.BeginTime,
          IntervalTime: s.params.CycleParam.IntervalTime,
          // Terminated when nothing more is planned, or when the caller terminated it (TermCycle 1).
          TermCycle: view.nextRunAt === undefined || s.params.CycleParam.TermCycle === 1 ? 1 : 0,
        }
      : null,
    TimedParam: s.params.TimedParam ?? null,
    ErrMsg: view.error,
    ReceiversName: s.receiversName,
    FailedCount: view.failed,
    DeferredCount: view.deferred,
    CancelledCount: view.cancelled,
    RunCount: view.runs,
    CurrentRun: view.currentRun ?? 0,
    NextRunTime: view.nextRunAt === undefined ? '' : time(view.nextRunAt),
    MissedOccurrences: view.missed.map(time),
    CronParam: s.params.CronParam ?? null,
  };
}
