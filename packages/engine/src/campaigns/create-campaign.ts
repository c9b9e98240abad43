import { type CampaignTaskSpec, domainOf, EngineError, parseMailbox, trackingOf } from '@postmill/core';
import type { CreateCampaignInput, CreateCampaignOptions } from '../campaign-operations.ts';
import type { EngineDeps } from '../engine-deps.ts';
import {
  checkAttachments,
  checkMailboxField,
  checkSubject,
  checkTemplateData,
  checkTemplateVariables,
  checkUnsubscribe,
  decodeInlineContent,
} from '../messages/message-checks.ts';
import { planSchedule } from './schedule.ts';

/**
 * Creates a campaign. Guarantees: everything is validated before the task exists, in this order:
 * the schedule (see `planSchedule`: read in its zone, default the deployment's), `invalid-address` (from), `sender-not-found` / `domain-not-verified`,
 * `receiver-list-not-found` / `receiver-list-empty`, the subject, the request's template data,
 * `template-not-found` or the inline content (`missing-parameter` `content` when neither is
 * given), template variables neither the list nor the request provides, the ad location,
 * attachments, reply-to, unsubscribe option. Subject and attachments are checked against
 * `options.limits` when the dialect passes them, else the deployment's. The template is
 * snapshotted into the task; the first run is queued durably before the task id is answered.
 */
export async function createCampaign(deps: EngineDeps, input: CreateCampaignInput, options: CreateCampaignOptions = {}): Promise<{ taskId: number }> {
  // The caps of the campaign's message: the dialect's own when it passes them, else the deployment's.
  const messageLimits = options.limits ?? deps.limits;
  const { schedule, first } = planSchedule(input.schedule, { nowMs: deps.clock.now(), timeZone: deps.timeZone });
  const from = parseMailbox(input.from, 'from');
  const sender = await deps.addresses.get(from.address);
  if (!sender) throw new EngineError('sender-not-found', `The sender address ${from.address} does not exist.`, { context: { address: from.address } });
  if (!(await deps.identities.get(domainOf(from.address)))) {
    throw new EngineError('domain-not-verified', `The sender domain ${domainOf(from.address)} of ${from.address} does not exist.`, {
      context: { domain: domainOf(from.address) },
    });
  }
  const list = await deps.receivers.get(input.receiverId);
  if (!list)
    throw new EngineError('receiver-list-not-found', `Receiver list ${input.receiverId} does not exist.`, { context: { receiverId: input.receiverId } });
  if (list.count === 0)
    throw new EngineError('receiver-list-empty', `Receiver list ${input.receiverId} is empty.`, { context: { receiverId: input.receiverId } });
  const subject = checkSubject(input.subject, messageLimits);

  let html: string | undefined;
  let text: string | undefined;
  let templateId = 0;
  const content = input.content;
  const templateData = checkTemplateData(content?.kind === 'template' ? content.data : undefined, deps.limits);
  if (content?.kind === 'template') {
    const template = await deps.templates.get(content.templateId);
    if (template?.status !== 0) {
      throw new EngineError('template-not-found', `Template ${content.templateId} does not exist or is not approved.`, {
        context: { templateId: content.templateId },
      });
    }
    templateId = template.id;
    html = template.html;
    text = template.text;
  } else if (content?.kind === 'inline') {
    ({ html, text } = decodeInlineContent(content));
  } else {
    throw new EngineError('missing-parameter', 'A campaign needs a sender, a receiver list and a template.', { context: { field: 'content' } });
  }
  checkTemplateVariables(
    [subject, html, text],
    [...(list.templateKeys ?? []), ...Object.keys(templateData)],
    (f) => `the list's TemplateData or ${f('templateData')}`,
  );
  const adLocation = input.adLocation ?? 0;
  if (adLocation > 2) throw new EngineError('invalid-input', (f) => `${f('adLocation')} must be 0, 1 or 2.`, { context: { field: 'adLocation' } });
  const attachments = checkAttachments(input.attachments, messageLimits);
  const replyTo = checkMailboxField(input.replyTo, 'replyTo');
  const unsubscribe = checkUnsubscribe(input.unsubscribe);

  const taskId = await deps.campaigns.create(
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
      taskType: input.taskType,
      schedule,
      params: input.params,
      ...(input.tag !== undefined ? { tag: input.tag } : {}),
      ...trackingOf(deps.tracking, input.tracking, from.address),
    }),
    first,
  );
  return { taskId };
}
