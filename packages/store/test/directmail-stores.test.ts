import { ManualClock } from '@postmill/core';
import {
  createKeys,
  createRedisClient,
  type RedisClient,
  ResourceIdStore,
  SendAnnotationStore,
  SenderProfileStore,
  TagStore,
  TemplateProfileStore,
  TemplateStore,
} from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

describe("DirectMail's stores", () => {
  let redis: RedisClient;
  let prefix: string;
  let stores: { redis: RedisClient; keys: ReturnType<typeof createKeys> };

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(() => {
    prefix = uniquePrefix('dm');
    stores = { redis, keys: createKeys(prefix) };
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  it('numbers names from 1 per kind, gives one name one id for good, and answers the name of an id', async () => {
    const ids = new ResourceIdStore(stores);
    expect(await ids.idsFor('domain', ['a.example', 'b.example', 'a.example'])).toEqual([1, 2, 1]);
    expect(await ids.idFor('mail-address', 'x@a.example')).toBe(1);
    expect(await Promise.all([ids.idFor('domain', 'c.example'), ids.idFor('domain', 'c.example')])).toEqual([3, 3]);
    expect(await ids.nameOf('domain', 2)).toBe('b.example');
    expect(await ids.nameOf('domain', 99)).toBeUndefined();
  });

  it('merges sender profile fields without losing concurrent updates of other fields', async () => {
    const profiles = new SenderProfileStore(stores);
    await Promise.all([
      profiles.update('a@x.example', { sendType: 'batch' }),
      profiles.update('a@x.example', { replyAddress: 'r@x.example', replyVerified: false }),
    ]);
    expect(await profiles.get('a@x.example')).toEqual({ sendType: 'batch', replyAddress: 'r@x.example', replyVerified: false });
    expect(await profiles.getMany(['a@x.example', 'none@x.example'])).toEqual([{ sendType: 'batch', replyAddress: 'r@x.example', replyVerified: false }, {}]);
  });

  it('takes a reply ticket once, and never one it did not issue', async () => {
    const profiles = new SenderProfileStore(stores);
    const ticket = await profiles.issueTicket({ address: 'a@x.example', replyAddress: 'r@x.example' }, { ttlMs: 60_000 });
    expect(ticket).toMatch(/^[0-9a-f]{32}$/u);
    expect(await profiles.takeTicket(ticket)).toEqual({ address: 'a@x.example', replyAddress: 'r@x.example' });
    expect(await profiles.takeTicket(ticket)).toBeUndefined();
    expect(await profiles.takeTicket('0'.repeat(32))).toBeUndefined();
    expect(await profiles.takeTicket('../../etc')).toBeUndefined();
  });

  it('keeps tag names unique across create and rename, and frees a deleted name', async () => {
    const tags = new TagStore({ ...stores, clock: new ManualClock(1_700_000_000_000) });
    const a = await tags.create({ name: 'alpha', description: 'first' });
    const b = await tags.create({ name: 'beta', description: '' });
    expect([a?.id, b?.id]).toEqual([1, 2]);
    expect(await tags.create({ name: 'alpha', description: '' })).toBeUndefined();
    expect(await tags.update(2, { name: 'alpha' })).toBe('name-taken');
    expect(await tags.update(2, { name: 'gamma', description: 'renamed' })).toBe('ok');
    expect(await tags.getByName('gamma')).toMatchObject({ id: 2, description: 'renamed' });
    expect(await tags.getByName('beta')).toBeUndefined();
    expect(await tags.delete(1)).toBe(true);
    expect(await tags.delete(1)).toBe(false);
    expect((await tags.create({ name: 'alpha', description: '' }))?.id).toBe(3);
    expect((await tags.list()).map((t) => t.name)).toEqual(['gamma', 'alpha']);
  });

  it('keeps template profiles by id and send annotations with their expiry', async () => {
    const templates = new TemplateProfileStore({ ...stores, clock: new ManualClock(0) });
    await templates.set(7, { subject: 'Hi {{UserName}}', fromAlias: 'News', templateType: 0 });
    expect(await templates.getMany([7, 8])).toEqual([{ subject: 'Hi {{UserName}}', fromAlias: 'News', templateType: 0 }, {}]);
    await templates.delete(7);
    expect(await templates.get(7)).toEqual({});

    const annotations = new SendAnnotationStore(stores);
    await annotations.setForMessage('pm-1', { tagName: 't', clickTrace: true, addressType: 0 }, { ttlMs: 60_000 });
    await annotations.setForTask(5, { tagName: 'u' }, { ttlMs: 60_000 });
    expect(await annotations.forMessage('pm-1')).toEqual({ tagName: 't', clickTrace: true, addressType: 0 });
    expect(await annotations.forTasks([5, 6])).toEqual([{ tagName: 'u' }, {}]);
    const ttl = await redis.pttl(stores.keys.taskAnnotation(5));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('gives a template name to one claim at a time, frees a pending claim when its lease ends, and frees a settled one when its template is renamed or deleted', async () => {
    const clock = new ManualClock(1_000_000);
    const profiles = new TemplateProfileStore({ ...stores, clock, claimLeaseMs: 60_000 });
    const templates = new TemplateStore({ ...stores, clock });

    const pending = await profiles.claimName('welcome');
    expect(pending).toBeDefined();
    expect(await profiles.claimName('welcome')).toBeUndefined();
    clock.advance(60_001);
    // The creator died before writing its template: the name is free once the lease is over.
    const retaken = await profiles.claimName('welcome');
    expect(retaken).toBeDefined();
    if (!pending || !retaken) return;
    await profiles.settleName(pending, 99); // a stale holder settles nothing
    const template = await templates.create({ name: 'welcome', html: '<p>x</p>' });
    await profiles.settleName(retaken, template.id);
    clock.advance(3_600_000);
    expect(await profiles.claimName('welcome')).toBeUndefined();
    // The template itself may claim its own name again (a ModifyTemplate that keeps it).
    const own = await profiles.claimName('welcome', { templateId: template.id });
    expect(own).toBeDefined();
    if (own) await profiles.settleName(own, template.id);

    await templates.update(template.id, { name: 'renamed', html: '<p>x</p>' });
    const afterRename = await profiles.claimName('welcome');
    expect(afterRename).toBeDefined();
    if (afterRename) await profiles.releaseClaim(afterRename);

    const second = await templates.create({ name: 'second', html: '<p>y</p>' });
    const claim = await profiles.claimName('second');
    if (claim) await profiles.settleName(claim, second.id);
    expect(await profiles.claimName('second')).toBeUndefined();
    await templates.delete(second.id);
    expect(await profiles.claimName('second')).toBeDefined();
  });
});
