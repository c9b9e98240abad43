import { addressKey } from '@postmill/core';
import type { Keys } from './keys.ts';
import { LuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';

/** What was tracked. */
export type TrackingKind = 'open' | 'click';
/** Who fetched: a person's mail program, or a machine (a bot, a link scanner, a privacy proxy prefetching images). */
export type TrackingSource = 'human' | 'machine';

/** One fetch of a pixel or a tracked link. */
export interface TrackingHit {
  readonly messageId: string;
  readonly recipient: string;
  readonly kind: TrackingKind;
  readonly source: TrackingSource;
  /** Epoch ms. */
  readonly at: number;
}

/** Total fetches and distinct recipients who fetched, for one kind and source. */
export interface TrackingCount {
  readonly total: number;
  readonly unique: number;
}

/** A message's (or one recipient's) counts, people and machines apart. */
export interface TrackingCounts {
  readonly opens: TrackingCount;
  readonly clicks: TrackingCount;
  readonly machineOpens: TrackingCount;
  readonly machineClicks: TrackingCount;
  /** Epoch ms of the first open / click by a person (absent: none yet). */
  readonly firstOpenAt?: number;
  readonly firstClickAt?: number;
}

export interface TrackingStoreOptions {
  readonly redis: RedisClient;
  readonly keys: Keys;
  /** Days a message's counters are kept after its last hit (TRACKING_RETENTION_DAYS). Default 90. */
  readonly retentionDays?: number;
}

const KIND = { open: 'o', click: 'c' } as const;
const SOURCE = { human: 'h', machine: 'm' } as const;

// KEYS[1] the message's HASH. ARGV: kind+source ("oh", "cm", …), recipient key, at, ttl seconds.
// Fields: `<ks>|r|<rcpt>` → the recipient's total, `<ks>|f|<rcpt>` → first hit (ms),
// `<ks>|total`, `<ks>|unique`. One key, so one slot; atomic, so two concurrent first hits count
// one unique. Returns 1 for the recipient's first hit of this kind and source.
const HIT = new LuaScript(`
local ks, rcpt = ARGV[1], ARGV[2]
local n = redis.call('HINCRBY', KEYS[1], ks .. '|r|' .. rcpt, 1)
redis.call('HINCRBY', KEYS[1], ks .. '|total', 1)
if n == 1 then
  redis.call('HINCRBY', KEYS[1], ks .. '|unique', 1)
  redis.call('HSET', KEYS[1], ks .. '|f|' .. rcpt, ARGV[3])
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return n == 1 and 1 or 0
`);

/**
 * Open and click counters per message and recipient. Layout: one HASH per message,
 * `<prefix>:{tk:<messageId>}:tracking` (hash-tagged by message, so messages spread across Cluster
 * slots), written by one script per hit. Guarantees: totals never lose an increment; `unique`
 * counts each recipient once per kind and source, however many hits race; people and machines
 * are counted apart; a message's counters expire `retentionDays` after its last hit; reads never write.
 * Assumption: a message's hash holds 4 fields per (recipient, kind, source) that was hit, bounded
 * by the message's recipients.
 */
export class TrackingStore {
  private readonly ttlSeconds: number;

  constructor(private readonly o: TrackingStoreOptions) {
    this.ttlSeconds = Math.max(1, Math.round((o.retentionDays ?? 90) * 86_400));
  }

  private key(messageId: string): string {
    return `${this.o.keys.prefix}:{tk:${messageId}}:tracking`;
  }

  /** Counts one hit; `first` is true for this recipient's first hit of this kind from this source. */
  async record(hit: TrackingHit): Promise<{ first: boolean }> {
    const ks = `${KIND[hit.kind]}${SOURCE[hit.source]}`;
    const first = await HIT.run(this.o.redis, [this.key(hit.messageId)], [ks, addressKey(hit.recipient), hit.at, this.ttlSeconds]);
    return { first: first === 1 };
  }

  /** The message's counts, or one recipient's (unique is then 0 or 1). */
  async counts(messageId: string, recipient?: string): Promise<TrackingCounts> {
    const rcpt = recipient === undefined ? undefined : addressKey(recipient);
    const pairs = ['oh', 'ch', 'om', 'cm'] as const;
    const fields = pairs.flatMap((ks) => (rcpt === undefined ? [`${ks}|total`, `${ks}|unique`] : [`${ks}|r|${rcpt}`, `${ks}|f|${rcpt}`]));
    const values = await this.o.redis.hmget(this.key(messageId), ...fields);
    const num = (i: number) => Number(values[i] ?? 0);
    const count = (j: number): TrackingCount =>
      rcpt === undefined ? { total: num(2 * j), unique: num(2 * j + 1) } : { total: num(2 * j), unique: values[2 * j + 1] ? 1 : 0 };
    // For one recipient, the second field of each pair is the time of its first hit.
    const firstOpen = rcpt === undefined ? undefined : values[1];
    const firstClick = rcpt === undefined ? undefined : values[3];
    return {
      opens: count(0),
      clicks: count(1),
      machineOpens: count(2),
      machineClicks: count(3),
      ...(firstOpen ? { firstOpenAt: Number(firstOpen) } : {}),
      ...(firstClick ? { firstClickAt: Number(firstClick) } : {}),
    };
  }
}
