import type { AcceptMessageInput } from '@postmill/engine';
import { defineAction } from '../action.ts';
import { requestFingerprint } from '../idempotency-key.ts';
import { messageAttachments, messageContent } from '../message-content.ts';
import { isPlainSendEmailInput, sendEmailInput } from '../send-email-input.ts';

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * SendEmail: the engine's `messages.accept` (validation, rendering, durable queueing, at most once
 * per signed `X-Postmill-Idempotency-Key`). The message's context is read while the admission
 * check is in flight: one round trip fewer on the hot path; nothing is written before it passed.
 * A body that is plainly valid skips the schema walk (isPlainSendEmailInput).
 */
export const sendEmail = defineAction({
  name: 'SendEmail',
  input: sendEmailInput,
  isPlainInput: isPlainSendEmailInput,
  readsBeforeAdmission: true,
  async handle(input, { deps, admitted, secretId, idempotencyKey }) {
    // Built field by field (the hot path: no spread copies); absent fields stay absent.
    const message: Writable<AcceptMessageInput> = { from: input.FromEmailAddress, subject: input.Subject };
    if (input.Destination !== undefined) message.to = input.Destination;
    if (input.Cc !== undefined) message.cc = input.Cc;
    if (input.Bcc !== undefined) message.bcc = input.Bcc;
    if (input.ReplyToAddresses !== undefined) message.replyTo = input.ReplyToAddresses;
    if (input.HeaderFrom !== undefined) message.headerFrom = input.HeaderFrom;
    const content = messageContent(input);
    if (content !== undefined) message.content = content;
    const attachments = messageAttachments(input.Attachments);
    if (attachments !== undefined) message.attachments = attachments;
    if (input.SmtpHeaders !== undefined) message.headers = input.SmtpHeaders;
    if (input.SmtpMessageId !== undefined) message.smtpMessageId = input.SmtpMessageId;
    if (input.Unsubscribe !== undefined) message.unsubscribe = input.Unsubscribe;
    if (input.TriggerType !== undefined) message.triggerType = input.TriggerType;
    if (idempotencyKey !== undefined) message.idempotency = { scope: secretId, key: idempotencyKey, fingerprint: requestFingerprint(input) };
    const { messageId } = await deps.engine.messages.accept(message, { admitted });
    return { MessageId: messageId };
  },
});
