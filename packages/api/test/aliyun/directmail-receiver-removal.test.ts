import { randomBytes } from 'node:crypto';
import { UPLOAD_LEASE_MS } from '@postmill/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { $Dm, type DmClientInstance, dmClient, sdkTarget } from './sdk-clients.ts';

const unique = () => randomBytes(4).toString('hex');

describe('DirectMail DeleteReceiverDetail (one member out of a recipient list), through the official SDK', () => {
  let api: ApiHarness;
  let dm: DmClientInstance;

  beforeAll(async () => {
    api = await startApiHarness();
    dm = dmClient(sdkTarget(api), { signing: 'v3' });
  });

  afterAll(async () => {
    await api?.close();
  });

  async function listWith(emails: readonly string[]): Promise<{ id: string; name: string }> {
    const name = `rm${unique()}`;
    const created = await dm.createReceiver(new $Dm.CreateReceiverRequest({ receiversName: name, receiversAlias: `${name}@lists.example.org` }));
    const id = created.body?.receiverId ?? '';
    const saved = await dm.saveReceiverDetail(
      new $Dm.SaveReceiverDetailRequest({ receiverId: id, detail: JSON.stringify(emails.map((e) => ({ e, u: e.split('@')[0] }))) }),
    );
    expect(saved.body?.successCount).toBe(emails.length);
    return { id, name };
  }

  const members = async (id: string) =>
    (await dm.queryReceiverDetail(new $Dm.QueryReceiverDetailRequest({ receiverId: id, pageSize: 50 }))).body?.data?.detail?.map((d) => d.email);
  // The SDK types Count as a string.
  const countOf = async (name: string) =>
    Number((await dm.queryReceiverByParam(new $Dm.QueryReceiverByParamRequest({ keyWord: name }))).body?.data?.receiver?.[0]?.count);

  it('removes the member and answers only a RequestId; QueryReceiverDetail no longer lists it and QueryReceiverByParam no longer counts it', async () => {
    const { id, name } = await listWith(['ann@example.org', 'ben@example.org', 'cat@example.org']);
    const answer = await dm.deleteReceiverDetail(new $Dm.DeleteReceiverDetailRequest({ receiverId: id, email: 'ben@example.org' }));
    expect(answer.statusCode).toBe(200);
    expect(Object.keys(answer.body?.toMap() ?? {})).toEqual(['RequestId']);
    expect(answer.body?.requestId).toMatch(/\S/u);
    expect(await members(id)).toEqual(['ann@example.org', 'cat@example.org']);
    expect(await countOf(name)).toBe(2);
    const page = await dm.queryReceiverDetail(new $Dm.QueryReceiverDetailRequest({ receiverId: id, keyWord: 'ben@example.org' }));
    expect(page.body?.data?.detail ?? []).toEqual([]);
  });

  it('matches the address case-insensitively', async () => {
    const { id, name } = await listWith(['dan@example.org', 'eve@example.org']);
    await dm.deleteReceiverDetail(new $Dm.DeleteReceiverDetailRequest({ receiverId: id, email: 'DAN@Example.ORG' }));
    expect(await members(id)).toEqual(['eve@example.org']);
    expect(await countOf(name)).toBe(1);
  });

  it('answers 404 InvalidReceiver.NotFound for an address that is not in the list, and for one removed already', async () => {
    const { id } = await listWith(['fay@example.org']);
    const stranger = await dm.deleteReceiverDetail(new $Dm.DeleteReceiverDetailRequest({ receiverId: id, email: 'gus@example.org' })).catch((e: unknown) => e);
    expect(stranger).toMatchObject({ code: 'InvalidReceiver.NotFound', statusCode: 404 });
    expect(String((stranger as Error).message)).toContain('gus@example.org');
    await dm.deleteReceiverDetail(new $Dm.DeleteReceiverDetailRequest({ receiverId: id, email: 'fay@example.org' }));
    const again = await dm.deleteReceiverDetail(new $Dm.DeleteReceiverDetailRequest({ receiverId: id, email: 'fay@example.org' })).catch((e: unknown) => e);
    expect(again).toMatchObject({ code: 'InvalidReceiver.NotFound', statusCode: 404 });
  });

  it('answers 400 InvalidReceiverName.Malformed (the code its page documents) for a malformed address, MissingEmail without one', async () => {
    const { id } = await listWith(['hal@example.org']);
    const malformed = await dm.deleteReceiverDetail(new $Dm.DeleteReceiverDetailRequest({ receiverId: id, email: 'not-an-address' })).catch((e: unknown) => e);
    expect(malformed).toMatchObject({ code: 'InvalidReceiverName.Malformed', statusCode: 400 });
    const missing = await dm.deleteReceiverDetail(new $Dm.DeleteReceiverDetailRequest({ receiverId: id })).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'MissingEmail', statusCode: 400 });
    expect(await members(id)).toEqual(['hal@example.org']);
  });

  it('answers 404 InvalidReceiver.NotFound for a list that does not exist', async () => {
    const err = await dm
      .deleteReceiverDetail(new $Dm.DeleteReceiverDetailRequest({ receiverId: '987654321', email: 'a@example.org' }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'InvalidReceiver.NotFound', statusCode: 404 });
  });

  it('answers 400 InvalidReceiverStatus.Malformed while an upload to the list runs, and removes nothing', async () => {
    const { id, name } = await listWith(['ivy@example.org', 'jon@example.org']);
    // The lock an upload in progress holds (ReceiverStore.append takes it for the upload's length).
    const meta = api.deps.keys.receiverMeta(Number(id));
    await api.deps.redis.hset(meta, { lock: 'upload-in-progress', lockUntil: Date.now() + UPLOAD_LEASE_MS });
    const err = await dm.deleteReceiverDetail(new $Dm.DeleteReceiverDetailRequest({ receiverId: id, email: 'ivy@example.org' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'InvalidReceiverStatus.Malformed', statusCode: 400 });
    expect(await countOf(name)).toBe(2);
    await api.deps.redis.hdel(meta, 'lock', 'lockUntil');
    await dm.deleteReceiverDetail(new $Dm.DeleteReceiverDetailRequest({ receiverId: id, email: 'ivy@example.org' }));
    expect(await members(id)).toEqual(['jon@example.org']);
  });

  it('adds a removed address again through SaveReceiverDetail as a new member, listed last', async () => {
    const { id, name } = await listWith(['kim@example.org', 'lou@example.org']);
    await dm.deleteReceiverDetail(new $Dm.DeleteReceiverDetailRequest({ receiverId: id, email: 'kim@example.org' }));
    const saved = await dm.saveReceiverDetail(
      new $Dm.SaveReceiverDetailRequest({ receiverId: id, detail: JSON.stringify([{ e: 'kim@example.org', u: 'kim' }]) }),
    );
    expect(saved.body).toMatchObject({ successCount: 1, errorCount: 0 });
    expect(await members(id)).toEqual(['lou@example.org', 'kim@example.org']);
    expect(await countOf(name)).toBe(2);
  });

  it('pages QueryReceiverDetail over the remaining members only: NextStart walks every live member once', async () => {
    const emails = Array.from({ length: 12 }, (_, i) => `p${i}@example.org`);
    const { id } = await listWith(emails);
    for (const i of [0, 3, 4, 5, 11]) await dm.deleteReceiverDetail(new $Dm.DeleteReceiverDetailRequest({ receiverId: id, email: emails[i] }));
    const seen: string[] = [];
    let nextStart: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await dm.queryReceiverDetail(new $Dm.QueryReceiverDetailRequest({ receiverId: id, pageSize: 3, ...(nextStart ? { nextStart } : {}) }));
      seen.push(...(page.body?.data?.detail?.map((d) => d.email ?? '') ?? []));
      nextStart = page.body?.nextStart;
      if (!nextStart) break;
    }
    expect(seen).toEqual([1, 2, 6, 7, 8, 9, 10].map((i) => `p${i}@example.org`));
  });

  it('pages QueryReceiverDetail without skipping or repeating a member when members of pages already read are removed between two pages', async () => {
    const emails = Array.from({ length: 9 }, (_, i) => `q${i}@example.org`);
    const { id } = await listWith(emails);
    const first = await dm.queryReceiverDetail(new $Dm.QueryReceiverDetailRequest({ receiverId: id, pageSize: 4 }));
    expect(first.body?.data?.detail?.map((d) => d.email)).toEqual(emails.slice(0, 4));
    for (const i of [0, 2]) await dm.deleteReceiverDetail(new $Dm.DeleteReceiverDetailRequest({ receiverId: id, email: emails[i] }));
    const second = await dm.queryReceiverDetail(new $Dm.QueryReceiverDetailRequest({ receiverId: id, pageSize: 4, nextStart: first.body?.nextStart ?? '' }));
    expect(second.body?.data?.detail?.map((d) => d.email)).toEqual(emails.slice(4, 8));
    const third = await dm.queryReceiverDetail(new $Dm.QueryReceiverDetailRequest({ receiverId: id, pageSize: 4, nextStart: second.body?.nextStart ?? '' }));
    expect(third.body?.data?.detail?.map((d) => d.email)).toEqual([emails[8]]);
    expect(third.body?.nextStart ?? '').toBe('');
  });

  it("shows the removal in the Tencent dialect too: ListReceivers' Count and ListReceiverDetails' TotalCount and ValidCount", async () => {
    const { id, name } = await listWith(['mia@example.org', 'ned@example.org', 'oli@example.org']);
    await dm.deleteReceiverDetail(new $Dm.DeleteReceiverDetailRequest({ receiverId: id, email: 'ned@example.org' }));
    const lists = (await api.call('ListReceivers', { Offset: 0, Limit: 10, KeyWord: name })).body.Response;
    expect(lists.Data.map((r: { Count: number }) => r.Count)).toEqual([2]);
    const details = (await api.call('ListReceiverDetails', { ReceiverId: Number(id), Offset: 0, Limit: 10 })).body.Response;
    expect(details).toMatchObject({ TotalCount: 2, ValidCount: 2 });
    expect(details.Data.map((d: { Email: string }) => d.Email)).toEqual(['mia@example.org', 'oli@example.org']);
  });
});
