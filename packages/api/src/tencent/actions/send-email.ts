import { type MessageSpec, ValidationError, domainOf, newMessageId, parseMailbox, renderTemplate, specRecipients } from '@postmill/core';
import { IdempotencyStore, readSendContext } from '@postmill/store';
import { defineAction } from '../action.ts';
import {
  SEND_EMAIL_TEMPLATE_DATA_CODES,
  checkAttachments,
  checkMailboxField,
  checkRecipients,
  checkSmtpMessageId,
  checkSubject,
  checkTemplateData,
  checkTemplateVariables,
  checkUnsubscribe,
  type Recipients,
  decodeSimple,
  parseSmtpHeaders,
} from '../send-email-checks.ts';
import { requestFingerprint } from '../idempotency-key.ts';
import { sendEmailInput } from '../send-email-input.ts';
import { sendOnce } from '../send-once.ts';

/**
 * SendEmail. Guarantees: every field is validated before anything is stored; the template is
 * rendered at acceptance (HTML-escaped values in Html, single-line values in Subject), so later
 * template edits never change queued mail; `MessageId` is returned only after the message and its
 * delivery job are durably in Redis; nothing is written before the request is admitted. With a
 * signed `X-Postmill-Idempotency-Key`, the same key and parameters within IDEMPOTENCY_WINDOW_SECONDS
 * answer the first MessageId and queue nothing (`sendOnce`).
 */
export const sendEmail = defineAction({
  name: 'SendEmail',
  input: sendEmailInput,
  // The send context is read while the admission check is in flight: one round trip fewer.
  readsBeforeAdmission: true,
  async handle(input, { deps, admitted, secretId, idempotencyKey, log }) {
    const { limits } = deps;
    const from = parseMailbox(input.FromEmailAddress, 'FailedOperation.IncorrectSender');
    // The recipients are checked first so that everything stored this request depends on (sender,
    // identity, template, unsubscribes) is read in ONE round trip; a recipient error is still
    // thrown after the sender errors, the order callers have always seen.
    let recipients: Recipients | undefined;
    let recipientsError: unknown;
    try {
      recipients = checkRecipients(input, limits);
    } catch (err) {
      recipientsError = err;
    }
    const [{ sender, identityExists, template, unsubscribed }] = await Promise.all([
      readSendContext(deps, {
        sender: from.address,
        templateId: input.Template?.TemplateID,
        recipients: recipients ? specRecipients(recipients) : [],
      }),
      admitted, // before anything below can write
    ]);
    // Everything from here on runs once per idempotency key when the request carries one.
    const accept = async (): Promise<string> => {
      if (!sender) {
        throw new ValidationError('InvalidParameterValue.NoSuchSender', `The sender address ${from.address} has not been created (CreateEmailAddress).`);
      }
      if (!identityExists) {
        throw new ValidationError('FailedOperation.NotAuthenticatedSender', `The sender domain ${domainOf(from.address)} is not a known identity.`);
      }
      if (!recipients) throw recipientsError;
      const subjectSource = checkSubject(input.Subject, limits);

      let html: string | undefined;
      let text: string | undefined;
      let subject = subjectSource;
      let templateId: number | undefined;
      if (input.Template) {
        if (template?.status !== 0) {
          throw new ValidationError('FailedOperation.InvalidTemplateID', `Template ${input.Template.TemplateID} does not exist or is not approved.`);
        }
        const data = checkTemplateData(input.Template.TemplateData, limits, SEND_EMAIL_TEMPLATE_DATA_CODES);
        checkTemplateVariables([subjectSource, template.html, template.text], Object.keys(data), SEND_EMAIL_TEMPLATE_DATA_CODES, '`Template.TemplateData`');
        templateId = template.id;
        if (template.html !== undefined) html = renderTemplate(template.html, data, 'html');
        if (template.text !== undefined) text = renderTemplate(template.text, data, 'text');
        subject = checkSubject(renderTemplate(subjectSource, data, 'header'), limits, { rendered: true });
      } else if (input.Simple) {
        ({ html, text } = decodeSimple(input.Simple));
      } else {
        throw new ValidationError('FailedOperation.MissingEmailContent', 'The mail has no content: give `Template` (or `Simple`).');
      }

      const attachments = checkAttachments(input.Attachments, limits);
      const headers = parseSmtpHeaders(input.SmtpHeaders);
      const smtpMessageId = checkSmtpMessageId(input.SmtpMessageId);
      const unsubscribe = checkUnsubscribe(input.Unsubscribe);
      const replyTo = checkMailboxField(input.ReplyToAddresses, 'ReplyToAddresses');
      const headerFrom = checkMailboxField(input.HeaderFrom, 'HeaderFrom');
      const triggerType = input.TriggerType ?? 0;
      if (triggerType !== 0 && triggerType !== 1) throw new ValidationError('InvalidParameterValue', '`TriggerType` must be 0 or 1.');

      const acceptedAt = deps.clock.now();
      const spec: MessageSpec = {
        messageId: newMessageId(acceptedAt),
        acceptedAt,
        from: from.name !== undefined || sender.senderName === undefined ? from : { address: from.address, name: sender.senderName },
        ...(headerFrom !== undefined ? { headerFrom } : {}),
        ...recipients,
        ...(replyTo !== undefined ? { replyTo } : {}),
        subject,
        ...(html !== undefined ? { html } : {}),
        ...(text !== undefined ? { text } : {}),
        attachments,
        headers,
        ...(smtpMessageId !== undefined ? { smtpMessageId } : {}),
        unsubscribe,
        triggerType,
        ...(templateId !== undefined ? { templateId } : {}),
      };
      const all = specRecipients(spec);
      if (all.every((r) => unsubscribed.has(r))) {
        throw new ValidationError('FailedOperation.ReceiverHasUnsubscribed', `Every recipient has unsubscribed from ${spec.from.address}.`);
      }
      await deps.producer.enqueue(spec);
      return spec.messageId;
    };
    if (idempotencyKey === undefined) return { MessageId: await accept() };
    const store = new IdempotencyStore({ redis: deps.redis, keys: deps.keys });
    const use = { secretId, key: idempotencyKey, fingerprint: requestFingerprint(input) };
    return { MessageId: await sendOnce({ store, use, windowMs: limits.idempotencyWindowSeconds * 1000, log }, accept) };
  },
});
