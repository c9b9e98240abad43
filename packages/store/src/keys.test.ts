import { describe, expect, it } from 'vitest';
import { keySlot } from './key-slot.ts';
import { createKeys } from './keys.ts';

const keys = createKeys('postmill');

/** The distinct slots of a group of keys. */
const slots = (group: readonly string[]) => new Set(group.map(keySlot));

// Every group below is touched together by one Lua script, MULTI or pipeline; on a Redis Cluster
// such a group must sit in one hash slot, or Redis answers CROSSSLOT.
describe('Redis key hash-slot discipline', () => {
  it('keeps the delivery intake, its claimed list and its lease (the pump scripts pass them together) in one slot', () => {
    expect(slots([keys.deliveryIntake, keys.deliveryIntakeClaimed, keys.deliveryIntakeLease]).size).toBe(1);
  });

  it('keeps each message ledger (spec, content, recipients: one MULTI) in one slot', () => {
    expect(slots([keys.messageSpec('pm-1'), keys.messageContent('pm-1'), keys.messageRecipients('pm-1')]).size).toBe(1);
  });

  it('keeps one day of status indexes (message, per-recipient and run indexes: one MULTI) in one slot', () => {
    const day = '2026-11-22';
    const group = [
      keys.statusDayRows(day),
      keys.statusDayRowCount(day),
      keys.statusDayDiscarded(day),
      keys.statusDayRunRows(day),
      keys.statusDayRunRowCount(day),
      keys.statusDayRunMeta(day),
      ...['a@example.org', 'B@Example.org', 'c{x}@example.org'].map((r) => keys.statusDayRecipientRows(day, r)),
    ];
    expect(slots(group).size).toBe(1);
  });

  it('keeps every key of one receiver list (the upload scripts pass meta, entries and buckets together) in one slot', () => {
    const group = [keys.receiverMeta(7), keys.receiverEntries(7), keys.receiverInvalid(7)];
    for (let bucket = 0; bucket < 4096; bucket += 37) group.push(keys.receiverFingerprints(7, bucket));
    expect(slots(group).size).toBe(1);
  });

  it('keeps every key of one task (the ledger scripts pass states, details, run and task) in one slot, whatever the run', () => {
    const group = [keys.task(9)];
    for (const run of [1, 2, 17, 1000]) group.push(keys.taskRun(9, run), keys.runStates(9, run), keys.runDetails(9, run));
    expect(slots(group).size).toBe(1);
  });

  it('keeps the deployment-wide collections, the limiter, the outbox, API admission and every BullMQ queue in the deployment slot', () => {
    const group = [
      keys.identities,
      `${keys.identities}:order`,
      keys.addresses,
      keys.templates,
      `${keys.templates}:ids`,
      keys.templateSeq,
      keys.unsubscribed('News@Mail.example.com'),
      keys.domainHolds,
      keys.limiterLog('smtp'),
      keys.limiterPause('smtp'),
      keys.outboxIndex,
      keys.outboxMessage('abc'),
      keys.receivers,
      keys.receiverNames,
      keys.receiverSeq,
      keys.tasks,
      keys.taskSeq,
      keys.blacklist,
      keys.blacklistIds,
      keys.blacklistSeq,
      keys.blacklistVersion,
      keys.acceptedSignature('abc'),
      keys.apiRequestCount('AKIDx', 'SendEmail', 123),
      `${keys.bullPrefix}:delivery:wait`,
      `${keys.bullPrefix}:campaign:t1-o1`,
    ];
    expect(slots(group)).toEqual(new Set([keySlot('postmill')]));
  });

  it('spreads messages, lists, tasks and days over many slots (so a cluster shares the load)', () => {
    const ids = Array.from({ length: 200 }, (_, i) => i + 1);
    expect(slots(ids.map((i) => keys.messageSpec(`pm-date-20261122000000-${i}`))).size).toBeGreaterThan(190);
    expect(slots(ids.map((i) => keys.task(i))).size).toBeGreaterThan(190);
    expect(slots(ids.map((i) => keys.receiverMeta(i))).size).toBeGreaterThan(190);
    expect(keySlot(keys.task(1))).not.toBe(keySlot(keys.receiverMeta(1)));
    expect(keySlot(keys.stats('2026-11-22'))).not.toBe(keySlot(keys.stats('2026-11-23')));
    expect(keySlot(keys.statusDayRows('2026-11-22'))).not.toBe(keySlot(keys.stats('2026-11-22')));
  });
});
