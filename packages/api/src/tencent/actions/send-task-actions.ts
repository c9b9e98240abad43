import { z } from 'zod';
import { defineAction, type TencentAction } from '../action.ts';
import { sendRateData } from '../send-rate-data.ts';
import { sendTaskData } from '../send-task-data.ts';

const uint = z.number().int().nonnegative();
const taskIdInput = z.strictObject({ TaskId: uint });
/** Tencent's task status 6 (今日暂停发送, paused for today: daily quota reached): a valid filter no Postmill task ever matches. */
const TENCENT_PAUSED_FOR_TODAY = 6;

/** ListSendTasks: Tencent's paged task list, with Status / ReceiverId / TaskType filters. */
const listSendTasks = defineAction({
  name: 'ListSendTasks',
  input: z.strictObject({ Offset: uint, Limit: uint, Status: uint.optional(), ReceiverId: uint.optional(), TaskType: uint.optional() }),
  async handle(input, { deps }) {
    const page = await deps.engine.campaigns.list({
      offset: input.Offset,
      limit: input.Limit,
      unassignedStatuses: [TENCENT_PAUSED_FOR_TODAY],
      ...(input.Status === undefined ? {} : { status: input.Status }),
      ...(input.ReceiverId === undefined ? {} : { receiverId: input.ReceiverId }),
      ...(input.TaskType === undefined ? {} : { taskType: input.TaskType }),
    });
    return { TotalCount: page.total, Data: page.items.map((view) => sendTaskData(view, deps.timeZone)) };
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
    const view = await deps.engine.campaigns.get(input.TaskId);
    return { Task: sendTaskData(view, deps.timeZone), SendRate: sendRateData(await deps.engine.campaigns.sendRate(), deps.timeZone) };
  },
});

/** PauseSendTask (extension): sending stops within a second, chunks already queued included. */
const pauseSendTask = defineAction({
  name: 'PauseSendTask',
  input: taskIdInput,
  async handle(input, { deps }) {
    await deps.engine.campaigns.pause(input.TaskId);
    return {};
  },
});

/** ResumeSendTask (extension): continues from where it stopped, without loss or duplicates. */
const resumeSendTask = defineAction({
  name: 'ResumeSendTask',
  input: taskIdInput,
  async handle(input, { deps }) {
    await deps.engine.campaigns.resume(input.TaskId);
    return {};
  },
});

/** CancelSendTask (extension): no more mail for this task; pending recipients end as cancelled. */
const cancelSendTask = defineAction({
  name: 'CancelSendTask',
  input: taskIdInput,
  async handle(input, { deps }) {
    await deps.engine.campaigns.cancel(input.TaskId);
    return {};
  },
});

/** RetrySendTaskFailures (extension): sends again to the current run's transient failures. */
const retrySendTaskFailures = defineAction({
  name: 'RetrySendTaskFailures',
  input: taskIdInput,
  async handle(input, { deps }) {
    const { retried } = await deps.engine.campaigns.retryFailures(input.TaskId);
    return { RetriedCount: retried };
  },
});

export const sendTaskActions: TencentAction[] = [listSendTasks, getSendTask, pauseSendTask, resumeSendTask, cancelSendTask, retrySendTaskFailures];
