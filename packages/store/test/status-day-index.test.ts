import { calendarDate, ManualClock, type MessageSpec } from '@postmill/core';
import { createKeys, createRedisClient, MessageStore, type RedisClient } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { acceptInOrder, expectedRows, statusSpec } from './status-fixtures.ts';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

const TIME_ZONE = 'Asia/Shanghai';
// 2026-03-15 10:00 in Asia/Shanghai.
const NOW = Date.UTC(2026, 2, 15, 2, 0, 0);
const DATE = '2026-03-15';

describe('MessageStore status pages (day row index)', () => {
  let redis: RedisClient;
  let prefix: string;
  let store: MessageStore;

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(() => {
    prefix = uniquePrefix('statusday');
    store = new MessageStore({ redis, keys: createKeys(prefix), clock: new ManualClock(NOW), retentionDays: 30, timeZone: TIME_ZONE });
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  const page = async (q: { offset: number; limit: number; messageId?: string; recipient?: string }) =>
    (await store.queryStatus({ date: DATE, ...q })).map((r): [string, string] => [r.messageId, r.recipient]);

  /** Seven messages of 1 to 3 recipients (14 rows), accepted one after another. */
  function sevenMessages(): MessageSpec[] {
    const recipients = [
      ['a@x.org'],
      ['b@x.org', 'c@x.org'],
      ['d@x.org', 'e@x.org', 'f@x.org'],
      ['g@x.org'],
      ['h@x.org', 'a@x.org'],
      ['i@x.org', 'j@x.org', 'k@x.org'],
      ['l@x.org', 'm@x.org'],
    ];
    return recipients.map((to, i) => statusSpec(`pm-m${i}`, NOW + i, to));
  }

  it('lists exactly the rows of a full listing at every Offset (0, inside a message, on a message boundary, the last row, past the end) and every Limit', async () => {
    const specs = sevenMessages();
    await acceptInOrder(store, specs);
    const all = expectedRows(specs);
    expect(all).toHaveLength(14);
    expect(await store.countStatus({ date: DATE })).toBe(14);
    for (const limit of [1, 2, 3, 4, 7, 100]) {
      for (let offset = 0; offset <= all.length + 2; offset++) {
        expect(await page({ offset, limit }), `offset ${offset} limit ${limit}`).toEqual(all.slice(offset, offset + limit));
      }
    }
    expect(await page({ offset: 0, limit: 0 })).toEqual([]);
  });

  it('keeps the rows of one recipient across messages, any case, and case variants within one message are one recipient (addressKey)', async () => {
    const specs = [
      statusSpec('pm-r0', NOW, ['alice@x.org', 'bob@x.org']),
      statusSpec('pm-r1', NOW + 1, ['carol@x.org']),
      statusSpec('pm-r2', NOW + 2, ['Alice@X.org', 'dave@x.org', 'alice@x.org']),
      statusSpec('pm-r3', NOW + 3, ['ALICE@x.org'], ['erin@x.org']),
    ];
    await acceptInOrder(store, specs);
    const alice = expectedRows(specs, 'alice@x.org');
    expect(alice).toEqual([
      ['pm-r0', 'alice@x.org'],
      ['pm-r2', 'Alice@X.org'],
      ['pm-r3', 'ALICE@x.org'],
    ]);
    expect(await store.countStatus({ date: DATE, recipient: 'aLiCe@x.org' })).toBe(3);
    for (const limit of [1, 2, 3, 10]) {
      for (let offset = 0; offset <= 5; offset++) {
        expect(await page({ recipient: 'ALICE@X.ORG', offset, limit }), `offset ${offset} limit ${limit}`).toEqual(alice.slice(offset, offset + limit));
      }
    }
    expect(await page({ recipient: 'nobody@x.org', offset: 0, limit: 10 })).toEqual([]);
    expect(await store.countStatus({ date: DATE, recipient: 'nobody@x.org' })).toBe(0);
  });

  it('keeps the rows of one MessageId, also with a recipient, and none for a message of another day or unknown', async () => {
    const specs = sevenMessages();
    await acceptInOrder(store, specs);
    const other = statusSpec('pm-tomorrow', NOW + 86_400_000, ['a@x.org']);
    await store.accept(other);
    expect(await page({ messageId: 'pm-m5', offset: 0, limit: 10 })).toEqual([
      ['pm-m5', 'i@x.org'],
      ['pm-m5', 'j@x.org'],
      ['pm-m5', 'k@x.org'],
    ]);
    expect(await page({ messageId: 'pm-m5', offset: 1, limit: 1 })).toEqual([['pm-m5', 'j@x.org']]);
    expect(await page({ messageId: 'pm-m5', offset: 3, limit: 1 })).toEqual([]);
    expect(await page({ messageId: 'pm-m4', recipient: 'A@x.org', offset: 0, limit: 10 })).toEqual([['pm-m4', 'a@x.org']]);
    expect(await page({ messageId: 'pm-m4', recipient: 'b@x.org', offset: 0, limit: 10 })).toEqual([]);
    expect(await store.countStatus({ date: DATE, messageId: 'pm-m5' })).toBe(3);
    expect(await store.countStatus({ date: DATE, messageId: 'pm-m4', recipient: 'a@x.org' })).toBe(1);
    expect(await page({ messageId: 'pm-tomorrow', offset: 0, limit: 10 })).toEqual([]);
    expect(await page({ messageId: 'pm-unknown', offset: 0, limit: 10 })).toEqual([]);
    expect(await store.countStatus({ date: DATE, messageId: 'pm-tomorrow' })).toBe(0);
  });

  it('skips a discarded message in pages and counts at every Offset, with and without a recipient filter', async () => {
    const specs = sevenMessages();
    await acceptInOrder(store, specs);
    const gone = specs[2] as MessageSpec; // d, e, f: rows 3..5
    const first = specs[0] as MessageSpec; // a: row 0
    await store.discard(gone);
    await store.discard(first);
    const kept = specs.filter((s) => s !== gone && s !== first);
    const all = expectedRows(kept);
    expect(await store.countStatus({ date: DATE })).toBe(10);
    for (const limit of [1, 2, 3, 100]) {
      for (let offset = 0; offset <= all.length + 1; offset++) {
        expect(await page({ offset, limit }), `offset ${offset} limit ${limit}`).toEqual(all.slice(offset, offset + limit));
      }
    }
    expect(await page({ recipient: 'a@x.org', offset: 0, limit: 10 })).toEqual([['pm-m4', 'a@x.org']]);
    expect(await store.countStatus({ date: DATE, recipient: 'a@x.org' })).toBe(1);
    expect(await page({ recipient: 'e@x.org', offset: 0, limit: 10 })).toEqual([]);
    expect(await page({ messageId: gone.messageId, offset: 0, limit: 10 })).toEqual([]);
    // Mail accepted after the discards still lists after everything else.
    const later = statusSpec('pm-later', NOW + 100, ['z@x.org', 'a@x.org']);
    await store.accept(later);
    expect(await page({ offset: 10, limit: 10 })).toEqual([...all.slice(10), ['pm-later', 'z@x.org'], ['pm-later', 'a@x.org']]);
    expect(await store.countStatus({ date: DATE })).toBe(12);
  });

  it('never lists a message discarded before its day index was written, even when that write arrives afterwards', async () => {
    const spec = statusSpec('pm-late', NOW, ['late@x.org']);
    await store.discard(spec);
    await store.accept(spec); // the day index refuses it; the message keys are written (and expire)
    expect(await page({ offset: 0, limit: 10 })).toEqual([]);
    expect(await store.countStatus({ date: DATE })).toBe(0);
    expect(await page({ recipient: 'late@x.org', offset: 0, limit: 10 })).toEqual([]);
  });

  it('changes nothing when the same message is indexed twice (a retried accept)', async () => {
    const specs = sevenMessages();
    await acceptInOrder(store, specs);
    await store.accept(specs[3] as MessageSpec);
    expect(await page({ offset: 0, limit: 100 })).toEqual(expectedRows(specs));
    expect(await store.countStatus({ date: DATE })).toBe(14);
    expect(await store.countStatus({ date: DATE, recipient: 'g@x.org' })).toBe(1);
  });

  it('leaves out the messages whose keys expired at the start of the day (the oldest queryable day), in pages and counts', async () => {
    const keys = createKeys(prefix);
    const specs = Array.from({ length: 60 }, (_, i) =>
      statusSpec(`pm-e${String(i).padStart(2, '0')}`, NOW + i, i % 2 === 0 ? ['a@x.org', `p${i}@x.org`] : [`q${i}@x.org`]),
    );
    await acceptInOrder(store, specs);
    // Expiry (same retention, in acceptance order) is what removes a message's keys; do it now.
    const expired = 37;
    for (const s of specs.slice(0, expired))
      await redis.del(keys.messageSpec(s.messageId), keys.messageContent(s.messageId), keys.messageRecipients(s.messageId));
    const live = specs.slice(expired);
    const all = expectedRows(live);
    expect(await store.countStatus({ date: DATE })).toBe(all.length);
    for (const offset of [0, 1, 2, 17, all.length - 1, all.length]) {
      expect(await page({ offset, limit: 5 }), `offset ${offset}`).toEqual(all.slice(offset, offset + 5));
    }
    const alice = expectedRows(live, 'a@x.org');
    expect(await store.countStatus({ date: DATE, recipient: 'a@x.org' })).toBe(alice.length);
    expect(await page({ recipient: 'a@x.org', offset: 2, limit: 3 })).toEqual(alice.slice(2, 5));
    // Every message expired: nothing listed, nothing counted.
    for (const s of live) await redis.del(keys.messageSpec(s.messageId), keys.messageRecipients(s.messageId));
    expect(await store.countStatus({ date: DATE })).toBe(0);
    expect(await page({ offset: 0, limit: 5 })).toEqual([]);
    expect(await store.countStatus({ date: DATE, recipient: 'a@x.org' })).toBe(0);
  });

  it("keeps pages and counts right as more of the day expires between queries, by date and by recipient, in a store that already found the day's live head", async () => {
    const keys = createKeys(prefix);
    const specs = Array.from({ length: 60 }, (_, i) =>
      statusSpec(`pm-x${String(i).padStart(2, '0')}`, NOW + i, i % 3 === 0 ? ['a@x.org', `p${i}@x.org`] : [`q${i}@x.org`]),
    );
    await acceptInOrder(store, specs);
    const expire = async (from: number, to: number) => {
      for (const s of specs.slice(from, to))
        await redis.del(keys.messageSpec(s.messageId), keys.messageContent(s.messageId), keys.messageRecipients(s.messageId));
    };
    // Each step expires more of the day's head; the same store answers every step (what it
    // remembered of the previous one must never hide or repeat a row).
    for (const expired of [5, 6, 21, 22, 40, 59, 60]) {
      await expire(0, expired);
      const live = specs.slice(expired);
      const all = expectedRows(live);
      const alice = expectedRows(live, 'a@x.org');
      expect(await store.countStatus({ date: DATE }), `${expired} expired`).toBe(all.length);
      expect(await store.countStatus({ date: DATE, recipient: 'a@x.org' }), `${expired} expired`).toBe(alice.length);
      for (const offset of [0, 1, 7, all.length - 1].filter((o) => o >= 0)) {
        expect(await page({ offset, limit: 4 }), `${expired} expired, offset ${offset}`).toEqual(all.slice(offset, offset + 4));
      }
      expect(await page({ recipient: 'A@x.org', offset: 1, limit: 3 }), `${expired} expired`).toEqual(alice.slice(1, 4));
    }
  });

  it('leaves out a message of the page whose keys are gone and fills the page from the messages after it, at every Offset and Limit', async () => {
    const specs = sevenMessages();
    await acceptInOrder(store, specs);
    const keys = createKeys(prefix);
    const gone = specs[2] as MessageSpec; // d, e, f: rows 3..5, inside most pages below
    await redis.del(keys.messageSpec(gone.messageId), keys.messageContent(gone.messageId), keys.messageRecipients(gone.messageId));
    // Offset counts the day's rows as indexed (the gone message's rows included: only the expired
    // head of the oldest day is left out of the count); the page lists the live rows from there.
    const indexed = expectedRows(specs).map((row, position) => ({ row, position }));
    for (const limit of [1, 2, 3, 5, 100]) {
      for (let offset = 0; offset <= indexed.length; offset++) {
        const expected = indexed.filter((x) => x.position >= offset && x.row[0] !== gone.messageId).map((x) => x.row);
        expect(await page({ offset, limit }), `offset ${offset} limit ${limit}`).toEqual(expected.slice(0, limit));
      }
    }
  });

  it('counts the day by date in its time zone: mail accepted at 17:00 UTC is indexed under the next day', async () => {
    const spec = statusSpec('pm-night', Date.UTC(2026, 2, 15, 17, 0, 0), ['n@x.org']);
    await store.accept(spec);
    expect(calendarDate(spec.acceptedAt, TIME_ZONE)).toBe('2026-03-16');
    expect(await store.queryStatus({ date: '2026-03-16', offset: 0, limit: 10 })).toHaveLength(1);
    expect(await store.countStatus({ date: DATE })).toBe(0);
  });
});
