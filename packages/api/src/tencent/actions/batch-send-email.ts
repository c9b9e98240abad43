import { type CampaignTaskSpec, ValidationError, domainOf, parseMailbox } from '@postmill/core';
import { defineAction } from '../action.ts';
import { scheduleFromInput } from '../batch-schedule.ts';
import { batchSendEmailInput } from '../batch-send-input.ts';
import {
  BATCH_SEND_TEMPLATE_DATA_CODES,
  checkAttachments,
  checkMailboxField,
  checkSubject,
  checkTemplateData,
  checkTemplateVariables,
  checkUnsubscribe,
  decodeSimple,
} from '../send-email-checks.ts';

/**
 * BatchSendEmail: a campaign to a receiver list, now (TaskType 1), at BeginTime (2) or recurring
 * (3, every IntervalTime hours or on a cron expression). Guarantees: everything is validated
 * before the task exists; the template is snapshotted; the first run is queued durably before
 * the TaskId is returned.
 */
export const batchSendEmail = defineAction({
  name: 'BatchSendEmail',
  input: batchSendEmailInput,
  async handle(input, { deps }) {
    const now = deps.clock.now();
    const { schedule, params, first } = scheduleFromInput(input, deps.timeZone, now);
    const from = parseMailbox(input.FromEmailAddress, 'OperationDenied.SendAddressStatusError');
    const sender = await deps.addresses.get(from.address);
    if (!sender || !(await deps.identities.get(domainOf(from.address)))) {
      throw new ValidationError('OperationDenied.SendAddressStatusError', `The sender address ${from.address} does not exist (CreateEmailAddress).`);
    }
    const list = await deps.receivers.get(input.ReceiverId);
    if (!list) throw new ValidationError('OperationDenied.ReceiverNotExist', `Receiver list ${input.ReceiverId} does not exist.`);
    if (list.count === 0) throw new ValidationError('OperationDenied.ReceiverStatusError', `Receiver list ${input.ReceiverId} is empty.`);
    const subject = checkSubject(input.Subject, deps.limits);

    let html: string | undefined;
    let text: string | undefined;
    let templateId = 0;
    const templateData = checkTemplateData(input.Template?.TemplateData, deps.limits, BATCH_SEND_TEMPLATE_DATA_CODES);
    if (input.Template) {
      const template = await deps.templates.get(input.Template.TemplateID);
      if (template?.status !== 0) {
        throw new ValidationError('OperationDenied.TemplateStatusError', `Template ${input.Template.TemplateID} does not exist or is not approved.`);
      }
      templateId = template.id;
      html = template.html;
      text = template.text;
    } else if (input.Simple) {
      ({ html, text } = decodeSimple(input.Simple));
    } else {
      throw new ValidationError('MissingParameter.SendParamNecessary', 'A batch task needs FromEmailAddress, ReceiverId and Template.');
    }
    checkTemplateVariables(
      [subject, html, text],
      [...(list.templateKeys ?? []), ...Object.keys(templateData)],
      BATCH_SEND_TEMPLATE_DATA_CODES,
      "the list's TemplateData or `Template.TemplateData`",
    );
    const adLocation = input.ADLocation ?? 0;
    if (adLocation > 2) throw new ValidationError('InvalidParameterValue', '`ADLocation` must be 0, 1 or 2.');
    const attachments = checkAttachments(input.Attachments, deps.limits);
    const replyTo = checkMailboxField(input.ReplyToAddresses, 'ReplyToAddresses');
    const unsubscribe = checkUnsubscribe(input.Unsubscribe);

    const TaskId = await deps.campaigns.create(
      (id): CampaignTaskSpec => ({
        taskId: id,
        from: sender.senderName !== undefined && from.name === undefined ? { address: from.address, name: sender.senderName } : from,
        ...(replyTo !== undefined ? { replyTo } : {}),
        subject,
        ...(html !== undefined ? { html } : {}),
        ...(text !== undefined ? { text } : {}),
        templateData,
        attachments,
        unsubscribe,
        adLocation,
        receiverId: list.id,
        receiversName: list.name,
        templateId,
        taskType: input.TaskType,
        schedule,
        params,
      }),
      first,
    );
    return { TaskId };
  },
});
