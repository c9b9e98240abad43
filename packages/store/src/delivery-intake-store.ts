import type { Keys } from './keys.ts';
import { LuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';

// KEYS[1] intake, KEYS[2] claimed, KEYS[3] lease. ARGV[1] token, ARGV[2] batch size, ARGV[3] lease ms.
// Renews the lease, tops the claimed list up from the head of the intake to `batch` ids, and
// answers the claimed list's first `batch` ids; false when the lease is not the caller's.
const CLAIM = new LuaScript(`
if redis.call('GET', KEYS[3]) ~= ARGV[1] then return false end
redis.call('PEXPIRE', KEYS[3], ARGV[3])
local batch = tonumber(ARGV[2])
local want = batch - redis.call('LLEN', KEYS[2])
if want > 0 then
  local moved = redis.call('LRANGE', KEYS[1], 0, want - 1)
  if #moved > 0 then
    redis.call('RPUSH', KEYS[2], unpack(moved))
    redis.call('LTRIM', KEYS[1], #moved, -1)
  end
end
return redis.call('LRANGE', KEYS[2], 0, batch - 1)`);

// KEYS[1] claimed, KEYS[2] lease. ARGV[1] token, ARGV[2] count, ARGV[3] lease ms.
// Drops the first `count` claimed ids (the ones the caller read and queued); ids a stale pump's
// blocking wait appended meanwhile sit behind them and stay. 0 when the lease is not the caller's.
const ACK = new LuaScript(`
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('LTRIM', KEYS[1], tonumber(ARGV[2]), -1)
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1`);

// KEYS[1] lease. ARGV[1] token.
const RELEASE = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`);

/**
 * The delivery intake: message ids accepted by the API whose delivery job is still to be created,
 * a transactional outbox between the ledger and BullMQ. The API only appends (one RPUSH); one
 * pump at a time (the holder of a lease) moves ids into a claimed list, queues their jobs and then
 * drops exactly the ids it read. Guarantees:
 * - an id leaves the intake only into the claimed list, and leaves that only after the pump that
 *   read it queued its job (or the job already existed); a pump that dies at any point leaves its
 *   ids claimed, and the next lease holder queues them again (job ids are message ids, so a
 *   repeat adds nothing; a repeated job of an already-sent message finds every recipient final);
 * - a pump that lost its lease (stalled past it) can neither drop nor reorder another's ids;
 * - every key carries the deployment tag, so each script stays in one Redis Cluster slot.
 */
export class DeliveryIntakeStore {
  constructor(private readonly o: { redis: RedisClient; keys: Keys }) {}

  /** Appends an accepted message's id; resolves once Redis has stored it. */
  async push(messageId: string): Promise<void> {
    await this.o.redis.rpush(this.o.keys.deliveryIntake, messageId);
  }

  /** Takes the pump lease when nobody holds it. */
  async tryAcquire(token: string, leaseMs: number): Promise<boolean> {
    return (await this.o.redis.set(this.o.keys.deliveryIntakeLease, token, 'PX', leaseMs, 'NX')) === 'OK';
  }

  /** Renews the lease and answers up to `batch` claimed ids (oldest first); undefined when the lease is lost. */
  async claim(token: string, batch: number, leaseMs: number): Promise<string[] | undefined> {
    const { keys } = this.o;
    const ids = await CLAIM.run(this.o.redis, [keys.deliveryIntake, keys.deliveryIntakeClaimed, keys.deliveryIntakeLease], [token, batch, leaseMs]);
    return Array.isArray(ids) ? (ids as string[]) : undefined;
  }

  /** Drops the first `count` claimed ids, whose jobs are queued; false when the lease is lost. */
  async ack(token: string, count: number, leaseMs: number): Promise<boolean> {
    const { keys } = this.o;
    return (await ACK.run(this.o.redis, [keys.deliveryIntakeClaimed, keys.deliveryIntakeLease], [token, count, leaseMs])) === 1;
  }

  async release(token: string): Promise<void> {
    await RELEASE.run(this.o.redis, [this.o.keys.deliveryIntakeLease], [token]);
  }

  /**
   * Waits on `blocking` (a connection of its own: the command blocks it) until the intake holds an
   * id or `timeoutSeconds` pass, by moving the oldest id to the claimed list (where the lease
   * holder picks it up, whoever that is by then). True when an id arrived.
   */
  async waitForWork(blocking: RedisClient, timeoutSeconds: number): Promise<boolean> {
    const { keys } = this.o;
    return (await blocking.blmove(keys.deliveryIntake, keys.deliveryIntakeClaimed, 'LEFT', 'RIGHT', timeoutSeconds)) !== null;
  }

  /** Ids whose job is still to be created (intake and claimed). */
  async pending(): Promise<number> {
    const { keys, redis } = this.o;
    const [a, b] = await Promise.all([redis.llen(keys.deliveryIntake), redis.llen(keys.deliveryIntakeClaimed)]);
    return a + b;
  }
}
