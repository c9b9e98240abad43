import { UPLOAD_LEASE_MS } from '@postmill/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EngineHarness, refusal, startEngineHarness, testRedis } from './engine-harness.ts';

describe('engine receivers.removeEntry', () => {
  const redis = testRedis();
  let h: EngineHarness;
  beforeEach(() => {
    h = startEngineHarness(redis());
  });
  afterEach(async () => {
    await h.close();
  });

  async function list(...emails: string[]): Promise<number> {
    const { id } = await h.engine.receivers.create({ name: `l${Math.random().toString(36).slice(2)}` });
    await h.engine.receivers.append(
      id,
      emails.map((email) => ({ email })),
    );
    return id;
  }

  it('removes the member: the list counts and lists one fewer, and the address is gone from its details', async () => {
    const id = await list('a@example.org', 'b@example.org', 'c@example.org');
    await h.engine.receivers.removeEntry(id, { email: 'b@example.org' });
    const page = await h.engine.receivers.details(id, { offset: 0, limit: 10, status: 1 });
    expect(page).toMatchObject({ total: 2, validCount: 2 });
    expect(page.items.map((r) => r.email)).toEqual(['a@example.org', 'c@example.org']);
    expect((await h.engine.receivers.list({ offset: 0, limit: 10 })).items.find((r) => r.id === id)?.count).toBe(2);
  });

  it('refuses an address that is not in the list with receiver-entry-not-found, naming the list and the address', async () => {
    const id = await list('a@example.org');
    const err = await refusal(h.engine.receivers.removeEntry(id, { email: 'zed@example.org' }));
    expect(err.kind).toBe('receiver-entry-not-found');
    expect(err.context).toEqual({ receiverId: id, email: 'zed@example.org' });
  });

  it('refuses a malformed address with invalid-address (field email) and an empty one with missing-parameter', async () => {
    const id = await list('a@example.org');
    expect(await refusal(h.engine.receivers.removeEntry(id, { email: 'not-an-address' }))).toMatchObject({
      kind: 'invalid-address',
      context: { field: 'email', value: 'not-an-address' },
    });
    expect(await refusal(h.engine.receivers.removeEntry(id, { email: '  ' }))).toMatchObject({ kind: 'missing-parameter', context: { field: 'email' } });
  });

  it('refuses with receiver-list-not-found for a missing list and receiver-list-busy while an upload runs', async () => {
    expect(await refusal(h.engine.receivers.removeEntry(424242, { email: 'a@example.org' }))).toMatchObject({ kind: 'receiver-list-not-found' });
    const id = await list('a@example.org');
    await redis().hset(h.keys.receiverMeta(id), { lock: 'upload', lockUntil: h.clock.now() + UPLOAD_LEASE_MS });
    expect(await refusal(h.engine.receivers.removeEntry(id, { email: 'a@example.org' }))).toMatchObject({
      kind: 'receiver-list-busy',
      context: { receiverId: id },
    });
  });

  it('counts a list whose every member was removed as empty (count 0, status 1)', async () => {
    const id = await list('a@example.org');
    await h.engine.receivers.removeEntry(id, { email: 'A@example.org' });
    expect((await h.engine.receivers.list({ offset: 0, limit: 10 })).items.find((r) => r.id === id)).toMatchObject({ count: 0, status: 1 });
  });
});
