import type { SendRate } from '@postmill/config';
import type { TransportKind } from '@postmill/core';
import { type RateLimiter, SharedRateLimiter, UnlimitedRateLimiter } from '@postmill/queue';
import type { Keys, RedisClient } from '@postmill/store';

/** Transports whose provider can answer "slow down" (SMTP 421/451/454, RequestLimitExceeded, Throttling.*, SendCloud's frequency limit). */
const THROTTLING_TRANSPORTS: ReadonlySet<TransportKind> = new Set(['smtp', 'tencent-ses', 'aliyun-dm', 'sendcloud']);

/**
 * The limiter a worker paces its transport with. Guarantees: a numeric rate gets the
 * SharedRateLimiter (one budget per transport across every worker on this Redis, as before);
 * `unlimited` gets the UnlimitedRateLimiter, which reserves nothing in Redis: for the outbox and
 * the null transport it sends no limiter command at all, and for SMTP or Tencent SES it still
 * shares the transport-wide pause a throttling answer sets (read once before each start).
 */
export function createSendLimiter(o: { redis: RedisClient; keys: Keys; transport: TransportKind; rate: SendRate }): RateLimiter {
  if (o.rate.perSecond !== 'unlimited') return new SharedRateLimiter({ redis: o.redis, keys: o.keys, name: o.transport, ratePerSecond: o.rate.perSecond });
  if (!THROTTLING_TRANSPORTS.has(o.transport)) return new UnlimitedRateLimiter();
  // Only its pause methods are used: the rate given here never paces a slot.
  return new UnlimitedRateLimiter({ pauses: new SharedRateLimiter({ redis: o.redis, keys: o.keys, name: o.transport, ratePerSecond: 1 }) });
}
