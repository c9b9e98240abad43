import { ConflictError, domainOf, isValidEmail, NotFoundError } from '@postmill/core';
import { z } from 'zod';
import { defineAction, type TencentAction } from '../action.ts';

/** Longest EmailSenderName, in characters (code points). */
export const MAX_SENDER_NAME_LENGTH = 128;

// ':', '<', '>' and line breaks would break a `Name <addr>` From header; quotes and every other
// control character are refused too, matching what parseMailbox accepts in a FromEmailAddress
// alias, so a stored name can always be rendered into a From header without escaping or injection.
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const ILLEGAL_SENDER_NAME = /[:<>"\u0000-\u001f\u007f\u2028\u2029]/u;

const emailAddress = z
  .string()
  .refine(isValidEmail, { message: 'not a valid email address', params: { tencentCode: 'InvalidParameterValue.IllegalEmailAddress' } });

const senderName = z.string().refine((name) => !ILLEGAL_SENDER_NAME.test(name) && [...name].length <= MAX_SENDER_NAME_LENGTH, {
  message: `a sender name may not contain ':', '<', '>', quotes or control characters, nor exceed ${MAX_SENDER_NAME_LENGTH} characters`,
  params: { tencentCode: 'InvalidParameterValue.IllegalSenderName' },
});

/**
 * Creates a sender address on an existing sender domain (exact domain, case-insensitive).
 * Unknown domain → `OperationDenied.DomainNotVerified`; duplicate → `InvalidParameterValue.RepeatEmailAddress`;
 * over the cap → `OperationDenied.ExceedSenderLimit` (the last two atomically, in the store).
 */
const createEmailAddress = defineAction({
  name: 'CreateEmailAddress',
  input: z.strictObject({ EmailAddress: emailAddress, EmailSenderName: senderName.optional() }),
  async handle(input, { deps }) {
    const domain = domainOf(input.EmailAddress);
    if (!(await deps.identities.get(domain))) {
      throw new ConflictError('OperationDenied.DomainNotVerified', `Create the sender domain \`${domain}\` before addresses on it.`, {
        context: { domain },
      });
    }
    await deps.addresses.create(input.EmailSenderName ? { address: input.EmailAddress, senderName: input.EmailSenderName } : { address: input.EmailAddress });
    return {};
  },
});

/** Every sender address, oldest first. `SmtpPwdType` is always 0 (no SMTP password): Postmill does not implement UpdateEmailSmtpPassWord. */
const listEmailAddress = defineAction({
  name: 'ListEmailAddress',
  input: z.strictObject({}),
  async handle(_input, { deps }) {
    const senders = await deps.addresses.list();
    return {
      EmailSenders: senders.map((s) => ({
        EmailAddress: s.address,
        EmailSenderName: s.senderName ?? '',
        CreatedTimestamp: Math.floor(s.createdAt / 1000),
        SmtpPwdType: 0,
      })),
    };
  },
});

/** Deletes a sender address; an unknown (or malformed) one → `InvalidParameterValue.NoSuchSender`. */
const deleteEmailAddress = defineAction({
  name: 'DeleteEmailAddress',
  input: z.strictObject({ EmailAddress: z.string() }),
  async handle(input, { deps }) {
    if (!(await deps.addresses.delete(input.EmailAddress))) {
      throw new NotFoundError('InvalidParameterValue.NoSuchSender', `The sender address \`${input.EmailAddress}\` does not exist.`, {
        context: { address: input.EmailAddress },
      });
    }
    return {};
  },
});

/** The sender-address actions (Tencent §2.4). Guarantees Tencent's field names, types and error codes. */
export const addressActions: TencentAction[] = [createEmailAddress, listEmailAddress, deleteEmailAddress];
