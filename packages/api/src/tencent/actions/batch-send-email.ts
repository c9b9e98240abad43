import { defineAction } from '../action.ts';
import { inScheduleTerms, scheduleFromInput } from '../batch-schedule.ts';
import { batchSendEmailInput } from '../batch-send-input.ts';
import { messageAttachments, messageContent } from '../message-content.ts';

/**
 * BatchSendEmail: a campaign to a receiver list, now (TaskType 1), at BeginTime (2) or recurring
 * (3, every IntervalTime hours or on a cron expression): Tencent's schedule parameters are mapped
 * to the engine's schedule here, everything else is the engine's `campaigns.create` (the schedule's
 * rules, validated before the task exists, the template snapshotted, the first run queued durably
 * before the TaskId is returned); a refused schedule names the parameter the request used.
 */
export const batchSendEmail = defineAction({
  name: 'BatchSendEmail',
  input: batchSendEmailInput,
  async handle(input, { deps }) {
    const { schedule, params, param } = scheduleFromInput(input);
    const content = messageContent(input);
    const attachments = messageAttachments(input.Attachments);
    const { taskId } = await deps.engine.campaigns
      .create({
        from: input.FromEmailAddress,
        receiverId: input.ReceiverId,
        subject: input.Subject,
        ...(input.ReplyToAddresses === undefined ? {} : { replyTo: input.ReplyToAddresses }),
        ...(content === undefined ? {} : { content }),
        ...(attachments === undefined ? {} : { attachments }),
        ...(input.Unsubscribe === undefined ? {} : { unsubscribe: input.Unsubscribe }),
        ...(input.ADLocation === undefined ? {} : { adLocation: input.ADLocation }),
        schedule,
        taskType: input.TaskType,
        params,
      })
      .catch((err: unknown) => {
        throw inScheduleTerms(err, param);
      });
    return { TaskId: taskId };
  },
});
