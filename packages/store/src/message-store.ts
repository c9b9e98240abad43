import type { Clock, MessageSpec, RecipientState } from '@postmill/core';
import { calendarDate, ledgerTransitionsLua, specRecipients, stateCode, stateCodeLua } from '@postmill/core';
import type { Keys } from './keys.ts';
import { LuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';
import { type IndexedMessage, StatusDayIndex, statusRowsOf } from './status-day-index.ts';

const NO_STATES: Readonly<Record<string, RecipientState>> = Object.freeze({});

// A message is ONE hash (keys.messageSpec, tag `{m:<id>}`): the fields below hold its metadata,
// its content (bodies, attachments, headers: dropped once nothing more will be sent) and its
// recipients' names; every other field is a recipient's ledger state. A recipient is an address
// (it holds an '@'), so it can never be one of these names, and setStates refuses any name that
// starts with ':'.
const META = ':meta';
const CONTENT = ':content';
const RECIPIENTS = ':to';
// Recipients in RECIPIENTS are joined by a newline, which no accepted address contains.
const RECIPIENT_SEPARATOR = '\n';

// Writes an accepted message: ONE HSET (metadata, content, the recipients' names, every
// recipient queued) and its EXPIRE. KEYS[1] the message hash. ARGV: ttl seconds, metadata JSON,
// content JSON, the recipients joined by a newline, then recipient/state pairs. With noeviction an
// out-of-memory refusal comes at the HSET, so nothing is half written.
const ACCEPT = new LuaScript(`
redis.call('HSET', KEYS[1], '${META}', ARGV[2], '${CONTENT}', ARGV[3], '${RECIPIENTS}', ARGV[4], unpack(ARGV, 5))
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1`);

// Indexes an accepted message under its day, in the layout and with the guarantees of
// status-day-scripts' INDEX_MESSAGE (a message discarded before it was indexed is never indexed;
// indexing it again changes nothing), in fewer commands: the row index and its counter get their
// TTL once, when the day's first message creates them, long enough to outlive every message of
// the day (ARGV[1]), not on every write; "already indexed" is the answer of the ZADD NX that
// indexes a new message (no ZSCORE before it); a per-recipient key gets the message TTL on every write
// (ARGV[2]), as its last write is its last message. A tagged message also takes the next rows of
// its tag's index (its own counter, created with its TTL the same way), as INDEX_MESSAGE does.
// KEYS: rows, count, discarded, then (a tagged message) the tag's rows, count and discarded, then
// one per-recipient key each. ARGV: day-index ttl, message ttl, messageId, row count, number of tag
// keys (0 or 3), then per per-recipient key the message positions of its recipients,
// comma-separated. Returns the first row, or -1 when the message was discarded.
const INDEX_MESSAGE_ONCE = new LuaScript(`
local id = ARGV[3]
if redis.call('HEXISTS', KEYS[3], id) == 1 then return -1 end
local rows = tonumber(ARGV[4])
local start = redis.call('INCRBY', KEYS[2], rows) - rows
if start == 0 then redis.call('EXPIRE', KEYS[2], ARGV[1]) end
if redis.call('ZADD', KEYS[1], 'NX', start, id) == 0 then
  -- Indexed before: give the rows back (nothing ran in between: a script is atomic) and change nothing.
  redis.call('DECRBY', KEYS[2], rows)
  return tonumber(redis.call('ZSCORE', KEYS[1], id))
end
if start == 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local tagKeys = tonumber(ARGV[5])
if tagKeys == 3 then
  local tagStart = redis.call('INCRBY', KEYS[5], rows) - rows
  redis.call('ZADD', KEYS[4], tagStart, id)
  if tagStart == 0 then
    redis.call('EXPIRE', KEYS[4], ARGV[1])
    redis.call('EXPIRE', KEYS[5], ARGV[1])
  end
end
for i = 4 + tagKeys, #KEYS do
  for pos in string.gmatch(ARGV[i + 2 - tagKeys], '%d+') do
    redis.call('ZADD', KEYS[i], start + tonumber(pos), pos .. ':' .. id)
  end
  redis.call('EXPIRE', KEYS[i], ARGV[2])
end
return start`);

// Lua: the recipient states of the message hash KEYS[1] as the table 'names, states' (states[i] nil
// or false when names[i] has none), read by one HGET of the names and one HMGET.
const READ_STATES_LUA = `
local function readStates(key, list)
  local names = {}
  if list then for r in string.gmatch(list, '[^\\n]+') do names[#names + 1] = r end end
  if #names == 0 then return names, {} end
  return names, redis.call('HMGET', key, unpack(names))
end`;

// Reads what a status page needs of one message. KEYS[1]: its hash. Returns '' when it is gone
// (expired or unknown), else ONE JSON text '[meta, {recipient: state, ...}]' built from the stored
// JSON as it is (all written by JSON.stringify): one bulk string and one JSON.parse per message
// (a status page reads fifty messages; reply strings and their parses were a third of its
// allocations). Two commands; the content is never read.
const READ_FOR_STATUS = new LuaScript(`${READ_STATES_LUA}
local head = redis.call('HMGET', KEYS[1], '${META}', '${RECIPIENTS}')
if not head[1] then return '' end
local names, states = readStates(KEYS[1], head[2])
local out = { '[', head[1], ',{' }
local n = 0
for i = 1, #names do
  if states[i] then
    if n > 0 then out[#out + 1] = ',' end
    n = n + 1
    out[#out + 1] = cjson.encode(names[i])
    out[#out + 1] = ':'
    out[#out + 1] = states[i]
  end
end
out[#out + 1] = '}]'
return table.concat(out)`);

// Every recipient state of one message. KEYS[1]: its hash. Returns [recipient, state JSON, ...].
const READ_RECIPIENTS = new LuaScript(`${READ_STATES_LUA}
local names, states = readStates(KEYS[1], redis.call('HGET', KEYS[1], '${RECIPIENTS}'))
local out = {}
for i = 1, #names do
  if states[i] then
    out[#out + 1] = names[i]
    out[#out + 1] = states[i]
  end
end
return out`);

/** Seconds a day index outlives its retention: the longest calendar day (25 h with a DST change). */
const DAY_INDEX_SLACK_SECONDS = 25 * 3_600;

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
 * metadata, the content and every recipient's `queued` state as ONE hash in one script (tag
 * `{m:<id>}`), so a message is either wholly recorded or not at all; every key expires after
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
    const { keys, redis, timeZone } = this.o;
    const id = spec.messageId;
    const recipients = specRecipients(spec);
    const queued = JSON.stringify({ state: 'queued', queuedAt: spec.acceptedAt } satisfies RecipientState);
    const messageArgs: (string | number)[] = [this.ttlSeconds, metaJson(spec), contentJson(spec), recipients.join(RECIPIENT_SEPARATOR)];
    const date = calendarDate(spec.acceptedAt, timeZone);
    const dayKeys = [keys.statusDayRows(date), keys.statusDayRowCount(date), keys.statusDayDiscarded(date)];
    if (spec.tag !== undefined)
      dayKeys.push(keys.statusDayTagRows(date, spec.tag), keys.statusDayTagRowCount(date, spec.tag), keys.statusDayTagDiscarded(date, spec.tag));
    const dayArgs: (string | number)[] = [this.ttlSeconds + DAY_INDEX_SLACK_SECONDS, this.ttlSeconds, id, recipients.length, dayKeys.length - 3];
    // Recipients that differ only in case share one per-recipient key (the status filter ignores case).
    const positions = new Map<string, string>();
    for (let pos = 0; pos < recipients.length; pos++) {
      const r = recipients[pos] as string;
      messageArgs.push(r, queued);
      const key = keys.statusDayRecipientRows(date, r);
      const seen = positions.get(key);
      positions.set(key, seen === undefined ? String(pos) : `${seen},${pos}`);
    }
    for (const [key, list] of positions) {
      dayKeys.push(key);
      dayArgs.push(list);
    }
    // One script per slot (`{m:<id>}`, `{d:<date>}`: every script stays in one slot, as a Cluster or
    // a sharding proxy requires), both sent at once: one round trip.
    const written = await Promise.allSettled([ACCEPT.run(redis, [keys.messageSpec(id)], messageArgs), INDEX_MESSAGE_ONCE.run(redis, dayKeys, dayArgs)]);
    const failed = written[0].status === 'rejected' ? written[0] : written[1].status === 'rejected' ? written[1] : undefined;
    if (failed) {
      await this.discard(spec).catch(() => undefined); // the write error is what the caller needs
      throw failed.reason;
    }
  }

  /**
   * Removes a message that could not be queued (so it never shows as accepted): its hash goes, and
   * its day rows become a tombstone that pages skip and counts leave out (StatusDayIndex.discard),
   * also when its day index is written only afterwards.
   */
  async discard(spec: MessageSpec): Promise<void> {
    await this.o.redis.del(this.o.keys.messageSpec(spec.messageId));
    await this.days.discard(spec);
  }

  /** The full spec, or undefined when expired/unknown or its content was already dropped. */
  async getSpec(messageId: string): Promise<MessageSpec | undefined> {
    const [meta, content] = await this.o.redis.hmget(this.o.keys.messageSpec(messageId), META, CONTENT);
    if (meta == null || content == null) return undefined;
    return Object.assign(JSON.parse(meta) as SpecMeta, JSON.parse(content) as SpecContent);
  }

  async getMeta(messageId: string): Promise<SpecMeta | undefined> {
    const raw = await this.o.redis.hget(this.o.keys.messageSpec(messageId), META);
    return raw === null ? undefined : (JSON.parse(raw) as SpecMeta);
  }

  /** Every recipient's current state. */
  async getRecipients(messageId: string): Promise<Map<string, RecipientState>> {
    const flat = (await READ_RECIPIENTS.run(this.o.redis, [this.o.keys.messageSpec(messageId)], [])) as string[];
    const states = new Map<string, RecipientState>();
    for (let i = 0; i + 1 < flat.length; i += 2) states.set(flat[i] as string, JSON.parse(flat[i + 1] as string) as RecipientState);
    return states;
  }

  /**
   * A message's metadata and recipient states as one status page needs them, in ONE script on the
   * message's slot (two commands; a page reads one per message). Meta undefined when the message
   * expired or is unknown.
   */
  private async readForStatus(messageId: string): Promise<IndexedMessage> {
    const text = (await READ_FOR_STATUS.run(this.o.redis, [this.o.keys.messageSpec(messageId)], [])) as string | null;
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
    const verdicts = (await SET_STATES.run(this.o.redis, [this.o.keys.messageSpec(messageId)], args)) as (number | string)[];
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
    await this.o.redis.hdel(this.o.keys.messageSpec(messageId), CONTENT);
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

// Compare-and-set of recipient states. KEYS[1] the message's hash. ARGV: triples
// (recipient, ledger code of the new state (stateCode), new state JSON). For each, in order: the
// stored state's code is derived from its JSON (stateCodeLua) and the new state is written only
// when LEDGER_TRANSITIONS allows that move; answers per triple 1 (applied), the stored JSON
// (refused), or 0 (no such recipient, or a name of the message's own fields: nothing written, so no
// key is ever created without its TTL).
const SET_STATES = new LuaScript(`
local allowed = ${ledgerTransitionsLua()}
local codeOf = ${stateCodeLua()}
local out = {}
for i = 1, #ARGV, 3 do
  local cur = false
  if string.sub(ARGV[i], 1, 1) ~= ':' then cur = redis.call('HGET', KEYS[1], ARGV[i]) end
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

// The metadata and the content of a spec, each as one JSON text, built field by field (no rest
// copy of the spec): the metadata is what status pages read, the content what delivery reads and
// dropContent removes.
function metaJson(spec: MessageSpec): string {
  const meta: Record<string, unknown> = {};
  for (const field in spec) if (!CONTENT_FIELDS.has(field)) meta[field] = spec[field as keyof MessageSpec];
  return JSON.stringify(meta);
}

function contentJson(spec: MessageSpec): string {
  return JSON.stringify({ html: spec.html, text: spec.text, attachments: spec.attachments, headers: spec.headers });
}

const CONTENT_FIELDS: ReadonlySet<string> = new Set<keyof SpecContent>(['html', 'text', 'attachments', 'headers']);
