import { ManualClock, RunCode } from '@postmill/core';
import {
  BlacklistStore,
  createKeys,
  createRedisClient,
  DomainHoldStore,
  type Keys,
  keySlot,
  type RedisClient,
  SuppressionStore,
  TaskStore,
} from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

const NOW = Date.UTC(2026, 2, 15, 2, 0, 0);

describe('the chunk reads: TaskStore.readChunk and BlacklistStore.sendChecks (real Redis)', () => {
  let redis: RedisClient;
  let prefix: string;
  let keys: Keys;
  let clock: ManualClock;
  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(() => {
    prefix = uniquePrefix('chunkread');
    keys = createKeys(prefix);
    clock = new ManualClock(NOW);
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  it('answers runControl of the range plus the details of exactly its deferred and sending indexes, in one script', async () => {
    const tasks = new TaskStore<{ name: string }>({ redis, keys, clock });
    const id = await tasks.create(() => ({ name: 't' }));
    await tasks.openRun(id, 1, { plannedAt: NOW, total: 20, chunkSize: 10 });
    const deferred = { code: 'FailedOperation.FrequencyLimit', message: 'later', at: NOW, until: NOW };
    const failed = { code: 'SMTP.550', message: 'no such user', at: NOW };
    await tasks.record(id, 1, [
      { index: 11, code: RunCode.Deferred, detail: deferred },
      { index: 12, code: RunCode.FailedPermanent, detail: failed },
      { index: 13, code: RunCode.Sent },
      { index: 3, code: RunCode.Deferred, detail: deferred },
    ]);
    // 14 from queued (no detail), 11 from its deferral (detail kept): both `sending` under the claim.
    expect(await tasks.claim(id, 1, { generation: 0, token: 'A', leaseMs: 1000, start: 10, indexes: [14, 11] })).toEqual({
      kind: 'ok',
      results: ['claimed', 'claimed'],
    });
    const chunk = await tasks.readChunk(id, 1, { start: 10, end: 20 });
    const { details, ...control } = chunk ?? { details: undefined };
    expect(control).toEqual(await tasks.runControl(id, 1, { start: 10, end: 20 }));
    expect(chunk?.rangeCodes).toEqual([0, RunCode.Sending, RunCode.FailedPermanent, RunCode.Sent, RunCode.Sending, 0, 0, 0, 0, 0]);
    expect(details).toEqual(new Map([[11, deferred]]));
    // An odd start reads the right half-bytes: index 3 of [3, 9) is deferred.
    expect((await tasks.readChunk(id, 1, { start: 3, end: 9 }))?.details).toEqual(new Map([[3, deferred]]));
    expect(await tasks.readChunk(id, 2, { start: 0, end: 10 })).toBeUndefined();
  });

  it('answers the blacklist, the unsubscribes and the domain holds as blockedAmong, unsubscribedAmong and holdsFor do, in one script on one slot', async () => {
    const blacklist = new BlacklistStore({ redis, keys, clock, timeZone: 'Asia/Shanghai' });
    const suppressions = new SuppressionStore({ redis, keys });
    const holds = new DomainHoldStore({ redis, keys, clock });
    const sender = 'News@Mail.example.com';
    await blacklist.add(['blocked@a.example', 'Gone@B.example'], '2026-03-20');
    await blacklist.add(['forever@b.example']);
    await suppressions.unsubscribe(sender, 'Left@A.example');
    await holds.hold('b.example', NOW + 5000);
    await holds.hold('c.example', NOW + 10);
    clock.set(NOW + 100);
    const recipients = ['BLOCKED@a.example', 'left@a.example', 'gone@b.example', 'forever@b.example', 'ok@c.example', 'ok@D.example'];
    const checks = await blacklist.sendChecks(sender, recipients);
    expect(checks).toEqual({
      blacklisted: await blacklist.blockedAmong(recipients),
      unsubscribed: await suppressions.unsubscribedAmong(sender, recipients),
      domainHolds: await holds.holdsFor(recipients.map((r) => r.slice(r.indexOf('@') + 1))),
    });
    expect(checks.blacklisted).toEqual(new Set(['BLOCKED@a.example', 'gone@b.example', 'forever@b.example']));
    expect(checks.unsubscribed).toEqual(new Set(['left@a.example']));
    expect(checks.domainHolds).toEqual(new Map([['b.example', NOW + 5000]]));
    expect(await blacklist.sendChecks(sender, [])).toEqual({ blacklisted: new Set(), unsubscribed: new Set(), domainHolds: new Map() });
    const slots = [keys.blacklist, keys.blacklistIds, keys.blacklistSeq, keys.blacklistVersion, keys.unsubscribed(sender), keys.domainHolds].map(keySlot);
    expect(new Set(slots).size).toBe(1);
  });
});
