import { z } from 'zod';
import { defineAction, type TencentAction } from '../action.ts';

/**
 * Creates a sender address on an existing sender domain (the engine's `senders.create`: address
 * and name rules, unknown domain → `OperationDenied.DomainNotVerified`, duplicate →
 * `InvalidParameterValue.RepeatEmailAddress`, over the cap → `OperationDenied.ExceedSenderLimit`).
 */
const createEmailAddress = defineAction({
  name: 'CreateEmailAddress',
  input: z.strictObject({ EmailAddress: z.string(), EmailSenderName: z.string().optional() }),
  async handle(input, { deps }) {
    await deps.engine.senders.create(
      input.EmailSenderName === undefined ? { address: input.EmailAddress } : { address: input.EmailAddress, senderName: input.EmailSenderName },
    );
    return {};
  },
});

/** Every sender address, oldest first. `SmtpPwdType` is always 0 (no SMTP password): Postmill does not implement UpdateEmailSmtpPassWord. */
const listEmailAddress = defineAction({
  name: 'ListEmailAddress',
  input: z.strictObject({}),
  async handle(_input, { deps }) {
    const senders = await deps.engine.senders.list();
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
    await deps.engine.senders.delete(input.EmailAddress);
    return {};
  },
});

/** The sender-address actions (Tencent §2.4). Guarantees Tencent's field names, types and error codes. */
export const addressActions: TencentAction[] = [createEmailAddress, listEmailAddress, deleteEmailAddress];
