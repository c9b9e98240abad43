import type { Clock, MessageSpec, RecipientState } from '@postmill/core';
import { calendarDate, ledgerTransitionsLua, specRecipients, stateCode, stateCodeLua } from '@postmill/core';
import type { Keys } from './keys.ts';
import { LuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';

/** Messages whose recipient counts are read at once by `countStatus`. */
const COUNT_BATCH = 500;

// Writes an accepted message and/or its day indexes. KEYS: when ARGV[2] is '1', the spec, content
// and recipient-state keys (`{m:<id>}`) first; then any number of day index keys (`{d:<date>}`).
// ARGV: ttl seconds, '1'|'0', spec JSON, content JSON, score (acceptedAt), messageId, then
// recipient/state pairs. Atomic as the MULTIs it replaces: with noeviction, an out-of-memory
// refusal comes at its first write, so nothing is half written.
const ACCEPT = new LuaScript(`
local first = 1
if ARGV[2] == '1' then
  redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[1])
  redis.call('SET', KEYS[2], ARGV[4], 'EX', ARGV[1])
  redis.call('HSET', KEYS[3], unpack(ARGV, 7))
  redis.call('EXPIRE', KEYS[3], ARGV[1])
  first = 4
end
for i = first, #KEYS do
  redis.call('ZADD', KEYS[i], ARGV[5], ARGV[6])
  redis.call('EXPIRE', KEYS[i], ARGV[1])
end
return 1`);

/** The part of a spec kept for status queries after delivery. */
type SpecMeta = Omit<MessageSpec, 'html' | 'text' | 'attachments' | 'headers'>;
type SpecContent = Pick<MessageSpec, 'html' | 'text' | 'attachments' | 'headers'>;

/** One row of GetSendEmailStatus: a recipient of a message with its ledger state. */
export interface RecipientStatusRow {
  readonly messageId: string;
  readonly from: string;
  readonly recipient: string;
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
  constructor(private readonly o: MessageStoreOptions) {
    this.ttlSeconds = Math.max(1, Math.round(o.retentionDays * 86_400));
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
    const date = calendarDate(spec.acceptedAt, this.o.timeZone);
    const messageKeys = [keys.messageSpec(id), keys.messageContent(id), keys.messageRecipients(id)];
    const dayKeys = [keys.statusDay(date), ...recipients.map((r) => keys.statusDayRecipient(date, r))];
    const score = String(spec.acceptedAt);
    // One script per slot (`{m:<id>}`, `{d:<date>}`: every script stays in one slot, as a Cluster or
    // a sharding proxy requires), both sent at once: one round trip.
    const written = await Promise.allSettled([
      ACCEPT.run(redis, messageKeys, [this.ttlSeconds, '1', JSON.stringify(meta), JSON.stringify(content), score, id, ...fields]),
      ACCEPT.run(redis, dayKeys, [this.ttlSeconds, '0', '', '', score, id]),
    ]);
    const failed = written.find((w) => w.status === 'rejected');
    if (failed) {
      await this.discard(spec).catch(() => undefined); // the write error is what the caller needs
      throw failed.reason;
    }
  }

  /** Removes a message that could not be queued (so it never shows as accepted). */
  async discard(spec: MessageSpec): Promise<void> {
    const { keys, redis } = this.o;
    const id = spec.messageId;
    await redis.del(keys.messageSpec(id), keys.messageContent(id), keys.messageRecipients(id));
    const date = calendarDate(spec.acceptedAt, this.o.timeZone);
    const day = redis.multi().zrem(keys.statusDay(date), id);
    for (const r of specRecipients(spec)) day.zrem(keys.statusDayRecipient(date, r), id);
    await day.exec();
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

  /** How many rows `queryStatus` would list without offset and limit (to page across sources). */
  async countStatus(q: Omit<StatusQuery, 'offset' | 'limit'>): Promise<number> {
    const { keys, redis } = this.o;
    if (q.messageId !== undefined) {
      if ((await redis.zscore(keys.statusDay(q.date), q.messageId)) === null) return 0;
      if (q.recipient !== undefined) return (await redis.hexists(keys.messageRecipients(q.messageId), q.recipient)) ? 1 : 0;
      return redis.hlen(keys.messageRecipients(q.messageId));
    }
    if (q.recipient !== undefined) return redis.zcard(keys.statusDayRecipient(q.date, q.recipient));
    const ids = await redis.zrange(keys.statusDay(q.date), '0', '-1');
    // Each message has its own `{m:<id>}` slot, so no pipeline may hold two of them on a Cluster
    // (ioredis refuses a pipeline that spans nodes). Separate commands in flight together cost the
    // same round trips on a single Redis; batches bound what is in flight at once.
    let total = 0;
    for (let i = 0; i < ids.length; i += COUNT_BATCH) {
      const counts = await Promise.all(ids.slice(i, i + COUNT_BATCH).map((id) => redis.hlen(keys.messageRecipients(id))));
      total += counts.reduce((sum, n) => sum + n, 0);
    }
    return total;
  }

  /** Rows for GetSendEmailStatus, in acceptance order then recipient order. */
  async queryStatus(q: StatusQuery): Promise<RecipientStatusRow[]> {
    const { keys, redis } = this.o;
    let ids: string[];
    if (q.messageId !== undefined) {
      const score = await redis.zscore(keys.statusDay(q.date), q.messageId);
      ids = score === null ? [] : [q.messageId];
    } else if (q.recipient !== undefined) {
      ids = await redis.zrange(keys.statusDayRecipient(q.date, q.recipient), "0", "-1");
    } else {
      ids = await redis.zrange(keys.statusDay(q.date), "0", "-1");
    }
    const rows: RecipientStatusRow[] = [];
    let skip = q.offset;
    for (const id of ids) {
      if (rows.length >= q.limit) break;
      const [meta, states] = await Promise.all([this.getMeta(id), this.getRecipients(id)]);
      if (!meta) continue;
      const order = specRecipients({ ...meta, html: undefined, text: undefined, attachments: [], headers: {} } as unknown as MessageSpec);
      for (const recipient of order) {
        if (q.recipient !== undefined && recipient.toLowerCase() !== q.recipient.toLowerCase()) continue;
        const state = states.get(recipient);
        if (!state) continue;
        if (skip > 0) {
          skip--;
          continue;
        }
        rows.push({ messageId: id, from: meta.from.address, recipient, acceptedAt: meta.acceptedAt, state });
        if (rows.length >= q.limit) break;
      }
    }
    return rows;
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
