import { ManualClock } from '@postmill/core';
import { createKeys, createRedisClient, type Keys, type RedisClient, SenderAddressStore, SenderProfileStore } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

// A sender profile (DirectMail's reply-to, SMTP password hash, callback URL, send type) lives and
// dies with its sender address, whichever dialect deletes the address.
describe('SenderAddressStore and the sender profile', () => {
  let redis: RedisClient;
  let prefix: string;
  let keys: Keys;
  let addresses: SenderAddressStore;
  let profiles: SenderProfileStore;
  const settings = {
    sendType: 'trigger',
    replyAddress: 'replies@example.org',
    replyVerified: true,
    smtpPasswordHash: 'scrypt$x',
    notifyUrl: 'https://h.example/',
  } as const;

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(() => {
    prefix = uniquePrefix('sender-profile');
    keys = createKeys(prefix);
    addresses = new SenderAddressStore({ redis, keys, clock: new ManualClock(1_700_000_000_000) });
    profiles = new SenderProfileStore({ redis, keys });
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  it('deletes the address and its profile together, and answers true only when the address existed', async () => {
    await addresses.create({ address: 'news@mail.example.com' });
    await profiles.update('news@mail.example.com', settings);
    expect(await addresses.delete('news@mail.example.com')).toBe(true);
    expect(await addresses.get('news@mail.example.com')).toBeUndefined();
    expect(await redis.hexists(keys.senderProfiles, 'news@mail.example.com')).toBe(0);
    expect(await addresses.delete('news@mail.example.com')).toBe(false);
  });

  it('deletes the profile of the canonical address when the delete names the domain in another case', async () => {
    await addresses.create({ address: 'news@mail.example.com' });
    await profiles.update('news@mail.example.com', settings);
    await addresses.delete('news@MAIL.Example.com');
    expect(await profiles.get('news@mail.example.com')).toEqual({});
  });

  it('leaves the profiles of other addresses alone, also when the deleted address does not exist', async () => {
    await addresses.create({ address: 'a@mail.example.com' });
    await addresses.create({ address: 'b@mail.example.com' });
    await profiles.update('b@mail.example.com', settings);
    await addresses.delete('a@mail.example.com');
    expect(await addresses.delete('c@mail.example.com')).toBe(false);
    expect(await profiles.get('b@mail.example.com')).toEqual(settings);
  });

  it('creates an address with no profile even when one was left under its name (a profile write that raced the delete, or an older deployment)', async () => {
    await addresses.create({ address: 'news@mail.example.com' });
    await addresses.delete('news@mail.example.com');
    // What a ModifyMailAddress that read the sender just before the delete would still write:
    await profiles.update('news@mail.example.com', settings);
    await addresses.create({ address: 'news@mail.example.com' });
    expect(await profiles.get('news@mail.example.com')).toEqual({});
  });

  it('keeps the profile of an address whose create is refused as a duplicate', async () => {
    await addresses.create({ address: 'news@mail.example.com' });
    await profiles.update('news@mail.example.com', settings);
    await expect(addresses.create({ address: 'news@mail.example.com' })).rejects.toMatchObject({ kind: 'already-exists' });
    expect(await profiles.get('news@mail.example.com')).toEqual(settings);
  });
});
