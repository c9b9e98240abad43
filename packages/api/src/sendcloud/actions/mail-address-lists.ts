import { isValidEmail } from '@postmill/core';
import type { ReceiverRecord } from '@postmill/store';
import type { SendCloudActionContext } from '../action.ts';
import { SendCloudFailure } from '../sendcloud-failure.ts';
import { listByAlias } from './address-list-lookup.ts';
import type { MailCommon } from './mail-input.ts';
import { mailLimits } from './mail-limits.ts';

/** Most address lists one address-list send may name (40864). */
export const MAX_ADDRESS_LISTS = 5;
/** Task type of a campaign that starts now (CampaignTaskSpec.taskType 1). */
const TASK_NOW = 1;

/**
 * The lists the `to` aliases name, in the order given (a repeated alias once). Refusals: 40872 no
 * alias, 40864 more than 5, 40862 an alias that is not address-shaped, 40863 an alias no list has
 * (the first such, with the alias, as SendCloud's `参数to: …`). Aliases compare case-insensitively.
 * Each is found through the management side's alias index (listByAlias: one index read and one
 * list read for an indexed alias), the five at once.
 */
export async function listsByAlias(aliases: readonly string[], ctx: SendCloudActionContext): Promise<ReceiverRecord[]> {
  if (aliases.length === 0) throw new SendCloudFailure(40872);
  const wanted = [...new Set(aliases.map((a) => a.toLowerCase()))];
  if (wanted.length > MAX_ADDRESS_LISTS) throw new SendCloudFailure(40864, `${wanted.length} lists`);
  for (const a of wanted) if (!isValidEmail(a)) throw new SendCloudFailure(40862, `参数to: ${a}`);
  const found = await Promise.all(wanted.map((a) => listByAlias(ctx.deps, a)));
  const lists: ReceiverRecord[] = [];
  for (const [i, list] of found.entries()) {
    if (!list) throw new SendCloudFailure(40863, `参数to: ${wanted[i]}`);
    lists.push(list);
  }
  return lists;
}

/**
 * Member variables of an address list are written `%key%` in SendCloud content (B.5); the engine
 * fills a list's variables into `{{key}}`. Rewrites the list's own keys only, so every other `%`
 * ("100% off", a variable the list lacks) stays as written.
 */
export function toListPlaceholders(text: string | undefined, keys: readonly string[] | undefined): string | undefined {
  if (text === undefined || !keys || keys.length === 0) return text;
  const byPlaceholder = new Map(keys.map((k) => [`%${k}%`, `{{${k}}}`]));
  const pattern = new RegExp([...byPlaceholder.keys()].map((k) => k.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')).join('|'), 'gu');
  return text.replace(pattern, (m) => byPlaceholder.get(m) ?? m);
}

/** What an address-list send mails: subject and bodies as the caller wrote them (SendCloud `%key%` variables). */
export interface ListMail {
  readonly subject: string;
  readonly html: string | undefined;
  readonly text: string | undefined;
}

/**
 * One campaign per list, started now: every member is mailed once, with its own variables. Answers
 * the task ids in the order of the lists (SendCloud's `maillistTaskId`). The lists were all found
 * before the first campaign is created, so an unknown alias creates none; an engine refusal of a
 * later list (an empty one: `receiver-list-empty`) leaves the earlier campaigns running. The
 * subject and attachments are checked against SendCloud's caps (mailLimits), not the deployment's;
 * the attachments are stored once, in the task, whatever the number of members.
 */
export async function sendToLists(lists: readonly ReceiverRecord[], mail: ListMail, common: MailCommon, ctx: SendCloudActionContext): Promise<number[]> {
  const taskIds: number[] = [];
  for (const list of lists) {
    const html = toListPlaceholders(mail.html, list.templateKeys);
    const text = toListPlaceholders(mail.text, list.templateKeys);
    const { taskId } = await ctx.deps.engine.campaigns.create(
      {
        from: common.from,
        receiverId: list.id,
        subject: toListPlaceholders(mail.subject, list.templateKeys) ?? mail.subject,
        ...(common.replyTo === undefined ? {} : { replyTo: common.replyTo }),
        content: { kind: 'inline', ...(html === undefined ? {} : { html }), ...(text === undefined ? {} : { text }) },
        attachments: common.attachments,
        schedule: { kind: 'now' },
        taskType: TASK_NOW,
        params: {},
        ...(common.tag === undefined ? {} : { tag: common.tag }),
        ...(ctx.tracking === undefined ? {} : { tracking: ctx.tracking }),
      },
      { limits: mailLimits(ctx.deps).message },
    );
    taskIds.push(taskId);
  }
  return taskIds;
}
