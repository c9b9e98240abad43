import {
  type CampaignTaskSpec,
  domainOf,
  EngineError,
  firstOccurrence,
  type Occurrence,
  parseMailbox,
  ScheduleError,
  type TaskSchedule,
  validateSchedule,
} from '@postmill/core';
import type { CreateCampaignInput } from '../campaign-operations.ts';
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

function badSchedule(why: string, cause?: unknown): EngineError {
  return new EngineError('invalid-input', `The schedule is invalid: ${why}.`, { context: { field: 'schedule' }, ...(cause === undefined ? {} : { cause }) });
}

/**
 * The first run of a schedule. Guarantees the schedule passes `validateSchedule` and has an
 * occurrence, so the occurrence math never throws on it later; whatever it refuses (an end before
 * the begin, no occurrence before the end of year 9999, an expression cron-parser gives up on) is
 * the caller's `invalid-input` (field `schedule`), never an internal error.
 */
export function firstRun(schedule: TaskSchedule, nowMs: number): Occurrence {
  let first: Occurrence | undefined;
  try {
    const check = validateSchedule(schedule);
    if (!check.ok) {
      throw badSchedule(
        check.code === 'EmptySchedule'
          ? 'it has no occurrence before the end of year 9999 (check the end, the most occurrences and the expression)'
          : check.message,
      );
    }
    first = firstOccurrence(schedule, nowMs);
  } catch (err) {
    // The schedule math refuses what validation let through (e.g. cron-parser giving up on an
    // expression): still the caller's bad input, not a server fault.
    if (err instanceof ScheduleError) throw badSchedule(err.message, err);
    throw err;
  }
  if (!first)
    throw new EngineError('invalid-input', 'The schedule has no occurrence (an end before the begin, or at most 0 occurrences).', {
      context: { field: 'schedule' },
    });
  return first;
}

/**
 * Creates a campaign. Guarantees: everything is validated before the task exists, in this order:
 * the schedule, `invalid-address` (from), `sender-not-found` / `domain-not-verified`,
 * `receiver-list-not-found` / `receiver-list-empty`, the subject, the request's template data,
 * `template-not-found` or the inline content (`missing-parameter` `content` when neither is
 * given), template variables neither the list nor the request provides, the ad location,
 * attachments, reply-to, unsubscribe option. The template is snapshotted into the task; the first
 * run is queued durably before the task id is answered.
 */
export async function createCampaign(deps: EngineDeps, input: CreateCampaignInput): Promise<{ taskId: number }> {
  const first = firstRun(input.schedule, deps.clock.now());
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
  const subject = checkSubject(input.subject, deps.limits);

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
  const attachments = checkAttachments(input.attachments, deps.limits);
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
      schedule: input.schedule,
      params: input.params,
      ...(input.tag !== undefined ? { tag: input.tag } : {}),
    }),
    first,
  );
  return { taskId };
}
