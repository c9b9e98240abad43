import type { Clock } from '@postmill/core';
import type { Keys } from './keys.ts';
import type { RedisClient } from './redis-client.ts';

/** What a worker says about the rate limit it sends under. */
export interface SendRateAnnouncement {
  /** The transport kind the worker sends through (outbox, smtp, tencent-ses, null). */
  readonly transport: string;
  /** Provider requests per second across all workers, or `unlimited`. */
  readonly perSecond: number | 'unlimited';
  /** The setting that decided it (SEND_RATE_PER_SECOND or the transport's own variable). */
  readonly setting: string;
  /** True when the transport's default applies (no variable was set). */
  readonly isDefault: boolean;
  /** When the worker announced it (epoch ms, the injected clock). */
  readonly announcedAtMs: number;
}

function parse(text: string | null): SendRateAnnouncement | undefined {
  if (text === null) return undefined;
  try {
    const a = JSON.parse(text) as Partial<SendRateAnnouncement>;
    const perSecondOk = a.perSecond === 'unlimited' || (typeof a.perSecond === 'number' && a.perSecond > 0);
    if (
      typeof a.transport !== 'string' ||
      !perSecondOk ||
      typeof a.setting !== 'string' ||
      typeof a.isDefault !== 'boolean' ||
      typeof a.announcedAtMs !== 'number'
    )
      return undefined;
    return a as SendRateAnnouncement;
  } catch {
    return undefined; // a damaged value reads as "nothing announced", never as an error for the caller
  }
}

/**
 * The send rate the workers run under, as they announce it in Redis, so the API can show it
 * (GetSendTask's SendRate) from what the workers do rather than from its own configuration.
 * Guarantees: one key (the deployment tag), written once per worker start; `latest` returns the
 * most recent worker's announcement, or undefined when no worker ever announced one or the value
 * is damaged. Workers on one Redis are meant to agree (the limiter of a transport is one budget
 * they all pace with their own rate); `announce` returns the announcement it replaced, so a worker
 * can say when it disagrees with the one started before it.
 */
export class SendRateStore {
  constructor(private readonly o: { redis: RedisClient; keys: Keys; clock: Clock }) {}

  /** Records this worker's rate; returns the previous announcement (undefined when none). */
  async announce(rate: Omit<SendRateAnnouncement, 'announcedAtMs'>): Promise<SendRateAnnouncement | undefined> {
    const value: SendRateAnnouncement = { ...rate, announcedAtMs: this.o.clock.now() };
    const previous = await this.o.redis.getset(this.o.keys.sendRate, JSON.stringify(value));
    return parse(previous);
  }

  /** The last announcement, or undefined. One GET. */
  async latest(): Promise<SendRateAnnouncement | undefined> {
    return parse(await this.o.redis.get(this.o.keys.sendRate));
  }
}
