import { addressKey, domainOf, normalizeEmail } from '@postmill/core';
import type { Keys } from './keys.ts';
import { LuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';
import { sendContextVersionKey } from './send-context-version.ts';
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

// KEYS: sender addresses, identities, templates, the sender's unsubscribed set, the send-context
// version (all under the deployment tag: one slot). ARGV: canonical sender address, domain,
// template id or '', the version the caller holds the sender, identity and template at ('' for
// none), '1' when the sender had unsubscribes at that version, then the recipients' addressKeys.
// Returns [version, unsubscribed flags] when the caller's version is current (the flags read only
// when the sender has unsubscribes), else [version, flags, sender, identity exists, template,
// sender has unsubscribes]: the version and what it stamps are read at one instant. Reads only;
// false stands for "absent" (a Lua nil would end the table).
const READ = new LuaScript(`
local version = redis.call('GET', KEYS[5]) or '0'
local current = version == ARGV[4]
local flags = {}
if #ARGV > 5 and (ARGV[5] == '1' or not current) then flags = redis.call('SMISMEMBER', KEYS[4], unpack(ARGV, 6)) end
if current then return { version, flags } end
local out = { version, flags, redis.call('HGET', KEYS[1], ARGV[1]), redis.call('HEXISTS', KEYS[2], ARGV[2]), false, redis.call('EXISTS', KEYS[4]) }
if ARGV[3] ~= '' then out[5] = redis.call('HGET', KEYS[3], ARGV[3]) end
return out`);

/** A sender, identity and template (and whether the sender has unsubscribes) as read at one version of the send context. */
interface Stamped {
  readonly version: string;
  readonly sender: SenderAddressRecord | undefined;
  readonly identityExists: boolean;
  readonly template: TemplateRecord | undefined;
  /** Whether anybody had unsubscribed from the sender (else the unsubscribes need no read). */
  readonly anyUnsubscribed: boolean;
}

export interface SendContextReaderOptions {
  readonly redis: RedisClient;
  readonly keys: Keys;
  /** Most (sender, template) pairs whose last read is kept. Default 1,024. */
  readonly maxKept?: number;
}

/**
 * Reads the sender address, its domain's identity, the template and who among the recipients
 * unsubscribed from the sender, in ONE round trip (one script): SendEmail is the hot path of the
 * API. Guarantees the same answers as SenderAddressStore.get, IdentityStore.get (existence),
 * TemplateStore.get and SuppressionStore.unsubscribedAmong, read at one instant: the sender,
 * identity and template this process read before are used only when the script finds the
 * send-context version (sendContextVersionKey) unchanged since, in the same step that reads the
 * unsubscribes, so every answer is what Redis holds then; otherwise they are read again in that
 * script. A current read costs one command (the GET; SMISMEMBER too when the sender has
 * unsubscribes) instead of four, and no decode.
 */
export class SendContextReader {
  private readonly kept = new Map<string, Stamped>();
  private readonly maxKept: number;

  constructor(private readonly o: SendContextReaderOptions) {
    this.maxKept = Math.max(1, o.maxKept ?? 1024);
  }

  async read(q: { sender: string; templateId?: number | undefined; recipients: readonly string[] }): Promise<SendContext> {
    const { keys } = this.o;
    const sender = normalizeEmail(q.sender);
    const template = q.templateId === undefined ? '' : String(q.templateId);
    const pair = `${sender}\n${template}`;
    const known = this.kept.get(pair);
    const args: string[] = [sender, domainOf(q.sender).toLowerCase(), template, known?.version ?? '', known?.anyUnsubscribed ? '1' : ''];
    for (const r of q.recipients) args.push(addressKey(r));
    const reply = (await READ.run(
      this.o.redis,
      [keys.addresses, keys.identities, keys.templates, keys.unsubscribed(q.sender), sendContextVersionKey(keys)],
      args,
    )) as [string, number[], (string | null)?, number?, (string | null)?, number?];
    const [version, flags] = reply;
    let stamped = known;
    if (stamped === undefined || stamped.version !== version) {
      const [, , rawSender, identity, rawTemplate, anyUnsubscribed] = reply;
      stamped = {
        version,
        sender: rawSender == null ? undefined : decodeSenderAddress(rawSender),
        identityExists: identity === 1,
        template: rawTemplate == null ? undefined : decodeTemplate(rawTemplate),
        anyUnsubscribed: anyUnsubscribed === 1,
      };
      this.kept.delete(pair); // re-inserted last: when full, the map forgets the pair stored longest ago
      this.kept.set(pair, stamped);
      if (this.kept.size > this.maxKept) this.kept.delete(this.kept.keys().next().value as string);
    }
    const unsubscribed = new Set<string>();
    for (let i = 0; i < q.recipients.length; i++) if (flags[i] === 1) unsubscribed.add(q.recipients[i] as string);
    return { sender: stamped.sender, identityExists: stamped.identityExists, template: stamped.template, unsubscribed };
  }
}

/** One read of the send context, without a reader's memory (SendContextReader.read with nothing kept). */
export async function readSendContext(
  o: { redis: RedisClient; keys: Keys },
  q: { sender: string; templateId?: number | undefined; recipients: readonly string[] },
): Promise<SendContext> {
  return new SendContextReader(o).read(q);
}
