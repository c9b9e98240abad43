import type { Clock, MessageSpec, RecipientState } from '@postmill/core';
import { ledgerTransitionsLua, specRecipients, stateCode, stateCodeLua } from '@postmill/core';
import type { Keys } from './keys.ts';
import { LuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';
import { type IndexedMessage, StatusDayIndex, statusRowsOf } from './status-day-index.ts';

const NO_STATES: Readonly<Record<string, RecipientState>> = Object.freeze({});

// Writes an accepted message. KEYS: the spec, content and recipient-state keys (`{m:<id>}`).
// ARGV: ttl seconds, spec JSON, content JSON, then recipient/state pairs. Atomic as the MULTI it
// replaces: with noeviction, an out-of-memory refusal comes at its first write, so nothing is half
// written. Its day indexes are written by StatusDayIndex (`{d:<date>}`, another slot).
const ACCEPT = new LuaScript(`
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[1])
redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[1])
redis.call('HSET', KEYS[3], unpack(ARGV, 4))
redis.call('EXPIRE', KEYS[3], ARGV[1])
return 1`);

// Reads what a status page needs of one message. KEYS: its spec and recipient-state keys (one slot).
// Returns '' when the spec is gone (expired or unknown), else ONE JSON text `[spec, {recipient: state, ...}]`
// built from the stored JSON as it is (both were written by JSON.stringify): one bulk string and one
// JSON.parse per message instead of an array reply of 2r + 1 strings and r + 1 parses (a status
// page reads fifty messages; the reply strings and their parses were a third of its allocations).
const READ_FOR_STATUS = new LuaScript(`
local spec = redis.call('GET', KEYS[1])
if not spec then return '' end
local fields = redis.call('HGETALL', KEYS[2])
local out = { '[', spec, ',{' }
for i = 1, #fields, 2 do
  if i > 1 then out[#out + 1] = ',' end
  out[#out + 1] = cjson.encode(fields[i])
  out[#out + 1] = ':'
  out[#out + 1] = fields[i + 1]
end
out[#out + 1] = '}]'
return table.concat(out)`);

/** The part of a spec kept for status queries after delivery. */
type SpecMeta = Omit<MessageSpec, 'html' | 'text' | 'attachments' | 'headers'>;
type SpecContent = Pick<MessageSpec, 'html' | 'text' | 'attachments' | 'headers'>;

/** One row of a status page: a recipient of a message with its ledger state. */
export interface RecipientStatusRow {
  readonly messageId: string;
  readonly from: string;
  readonly recipient: string;
  readonly subject: string;
  readonly acceptedAt: number;
  readonly state: RecipientState;
}

export interface StatusQuery {
  /** Calendar date in the store's time zone (YYYY-MM-DD). */
  readonly date: string;
  readonly messageId?: string;
  readonly recipient?: string;
  readonly offset: number;
  readonly limit: number;
}

export interface MessageStoreOptions {
  readonly redis: RedisClient;
  readonly keys: Keys;
  readonly clock: Clock;
  /** Days a message and its statuses are kept. Default 30 (Tencent's documented window). */
  readonly retentionDays: number;
  /** Zone in which a message's calendar day is counted. Default Asia/Shanghai. */
  readonly timeZone: string;
}

/**
 * The per-message ledger behind SendEmail and GetSendEmailStatus. Guarantees: `accept` writes the
 * spec, the content and every recipient's `queued` state in ONE script (keys share the `{m:<id>}`
 * tag), so a message is either wholly recorded or not at all; every key expires after
 * the retention period; state writes only touch the recipients named.
 */
export class MessageStore {
  private readonly ttlSeconds: number;
  private readonly days: StatusDayIndex;
  constructor(private readonly o: MessageStoreOptions) {
    this.ttlSeconds = Math.max(1, Math.round(o.retentionDays * 86_400));
    this.days = new StatusDayIndex({
      redis: o.redis,
      keys: o.keys,
      ttlSeconds: this.ttlSeconds,
      timeZone: o.timeZone,
      readMessage: (id) => this.readForStatus(id),
    });
  }

  /**
   * Records an accepted message with all recipients `queued`, and indexes it by day and recipient.
   * Resolves only when Redis has acknowledged both writes; when either fails, whatever was written
   * is removed (best effort) and the error propagates.
   */
  async accept(spec: MessageSpec): Promise<void> {
    const { keys, redis } = this.o;
    const { html, text, attachments, headers, ...meta } = spec;
    const content: SpecContent = { html, text, attachments, headers } as SpecContent;
    const queued = JSON.stringify({ state: 'queued', queuedAt: spec.acceptedAt } satisfies RecipientState);
    const recipients = specRecipients(spec);
    const fields: string[] = [];
    for (const r of recipients) fields.push(r, queued);
    const id = spec.messageId;
    const messageKeys = [keys.messageSpec(id), keys.messageContent(id), keys.messageRecipients(id)];
    // One script per slot (`{m:<id>}`, `{d:<date>}`: every script stays in one slot, as a Cluster or
    // a sharding proxy requires), both sent at once: one round trip.
    const written = await Promise.allSettled([
      ACCEPT.run(redis, messageKeys, [this.ttlSeconds, JSON.stringify(meta), JSON.stringify(content), ...fields]),
      this.days.add(spec),
    ]);
    const failed = written.find((w) => w.status === 'rejected');
    if (failed) {
      await this.discard(spec).catch(() => undefined); // the write error is what the caller needs
      throw failed.reason;
    }
  }

  /**
   * Removes a message that could not be queued (so it never shows as accepted): its keys go, and its
   * day rows become a tombstone that pages skip and counts leave out (StatusDayIndex.discard), also
   * when its day index is written only afterwards.
   */
  async discard(spec: MessageSpec): Promise<void> {
    const { keys, redis } = this.o;
    const id = spec.messageId;
    await redis.del(keys.messageSpec(id), keys.messageContent(id), keys.messageRecipients(id));
    await this.days.discard(spec);
  }

  /** The full spec, or undefined when expired/unknown or its content was already dropped. */
  async getSpec(messageId: string): Promise<MessageSpec | undefined> {
    const [meta, content] = await Promise.all([this.getMeta(messageId), this.o.redis.get(this.o.keys.messageContent(messageId))]);
    if (!meta || content === null) return undefined;
    return { ...meta, ...(JSON.parse(content) as SpecContent) };
  }

  async getMeta(messageId: string): Promise<SpecMeta | undefined> {
    const raw = await this.o.redis.get(this.o.keys.messageSpec(messageId));
    return raw === null ? undefined : (JSON.parse(raw) as SpecMeta);
  }

  /** Every recipient's current state. */
  async getRecipients(messageId: string): Promise<Map<string, RecipientState>> {
    const raw = await this.o.redis.hgetall(this.o.keys.messageRecipients(messageId));
    return new Map(Object.entries(raw).map(([r, s]) => [r, JSON.parse(s) as RecipientState]));
  }

  /**
   * A message's metadata and recipient states as one status page needs them, in ONE command on the
   * message's slot (a page reads one per message, so a page of 100 rows costs about 65 commands,
   * not twice that). Meta undefined when the message expired or is unknown.
   */
  private async readForStatus(messageId: string): Promise<IndexedMessage> {
    const { keys, redis } = this.o;
    const text = (await READ_FOR_STATUS.run(redis, [keys.messageSpec(messageId), keys.messageRecipients(messageId)], [])) as string | null;
    if (!text) return { meta: undefined, states: NO_STATES };
    const [meta, states] = JSON.parse(text) as [SpecMeta, Record<string, RecipientState>];
    return { meta, states };
  }

  /**
   * Changes the given recipients' states by compare-and-set, in ONE script on the message's slot:
   * each change is applied only when the one ledger transition table allows it from the state
   * Redis holds at that moment (never from the caller's possibly stale view), so a late answer of
   * a job that lost its lock can never overwrite `sent`. A recipient the message does not have (or
   * a message already expired) is refused, so no key is ever created here (the ledger keeps the
   * TTL `accept` gave it). Resolves with what was applied and, for each refused change, the state
   * Redis holds (undefined when the recipient is unknown).
   */
  async setStates(messageId: string, states: ReadonlyMap<string, RecipientState>): Promise<StateChanges> {
    const applied = new Map<string, RecipientState>();
    const refused = new Map<string, RecipientState | undefined>();
    if (states.size === 0) return { applied, refused };
    const args: (string | number)[] = [];
    for (const [r, s] of states) args.push(r, stateCode(s), JSON.stringify(s));
    const verdicts = (await SET_STATES.run(this.o.redis, [this.o.keys.messageRecipients(messageId)], args)) as (number | string)[];
    let i = 0;
    for (const [r, s] of states) {
      const verdict = verdicts[i++];
      if (verdict === 1) applied.set(r, s);
      else refused.set(r, typeof verdict === 'string' ? (JSON.parse(verdict) as RecipientState) : undefined);
    }
    return { applied, refused };
  }

  /** Drops bodies and attachments once nothing more will be sent (the status stays queryable). */
  async dropContent(messageId: string): Promise<void> {
    await this.o.redis.del(this.o.keys.messageContent(messageId));
  }

  /**
   * How many rows `queryStatus` would list without offset and limit (to page across sources):
   * the day's counters, never a recount (StatusDayIndex).
   */
  async countStatus(q: Omit<StatusQuery, 'offset' | 'limit'>): Promise<number> {
    return this.days.count(q);
  }

  /**
   * The rows of one message whatever its day (optionally one recipient's, any case), in recipient
   * order: ONE command. None when the message expired or is unknown.
   */
  async queryMessage(messageId: string, recipient?: string): Promise<RecipientStatusRow[]> {
    return statusRowsOf(messageId, await this.readForStatus(messageId), recipient);
  }

  /**
   * Rows for GetSendEmailStatus, in the order the day index recorded the messages (their acceptance
   * order) then recipient order. Reads only the page: O(log n + page) for any filter and Offset.
   */
  async queryStatus(q: StatusQuery): Promise<RecipientStatusRow[]> {
    return this.days.query(q);
  }
}

// Compare-and-set of recipient states. KEYS[1] the message's recipient-state hash. ARGV: triples
// (recipient, ledger code of the new state (stateCode), new state JSON). For each, in order: the
// stored state's code is derived from its JSON (stateCodeLua) and the new state is written only
// when LEDGER_TRANSITIONS allows that move; answers per triple 1 (applied), the stored JSON
// (refused), or 0 (no such recipient: nothing written, so no key is ever created without its TTL).
const SET_STATES = new LuaScript(`
local allowed = ${ledgerTransitionsLua()}
local codeOf = ${stateCodeLua()}
local out = {}
for i = 1, #ARGV, 3 do
  local cur = redis.call('HGET', KEYS[1], ARGV[i])
  local verdict = 0
  if cur then
    local ok, parsed = pcall(cjson.decode, cur)
    local from = nil
    if ok then from = codeOf(parsed) end
    local to = tonumber(ARGV[i + 1])
    if from ~= nil and allowed[from] ~= nil and allowed[from][to] then
      redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2])
      verdict = 1
    else
      verdict = cur
    end
  end
  out[#out + 1] = verdict
end
return out`);

/** What `setStates` did: the changes applied, and for each refused one the state Redis holds. */
export interface StateChanges {
  /** Changes the transition table allowed from the stored state; they are now in Redis. */
  readonly applied: Map<string, RecipientState>;
  /** Refused changes: recipient → the state Redis holds (unchanged), undefined when it has none. */
  readonly refused: Map<string, RecipientState | undefined>;
}
