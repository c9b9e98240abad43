import { type MessageLimits, messageLimitsOf } from '@postmill/core';
import type { ApiDeps } from '../../api-deps.ts';
import type { SendCloudActionContext } from '../action.ts';
import { SendCloudFailure } from '../sendcloud-failure.ts';
import { resolveSendCloudSettings, type SendCloudSettings } from '../settings.ts';

/** Longest `subject` in characters (40809): SendCloud documents none; what a header line can carry sensibly. */
export const MAX_MAIL_SUBJECT_LENGTH = 255;

/** What a SendCloud send is checked against: the dialect's settings and the engine's per-message caps. */
export interface MailLimits {
  readonly settings: SendCloudSettings;
  /**
   * The engine's caps for a SendCloud mail (AcceptOptions.limits, CreateCampaignOptions.limits):
   * SENDCLOUD_MAX_RECIPIENTS in each of to, cc and bcc, SENDCLOUD_MAX_ATTACHMENT_BYTES, a
   * 255-character subject; the deployment's attachment count (SendCloud documents none).
   */
  readonly message: MessageLimits;
}

// Built once per deps from its settings (deps never change); a memo, it decides nothing.
const built = new WeakMap<ApiDeps, MailLimits>();

/** The SendCloud send limits over `deps` (the same object for the same deps). */
export function mailLimits(deps: ApiDeps): MailLimits {
  let limits = built.get(deps);
  if (!limits) {
    const settings = resolveSendCloudSettings(deps.sendCloud);
    limits = {
      settings,
      message: {
        ...messageLimitsOf(deps.limits),
        maxDestinations: settings.maxRecipients,
        maxCc: settings.maxRecipients,
        maxBcc: settings.maxRecipients,
        maxAttachmentBytes: settings.maxAttachmentBytes,
        maxSubjectLength: MAX_MAIL_SUBJECT_LENGTH,
      },
    };
    built.set(deps, limits);
  }
  return limits;
}

/**
 * Refuses, with 40819 and why, a send whose attachments would be stored more than
 * SENDCLOUD_MAX_STORED_ATTACHMENT_BYTES times over: each mail Postmill makes stores its own copy
 * (`mails` of them: one per `xsmtpapi` recipient, 1 for a broadcast), where SendCloud stores a
 * request once. Checked before any mail is accepted, so a refused request queues none.
 */
export function checkStoredAttachments(attachmentBytes: number, mails: number, ctx: SendCloudActionContext): void {
  const max = mailLimits(ctx.deps).settings.maxStoredAttachmentBytes;
  const stored = attachmentBytes * mails;
  if (attachmentBytes === 0 || stored <= max) return;
  throw new SendCloudFailure(
    40819,
    `each of the ${mails} mails stores its own copy of the ${attachmentBytes} bytes of attachments, ${stored} bytes in all, over the ${max} one request may store (SENDCLOUD_MAX_STORED_ATTACHMENT_BYTES); send the files to fewer xsmtpapi recipients per request`,
  );
}
