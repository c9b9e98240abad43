import { domainOf, EngineError, type MessageSpec, newMessageId, parseMailbox, renderTemplate, specRecipients, trackingOf } from '@postmill/core';
import { IdempotencyStore, SendContextReader } from '@postmill/store';
import type { EngineDeps } from '../engine-deps.ts';
import type { AcceptMessageInput, AcceptOptions, MessageOperations } from '../message-operations.ts';
import { acceptOnce } from './accept-once.ts';
import {
  checkAttachments,
  checkMailboxField,
  checkRecipients,
  checkSmtpMessageId,
  checkSubject,
  checkTemplateData,
  checkTemplateVariables,
  checkUnsubscribe,
  decodeInlineContent,
  parseHeaders,
  type Recipients,
} from './message-checks.ts';

const ADMITTED: Promise<void> = Promise.resolve();

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Single messages. Guarantees: every field is validated before anything is stored; the template is
 * rendered at acceptance (HTML-escaped values in html, single-line values in the subject), so later
 * template edits never change queued mail; the message id is answered only after the message and
 * its delivery job are durably in Redis; nothing is written before `options.admitted` settles, and
 * the sender, its domain, the template and the recipients' unsubscribes are read in ONE round trip
 * that overlaps it (the hot path). With `idempotency`, the same key and fingerprint within the
 * window answer the first message id and queue nothing (`acceptOnce`). Refusals, in the order
 * checked: `invalid-address` (from), `sender-not-found`, `domain-not-verified`, the recipients'
 * (`too-many-recipients`, `invalid-address`, `no-recipients`, `invalid-input`), the subject's,
 * `template-not-found`, `template-data-invalid`, `missing-content`, the attachments', headers',
 * then `recipient-unsubscribed` when every recipient unsubscribed from the sender. The recipient,
 * attachment and subject caps are `options.limits` when the dialect passes them (its vendor's),
 * else the deployment's; every other limit is always the deployment's.
 */
export function messageOperations(deps: EngineDeps): MessageOperations {
  const idempotency = new IdempotencyStore({ redis: deps.redis, keys: deps.keys });
  const sendContext = new SendContextReader({ redis: deps.redis, keys: deps.keys });
  return {
    async accept(input: AcceptMessageInput, options: AcceptOptions = {}) {
      const { limits } = deps;
      // The caps of this one message: the dialect's own when it passes them, else the deployment's.
      const messageLimits = options.limits ?? limits;
      const from = parseMailbox(input.from, 'from');
      // The recipients are checked first so that everything read for this message depends on
      // (sender, domain, template, unsubscribes) is read in ONE round trip; a recipient refusal is
      // still thrown after the sender's, the order callers have always seen.
      let recipients: Recipients | undefined;
      let recipientsError: unknown;
      try {
        recipients = checkRecipients(input, messageLimits);
      } catch (err) {
        recipientsError = err;
      }
      const content = input.content;
      const [{ sender, identityExists, template, unsubscribed }] = await Promise.all([
        sendContext.read({
          sender: from.address,
          templateId: content?.kind === 'template' ? content.templateId : undefined,
          recipients: recipients ? specRecipients(recipients) : [],
        }),
        options.admitted ?? ADMITTED, // before anything below can write
      ]);
      // Everything from here on runs once per idempotency key when the request carries one.
      const accept = async (): Promise<string> => {
        if (!sender) {
          throw new EngineError('sender-not-found', `The sender address ${from.address} has not been created.`, { context: { address: from.address } });
        }
        if (!identityExists) {
          throw new EngineError('domain-not-verified', `The sender domain ${domainOf(from.address)} is not a known identity.`, {
            context: { domain: domainOf(from.address) },
          });
        }
        if (!recipients) throw recipientsError;
        const subjectSource = checkSubject(input.subject, messageLimits);

        let html: string | undefined;
        let text: string | undefined;
        let subject = subjectSource;
        let templateId: number | undefined;
        if (content?.kind === 'template') {
          if (template?.status !== 0) {
            throw new EngineError('template-not-found', `Template ${content.templateId} does not exist or is not approved.`, {
              context: { templateId: content.templateId },
            });
          }
          const data = checkTemplateData(content.data, limits);
          checkTemplateVariables([subjectSource, template.html, template.text], Object.keys(data), (f) => f('templateData'));
          templateId = template.id;
          if (template.html !== undefined) html = renderTemplate(template.html, data, 'html');
          if (template.text !== undefined) text = renderTemplate(template.text, data, 'text');
          subject = checkSubject(renderTemplate(subjectSource, data, 'header'), messageLimits, { rendered: true });
        } else if (content?.kind === 'inline') {
          ({ html, text } = decodeInlineContent(content));
        } else {
          throw new EngineError('missing-content', 'The mail has no content: give a template or an inline body.', { context: { field: 'content' } });
        }

        const attachments = checkAttachments(input.attachments, messageLimits);
        const headers = parseHeaders(input.headers);
        const smtpMessageId = checkSmtpMessageId(input.smtpMessageId);
        const unsubscribe = checkUnsubscribe(input.unsubscribe);
        const replyTo = checkMailboxField(input.replyTo, 'replyTo');
        const headerFrom = checkMailboxField(input.headerFrom, 'headerFrom');
        const triggerType = input.triggerType ?? 0;
        if (triggerType !== 0 && triggerType !== 1) {
          throw new EngineError('invalid-input', (f) => `${f('triggerType')} must be 0 or 1.`, { context: { field: 'triggerType' } });
        }

        const acceptedAt = deps.clock.now();
        // Built field by field (the hot path: no spread copies); absent optional fields stay absent.
        const spec: Writable<MessageSpec> = {
          messageId: newMessageId(acceptedAt),
          acceptedAt,
          from: from.name !== undefined || sender.senderName === undefined ? from : { address: from.address, name: sender.senderName },
          to: recipients.to,
          cc: recipients.cc,
          bcc: recipients.bcc,
          subject,
          attachments,
          headers,
          unsubscribe,
          triggerType,
        };
        if (headerFrom !== undefined) spec.headerFrom = headerFrom;
        if (replyTo !== undefined) spec.replyTo = replyTo;
        if (html !== undefined) spec.html = html;
        if (text !== undefined) spec.text = text;
        if (smtpMessageId !== undefined) spec.smtpMessageId = smtpMessageId;
        if (templateId !== undefined) spec.templateId = templateId;
        if (input.tag !== undefined) spec.tag = input.tag;
        const { tracking } = trackingOf(deps.tracking, input.tracking, from.address);
        if (tracking !== undefined) spec.tracking = tracking;
        const all = specRecipients(spec);
        if (all.every((r) => unsubscribed.has(r))) {
          throw new EngineError('recipient-unsubscribed', `Every recipient has unsubscribed from ${spec.from.address}.`, {
            context: { sender: spec.from.address },
          });
        }
        await deps.producer.enqueue(spec);
        return spec.messageId;
      };
      const key = input.idempotency;
      if (key === undefined) return { messageId: await accept() };
      const use = { secretId: key.scope, key: key.key, fingerprint: key.fingerprint };
      const log = deps.logger.child({ idempotencyKey: key.key });
      return { messageId: await acceptOnce({ store: idempotency, use, windowMs: limits.idempotencyWindowSeconds * 1000, log }, accept) };
    },
  };
}
