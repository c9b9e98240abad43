import { ManualClock, type MessageSpec } from '@postmill/core';
import { createKeys, createRedisClient, MessageStore, type RedisClient, StatusDayIndex, statusMessageReader } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { acceptInOrder, expectedRows, statusSpec } from './status-fixtures.ts';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

const TIME_ZONE = 'Asia/Shanghai';
const NOW = Date.UTC(2026, 2, 15, 2, 0, 0);
const DATE = '2026-03-15';

describe('StatusDayIndex per-tag rows (exact counts and pages of one tag of a day)', () => {
  let redis: RedisClient;
  let prefix: string;
  let store: MessageStore;
  let index: StatusDayIndex;

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(() => {
    prefix = uniquePrefix('statustag');
    const keys = createKeys(prefix);
    store = new MessageStore({ redis, keys, clock: new ManualClock(NOW), retentionDays: 30, timeZone: TIME_ZONE });
    index = new StatusDayIndex({ redis, keys, ttlSeconds: 86_400, timeZone: TIME_ZONE, readMessage: statusMessageReader(store) });
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  /** 30 messages of 1 to 3 recipients; every third is tagged "news", every third "promo {x}:y", the rest untagged. */
  function mixed(): MessageSpec[] {
    return Array.from({ length: 30 }, (_, i) => {
      const spec = statusSpec(
        `pm-t${String(i).padStart(2, '0')}`,
        NOW + i,
        Array.from({ length: 1 + (i % 3) }, (_, k) => `r${i}-${k}@x.org`),
      );
      const tag = i % 3 === 0 ? 'news' : i % 3 === 1 ? 'promo {x}:y' : undefined;
      return tag === undefined ? spec : { ...spec, tag };
    });
  }

  const rows = async (tag: string, offset: number, limit: number) =>
    (await index.queryTagged(DATE, tag, offset, limit)).map((r): [string, string] => [r.messageId, r.recipient]);

  it('counts exactly the rows of one tag and pages them at every Offset and Limit, other tags and untagged mail left out', async () => {
    const specs = mixed();
    await acceptInOrder(store, specs);
    for (const tag of ['news', 'promo {x}:y']) {
      const all = expectedRows(specs.filter((s) => s.tag === tag));
      expect(await index.countTagged(DATE, tag)).toBe(all.length);
      for (const limit of [1, 2, 5, 100]) {
        for (let offset = 0; offset <= all.length; offset += 3)
          expect(await rows(tag, offset, limit), `${tag} ${offset}/${limit}`).toEqual(all.slice(offset, offset + limit));
      }
    }
    expect(await index.countTagged(DATE, 'unknown')).toBe(0);
    expect(await rows('unknown', 0, 10)).toEqual([]);
    // The day's own count is unchanged by the tag indexes.
    expect(await store.countStatus({ date: DATE })).toBe(expectedRows(specs).length);
  });

  it('leaves a discarded tagged message out of its tag count and pages, and counts a retried accept once', async () => {
    const specs = mixed();
    await acceptInOrder(store, specs);
    await store.accept(specs[3] as MessageSpec);
    await store.discard(specs[6] as MessageSpec);
    const news = expectedRows(specs.filter((s, i) => s.tag === 'news' && i !== 6));
    expect(await index.countTagged(DATE, 'news')).toBe(news.length);
    expect(await rows('news', 0, 100)).toEqual(news);
    expect(await rows('news', 1, 2)).toEqual(news.slice(1, 3));
  });

  it('leaves out tagged messages whose keys expired at the start of the day, in counts and pages', async () => {
    const keys = createKeys(prefix);
    const specs = mixed();
    await acceptInOrder(store, specs);
    for (const s of specs.slice(0, 13)) await redis.del(keys.messageSpec(s.messageId), keys.messageContent(s.messageId), keys.messageRecipients(s.messageId));
    const news = expectedRows(specs.slice(13).filter((s) => s.tag === 'news'));
    expect(await index.countTagged(DATE, 'news')).toBe(news.length);
    expect(await rows('news', 0, 100)).toEqual(news);
    expect(await rows('news', 2, 3)).toEqual(news.slice(2, 5));
  });
});
