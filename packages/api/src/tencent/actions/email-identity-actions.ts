import type { EmailIdentityRecord } from '@postmill/store';
import { z } from 'zod';
import { defineAction, type TencentAction } from '../action.ts';
import { expectedDnsAttributes } from '../identity-dns-records.ts';
import { pageLimit, pageOffset } from '../pagination.ts';

/**
 * Postmill has no reputation levels, so both `CurrentReputationLevel` and `MaxReputationLevel` are
 * 0, meaning "not applicable" (Tencent's own levels start at 1).
 */
export const REPUTATION_LEVEL_NONE = 0;

/**
 * Postmill imposes no daily sending quota, so `DailyQuota` and `MaxDailyQuota` report the largest
 * integer every SDK parses exactly, meaning "unlimited". Not 0: a client pacing itself on the quota
 * would read 0 as "may not send". Limits of the relay Postmill sends through still apply.
 */
export const UNLIMITED_DAILY_QUOTA = Number.MAX_SAFE_INTEGER;

/** Until DNS verification lands, every domain is trusted on creation: Postmill lets it send. */
const VERIFIED_FOR_SENDING = true;

// The name's rules (a valid domain, compared lower-cased) are the engine's.
const emailIdentity = z.string();

// Tencent: 0 = 1024-bit, 1 = 2048-bit, 2 = both. Stored now, used once DKIM signing lands.
const dkimOption = z.number().int().nonnegative().max(2);

const tagList = z.array(z.strictObject({ TagKey: z.string(), TagValue: z.string() }));

function tagsOut(identity: EmailIdentityRecord): { TagKey: string; TagValue: string }[] {
  return identity.tags.map((t) => ({ TagKey: t.key, TagValue: t.value }));
}

function verificationView(identity: EmailIdentityRecord): Record<string, unknown> {
  return {
    IdentityType: 'DOMAIN',
    VerifiedForSendingStatus: VERIFIED_FOR_SENDING,
    Attributes: expectedDnsAttributes(identity.name),
    DKIMOption: identity.dkimOption,
  };
}

/** Creates a sender domain: trusted for sending at once, its DNS records returned as "not checked yet". */
const createEmailIdentity = defineAction({
  name: 'CreateEmailIdentity',
  input: z.strictObject({ EmailIdentity: emailIdentity, DKIMOption: dkimOption.optional(), TagList: tagList.optional() }),
  async handle(input, { deps }) {
    const identity = await deps.engine.domains.create({
      name: input.EmailIdentity,
      ...(input.DKIMOption === undefined ? {} : { dkimOption: input.DKIMOption }),
      tags: (input.TagList ?? []).map((t) => ({ key: t.TagKey, value: t.TagValue })),
    });
    return verificationView(identity);
  },
});

/**
 * Lists sender domains in creation order. `Limit` defaults to the page maximum, `Offset` to 0; with
 * `TagList`, only domains carrying every given TagKey/TagValue pair count (in Total too).
 */
const listEmailIdentities = defineAction({
  name: 'ListEmailIdentities',
  input: z.strictObject({ TagList: tagList.optional(), Limit: pageLimit.optional(), Offset: pageOffset.optional() }),
  async handle(input, { deps }) {
    const page = await deps.engine.domains.list({
      ...(input.Offset === undefined ? {} : { offset: input.Offset }),
      ...(input.Limit === undefined ? {} : { limit: input.Limit }),
      tags: (input.TagList ?? []).map((t) => ({ key: t.TagKey, value: t.TagValue })),
    });
    return {
      EmailIdentities: page.items.map((i) => ({
        IdentityName: i.name,
        IdentityType: 'DOMAIN',
        SendingEnabled: VERIFIED_FOR_SENDING,
        CurrentReputationLevel: REPUTATION_LEVEL_NONE,
        DailyQuota: UNLIMITED_DAILY_QUOTA,
        SendIp: [],
        TagList: tagsOut(i),
        DKIMOption: i.dkimOption,
      })),
      MaxReputationLevel: REPUTATION_LEVEL_NONE,
      MaxDailyQuota: UNLIMITED_DAILY_QUOTA,
      Total: page.total,
    };
  },
});

/** One sender domain with the DNS records to publish (reported as not checked). */
const getEmailIdentity = defineAction({
  name: 'GetEmailIdentity',
  input: z.strictObject({ EmailIdentity: emailIdentity }),
  async handle(input, { deps }) {
    const identity = await deps.engine.domains.get(input.EmailIdentity);
    return { ...verificationView(identity), TagList: tagsOut(identity) };
  },
});

/**
 * Tencent's "request verification". Postmill does no DNS lookups yet, so this only records a new
 * DKIMOption when given and answers the same view as GetEmailIdentity (minus TagList). `NewAPI` is
 * accepted and has no effect.
 */
const updateEmailIdentity = defineAction({
  name: 'UpdateEmailIdentity',
  input: z.strictObject({ EmailIdentity: emailIdentity, NewAPI: z.boolean().optional(), DKIMOption: dkimOption.optional() }),
  async handle(input, { deps }) {
    const identity = await deps.engine.domains.update(input.EmailIdentity, input.DKIMOption === undefined ? {} : { dkimOption: input.DKIMOption });
    return verificationView(identity);
  },
});

/** Deletes a sender domain, refused while sender addresses on it exist (the engine's `domains.delete`). */
const deleteEmailIdentity = defineAction({
  name: 'DeleteEmailIdentity',
  input: z.strictObject({ EmailIdentity: emailIdentity }),
  async handle(input, { deps }) {
    await deps.engine.domains.delete(input.EmailIdentity);
    return {};
  },
});

/** The sender-domain actions (Tencent §2.4). Guarantees Tencent's field names, types and error codes. */
export const identityActions: TencentAction[] = [createEmailIdentity, listEmailIdentities, getEmailIdentity, updateEmailIdentity, deleteEmailIdentity];
