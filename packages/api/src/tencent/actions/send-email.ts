import { defineAction } from '../action.ts';
import { requestFingerprint } from '../idempotency-key.ts';
import { messageAttachments, messageContent } from '../message-content.ts';
import { sendEmailInput } from '../send-email-input.ts';

/**
 * SendEmail: the engine's `messages.accept` (validation, rendering, durable queueing, at most once
 * per signed `X-Postmill-Idempotency-Key`). The message's context is read while the admission
 * check is in flight: one round trip fewer on the hot path; nothing is written before it passed.
 */
export const sendEmail = defineAction({
  name: 'SendEmail',
  input: sendEmailInput,
  readsBeforeAdmission: true,
  async handle(input, { deps, admitted, secretId, idempotencyKey }) {
    const content = messageContent(input);
    const attachments = messageAttachments(input.Attachments);
    const { messageId } = await deps.engine.messages.accept(
      {
        from: input.FromEmailAddress,
        subject: input.Subject,
        ...(input.Destination === undefined ? {} : { to: input.Destination }),
        ...(input.Cc === undefined ? {} : { cc: input.Cc }),
        ...(input.Bcc === undefined ? {} : { bcc: input.Bcc }),
        ...(input.ReplyToAddresses === undefined ? {} : { replyTo: input.ReplyToAddresses }),
        ...(input.HeaderFrom === undefined ? {} : { headerFrom: input.HeaderFrom }),
        ...(content === undefined ? {} : { content }),
        ...(attachments === undefined ? {} : { attachments }),
        ...(input.SmtpHeaders === undefined ? {} : { headers: input.SmtpHeaders }),
        ...(input.SmtpMessageId === undefined ? {} : { smtpMessageId: input.SmtpMessageId }),
        ...(input.Unsubscribe === undefined ? {} : { unsubscribe: input.Unsubscribe }),
        ...(input.TriggerType === undefined ? {} : { triggerType: input.TriggerType }),
        ...(idempotencyKey === undefined ? {} : { idempotency: { scope: secretId, key: idempotencyKey, fingerprint: requestFingerprint(input) } }),
      },
      { admitted },
    );
    return { MessageId: messageId };
  },
});
