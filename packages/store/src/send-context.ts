import { addressKey, domainOf, normalizeEmail } from '@postmill/core';
import type { Keys } from './keys.ts';
import { LuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';
import { decodeSenderAddress, type SenderAddressRecord } from './sender-address-store.ts';
import { decodeTemplate, type TemplateRecord } from './template-store.ts';

/** Everything SendEmail reads before it accepts a message. */
export interface SendContext {
  /** The sender address, or undefined when it was never created. */
  readonly sender: SenderAddressRecord | undefined;
  /** Whether the sender's domain is a created identity. */
  readonly identityExists: boolean;
  /** The template asked for, or undefined when none was asked for or it does not exist. */
  readonly template: TemplateRecord | undefined;
  /** Those of the given recipients (as given) who unsubscribed from the sender. */
  readonly unsubscribed: ReadonlySet<string>;
}

// KEYS: sender addresses, identities, templates, the sender's unsubscribed set (all under the
// deployment tag: one slot). ARGV: canonical sender address, domain, template id or '', then the
// recipients' addressKeys. Reads only; false stands for "absent" (a Lua nil would end the table).
const READ = new LuaScript(`
local out = { redis.call('HGET', KEYS[1], ARGV[1]), redis.call('HEXISTS', KEYS[2], ARGV[2]), false, {} }
if ARGV[3] ~= '' then out[3] = redis.call('HGET', KEYS[3], ARGV[3]) end
if #ARGV > 3 then out[4] = redis.call('SMISMEMBER', KEYS[4], unpack(ARGV, 4)) end
return out`);

/**
 * Reads the sender address, its domain's identity, the template and who among the recipients
 * unsubscribed from the sender, in ONE round trip (one script) instead of four: SendEmail is the
 * hot path of the API. Guarantees the same answers as SenderAddressStore.get, IdentityStore.get
 * (existence), TemplateStore.get and SuppressionStore.unsubscribedAmong, read at one instant.
 */
export async function readSendContext(
  o: { redis: RedisClient; keys: Keys },
  q: { sender: string; templateId?: number | undefined; recipients: readonly string[] },
): Promise<SendContext> {
  const { keys } = o;
  const [rawSender, identity, rawTemplate, flags] = (await READ.run(
    o.redis,
    [keys.addresses, keys.identities, keys.templates, keys.unsubscribed(q.sender)],
    [normalizeEmail(q.sender), domainOf(q.sender).toLowerCase(), q.templateId === undefined ? '' : String(q.templateId), ...q.recipients.map(addressKey)],
  )) as [string | null, number, string | null, number[]];
  return {
    sender: rawSender === null ? undefined : decodeSenderAddress(rawSender),
    identityExists: identity === 1,
    template: rawTemplate === null ? undefined : decodeTemplate(rawTemplate),
    unsubscribed: new Set(q.recipients.filter((_, i) => flags[i] === 1)),
  };
}
