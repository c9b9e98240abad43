import { addressKey, ManualClock, specRecipients, uniqueAddresses } from '@postmill/core';
import { BlacklistStore, createKeys, createRedisClient, ReceiverStore, type RedisClient, SuppressionStore } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

// A small alphabet, so that distinct addresses and case variants of one address both occur often.
const base = fc
  .tuple(fc.stringMatching(/^[ab][ab.]{0,2}[ab]$|^[ab]$/u), fc.constantFrom('x.com', 'y.org'))
  .filter(([local]) => !local.includes('..'))
  .map(([local, domain]) => `${local}@${domain}`);

// One spelling of an address: each letter upper-cased or not.
const spelling = (address: string) =>
  fc
    .array(fc.boolean(), { minLength: address.length, maxLength: address.length })
    .map((upper) => [...address].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));

// Spellings of a few base addresses, in random order.
const spellings = fc
  .array(base, { minLength: 1, maxLength: 4 })
  .chain((bases) => fc.array(fc.constantFrom(...bases).chain(spelling), { minLength: 1, maxLength: 8 }));

const keysOf = (addresses: readonly string[]) => new Set(addresses.map(addressKey));

describe('every component compares addresses by addressKey (property, real Redis)', () => {
  let redis: RedisClient;

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('dedupe counts equal the number of distinct keys, and a blacklist or unsubscribe hit happens exactly when the keys are equal', async () => {
    await fc.assert(
      fc.asyncProperty(spellings, spellings, spellings, async (listed, blocked, probes) => {
        const prefix = uniquePrefix('address-rule');
        const keys = createKeys(prefix);
        const clock = new ManualClock(Date.UTC(2026, 2, 15));
        try {
          const distinct = keysOf(listed).size;
          expect(uniqueAddresses(listed)).toHaveLength(distinct);
          const half = Math.ceil(listed.length / 2);
          expect(specRecipients({ to: listed.slice(0, half), cc: listed.slice(half), bcc: [] })).toHaveLength(distinct);

          const receivers = new ReceiverStore({ redis, keys, clock });
          const { id } = await receivers.create({ name: 'l', desc: '' });
          const appended = await receivers.append(
            id,
            listed.map((email) => ({ email })),
            { maxListSize: 1000, maxTemplateDataBytes: 800 },
          );
          expect(appended.valid).toBe(distinct);
          expect(await receivers.length(id)).toBe(distinct);

          const blockedKeys = keysOf(blocked);
          const blacklist = new BlacklistStore({ redis, keys, clock, timeZone: 'Asia/Shanghai' });
          expect((await blacklist.add(blocked)).added).toBe(blockedKeys.size);
          expect(await blacklist.blockedAmong(probes)).toEqual(new Set(probes.filter((p) => blockedKeys.has(addressKey(p)))));

          const suppressions = new SuppressionStore({ redis, keys });
          for (const r of blocked) await suppressions.unsubscribe('News@mail.example.com', r);
          expect(await suppressions.unsubscribedAmong('news@MAIL.example.com', probes)).toEqual(new Set(probes.filter((p) => blockedKeys.has(addressKey(p)))));
          for (const p of probes) expect((await receivers.indexOf(id, p)) !== undefined).toBe(keysOf(listed).has(addressKey(p)));
        } finally {
          await deleteKeysWithPrefix(redis, prefix);
        }
      }),
      { numRuns: 40 },
    );
  });
});
