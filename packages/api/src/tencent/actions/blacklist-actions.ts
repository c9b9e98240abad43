import type { BlacklistEntry } from '@postmill/store';
import { z } from 'zod';
import { defineAction, type TencentAction } from '../action.ts';
import { pageLimit, pageOffset } from '../pagination.ts';

/** Longest address Postmill accepts (RFC 5321); longer entries count as TooLongCount, not InvalidCount. */
const MAX_EMAIL_LENGTH = 254;

const blacklistId = z.number().int().nonnegative();

function detail(e: BlacklistEntry): Record<string, unknown> {
  return { Id: e.id, Email: e.email, CreateTime: e.createTime, ExpireDate: e.expireDate, Status: e.status };
}

/**
 * Adds addresses to the custom blacklist; they block sending from now through `ExpireDate`
 * (inclusive, configured zone), or forever without it. Counts: `TotalCount` = entries given,
 * `ValidCount` = newly added, `RepeatCount` = repeated in the call or already blacklisted (left
 * unchanged), `InvalidCount` / `TooLongCount` = refused (malformed / longer than 254 characters).
 */
const createCustomBlacklist = defineAction({
  name: 'CreateCustomBlacklist',
  input: z.strictObject({ Emails: z.array(z.string()), ExpireDate: z.string().optional() }),
  async handle(input, { deps }) {
    const result = await deps.engine.suppressions.add(input.Emails, input.ExpireDate ? { expireDate: input.ExpireDate } : {});
    const tooLong = result.invalid.filter((e) => e.length > MAX_EMAIL_LENGTH).length;
    return {
      TotalCount: input.Emails.length,
      ValidCount: result.added,
      TooLongCount: tooLong,
      RepeatCount: result.repeat,
      InvalidCount: result.invalid.length - tooLong,
    };
  },
});

/**
 * A page of the custom blacklist in id (creation) order. `Status` 0 expired, 1 active, 2 all
 * (default 2: Tencent marks it required, Postmill does not); `Email` matches a case-insensitive
 * substring of the address. Limit above the page maximum → `FailedOperation.InvalidLimit`.
 */
const listCustomBlacklist = defineAction({
  name: 'ListCustomBlacklist',
  input: z.strictObject({
    Offset: pageOffset,
    Limit: pageLimit,
    Status: z.number().int().min(0).max(2).optional(),
    Email: z.string().optional(),
  }),
  async handle(input, { deps }) {
    const page = await deps.engine.suppressions.list({
      offset: input.Offset,
      limit: input.Limit,
      ...(input.Status === undefined ? {} : { status: input.Status as 0 | 1 | 2 }),
      ...(input.Email ? { email: input.Email } : {}),
    });
    return { TotalCount: page.total, Data: page.items.map(detail) };
  },
});

/**
 * Sets an entry's address and expiry (absent or empty `ExpireDate` = never expires), keeping its
 * Id and CreateTime. Unknown Id → `ResourceNotFound`; bad address →
 * `InvalidParameterValue.IllegalEmailAddress`; bad or past date → `InvalidParameterValue.WrongDate`;
 * an address that is another entry's → `FailedOperation.EmailAddrInBlacklist`.
 */
const updateCustomBlackList = defineAction({
  name: 'UpdateCustomBlackList',
  input: z.strictObject({ Id: blacklistId, Email: z.string(), ExpireDate: z.string().optional() }),
  async handle(input, { deps }) {
    await deps.engine.suppressions.update(input.Id, { email: input.Email, ...(input.ExpireDate === undefined ? {} : { expireDate: input.ExpireDate }) });
    return {};
  },
});

/** Removes addresses from the custom blacklist; addresses not in it are ignored. */
const deleteCustomBlackList = defineAction({
  name: 'DeleteCustomBlackList',
  input: z.strictObject({ Emails: z.array(z.string()) }),
  async handle(input, { deps }) {
    await deps.engine.suppressions.remove(input.Emails);
    return {};
  },
});

/**
 * The custom blacklist actions (Tencent §2.5). Guarantees Tencent's exact, case-sensitive names
 * (`CreateCustomBlacklist`, `ListCustomBlacklist`, but `UpdateCustomBlackList`,
 * `DeleteCustomBlackList`), field names and types.
 */
export const blacklistActions: TencentAction[] = [createCustomBlacklist, listCustomBlacklist, updateCustomBlackList, deleteCustomBlackList];
