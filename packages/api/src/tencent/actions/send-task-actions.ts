import { type TaskStatusCode, ValidationError, isTaskStatus } from '@postmill/core';
import type { ControlRefusal } from '@postmill/queue';
import { z } from 'zod';
import { type TencentAction, defineAction } from '../action.ts';
import { sendRateData } from '../send-rate-data.ts';
import { sendTaskData } from '../send-task-data.ts';

const uint = z.number().int().nonnegative();
const taskIdInput = z.strictObject({ TaskId: uint });
/** Tencent's task status 6 (今日暂停发送, paused for today: daily quota reached). */
const TENCENT_PAUSED_FOR_TODAY = 6;

function refuse(refusal: ControlRefusal, taskId: number, what: string): never {
  if (refusal === 'not-found') throw new ValidationError('InvalidParameterValue.TaskNotExist', `Task ${taskId} does not exist.`);
  throw new ValidationError('OperationDenied.TaskStatusError', `Task ${taskId} cannot be ${what} in its current status.`);
}

/** ListSendTasks: Tencent's paged task list, with Status / ReceiverId / TaskType filters. */
const listSendTasks = defineAction({
  name: 'ListSendTasks',
  input: z.strictObject({ Offset: uint, Limit: uint, Status: uint.optional(), ReceiverId: uint.optional(), TaskType: uint.optional() }),
  async handle(input, { deps }) {
    if (input.Limit > deps.limits.maxPageLimit) throw new ValidationError('FailedOperation.InvalidLimit', `\`Limit\` may be at most ${deps.limits.maxPageLimit}.`);
    // Tencent's 6 "paused for today" is a valid filter although no Postmill task ever has it: it matches nothing.
    if (input.Status !== undefined && input.Status !== TENCENT_PAUSED_FOR_TODAY && !isTaskStatus(input.Status)) {
      throw new ValidationError('InvalidParameterValue', '`Status` must be 1, 5, 6, 7, 10, 11 or 12.');
    }
    const filtered = input.Status !== undefined || input.ReceiverId !== undefined || input.TaskType !== undefined;
    const Data: Record<string, unknown>[] = [];
    let TotalCount = 0;
    if (!filtered) {
      const page = await deps.tasks.ids(input.Offset, input.Limit);
      TotalCount = page.total;
      for (const id of page.ids) {
        const view = await deps.tasks.get(id);
        if (view) Data.push(sendTaskData(view, deps.timeZone));
      }
    } else {
      // Filtered listings walk the task index (tasks are few compared with recipients).
      for await (const id of deps.tasks.allIds()) {
        const view = await deps.tasks.get(id);
        if (!view) continue;
        if (input.Status !== undefined && view.status !== (input.Status as TaskStatusCode)) continue;
        if (input.ReceiverId !== undefined && view.spec.receiverId !== input.ReceiverId) continue;
        if (input.TaskType !== undefined && view.spec.taskType !== input.TaskType) continue;
        if (TotalCount >= input.Offset && Data.length < input.Limit) Data.push(sendTaskData(view, deps.timeZone));
        TotalCount++;
      }
    }
    return { TotalCount, Data };
  },
});

/**
 * GetSendTask (extension): one task with live counts, and the send rate the workers announced
 * (SendRate, see sendRateData), for progress displays.
 */
const getSendTask = defineAction({
  name: 'GetSendTask',
  input: taskIdInput,
  async handle(input, { deps }) {
    const view = await deps.tasks.get(input.TaskId);
    if (!view) refuse('not-found', input.TaskId, 'read');
    return { Task: sendTaskData(view, deps.timeZone), SendRate: sendRateData(await deps.sendRates.latest(), deps.timeZone) };
  },
});

/** PauseSendTask (extension): sending stops within a second, chunks already queued included. */
const pauseSendTask = defineAction({
  name: 'PauseSendTask',
  input: taskIdInput,
  async handle(input, { deps }) {
    const refusal = await deps.campaigns.pause(input.TaskId);
    if (refusal) refuse(refusal, input.TaskId, 'paused');
    return {};
  },
});

/** ResumeSendTask (extension): continues from where it stopped, without loss or duplicates. */
const resumeSendTask = defineAction({
  name: 'ResumeSendTask',
  input: taskIdInput,
  async handle(input, { deps }) {
    const refusal = await deps.campaigns.resume(input.TaskId);
    if (refusal) refuse(refusal, input.TaskId, 'resumed');
    return {};
  },
});

/** CancelSendTask (extension): no more mail for this task; pending recipients end as cancelled. */
const cancelSendTask = defineAction({
  name: 'CancelSendTask',
  input: taskIdInput,
  async handle(input, { deps }) {
    const refusal = await deps.campaigns.cancel(input.TaskId);
    if (refusal) refuse(refusal, input.TaskId, 'cancelled');
    return {};
  },
});

/** RetrySendTaskFailures (extension): sends again to the current run's transient failures. */
const retrySendTaskFailures = defineAction({
  name: 'RetrySendTaskFailures',
  input: taskIdInput,
  async handle(input, { deps }) {
    const result = await deps.campaigns.retryFailures(input.TaskId);
    if (typeof result !== 'number') refuse(result, input.TaskId, 'retried');
    return { RetriedCount: result };
  },
});

export const sendTaskActions: TencentAction[] = [listSendTasks, getSendTask, pauseSendTask, resumeSendTask, cancelSendTask, retrySendTaskFailures];
